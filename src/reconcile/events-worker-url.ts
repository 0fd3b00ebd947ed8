/**
 * Where the events worker's code is: tsc's `events-worker.js` beside this module. The bundle
 * (scripts/bundle.js) leaves this module's `import.meta.url` its own, so there it names the
 * bundle's build of the worker, one file beside the bundle's chunks: a worker loading tsc's ~60
 * modules one by one spent about 0.1 s more before it read its first line (BENCHMARKS.md).
 */
export const eventsWorkerUrl = (): URL => new URL('./events-worker.js', import.meta.url);
