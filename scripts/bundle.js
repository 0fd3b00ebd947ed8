// The second step of `npm run build`: bundles the compiled program (dist/main.js and everything it
// imports, the dependencies too) into dist/bundle/, which the launcher runs. Why: a process spends
// most of its start resolving and loading some 800 small modules (libphonenumber-js, got, yaml…);
// loaded from a few files, `send` starts in about a third of the CPU (TESTING.md, "The suite's
// time"). The lazy `import()`s of the commands stay separate chunks, loaded when a command runs.
// The reconcile events worker is bundled too, as its own file (dist/bundle/events-worker.js): a
// worker thread loads its code afresh, and tsc's ~60 modules cost it about 0.1 s before it read a
// line. dist/ keeps tsc's files: the tests, scripts/demo.js and the benches use them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const OUT = path.join(DIST, 'bundle');

/** The module that names the events worker's file: in the bundle, the bundle's build of it (beside the chunks). */
const WORKER_URL_MODULE = path.join(DIST, 'reconcile', 'events-worker-url.js');

/**
 * Each compiled module's `import.meta.url` made what it was in dist/, so that the files it finds
 * beside itself stay where they are: `../package.json` (main.js), the sample templates (the
 * emulator). All but WORKER_URL_MODULE's: its `./events-worker.js` is the bundle's worker (a
 * worker not found would make reconcile quietly run on one thread: test/process/bundle.test.ts).
 */
const keepModuleUrls = {
  name: 'keep-module-urls',
  transform(code, id) {
    if (id === WORKER_URL_MODULE || !id.startsWith(DIST + path.sep) || !code.includes('import.meta.url')) return null;
    const fromChunk = path.relative(OUT, id).split(path.sep).join('/');
    return { code: code.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`), map: null };
  },
};

await build({
  input: { main: path.join(DIST, 'main.js') },
  platform: 'node',
  plugins: [keepModuleUrls],
  logLevel: 'warn',
  output: { dir: OUT, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', cleanDir: true },
});

// The events worker, after the main build (which empties the folder): one file, its import() of
// pass 2's code inlined. got stays outside: the worker reaches it only through readOnboarding's
// import(), which it never calls.
await build({
  input: { 'events-worker': path.join(DIST, 'reconcile', 'events-worker.js') },
  platform: 'node',
  external: ['got'],
  plugins: [keepModuleUrls],
  logLevel: 'warn',
  output: { dir: OUT, format: 'esm', entryFileNames: '[name].js', codeSplitting: false },
});
