import { configDefaults, defineConfig } from 'vitest/config';

// Projects. `unit`: in-process (the CLI through main(), servers on loopback port 0, a manual
// clock); the files of a worker share their imported modules (isolate: false: each file would
// otherwise load src/ again, most of the project's time), so no test may leave state behind in a
// module. `process`: tests that start the built CLI (bin/, dist/) as a child process; they live in
// test/process/, and the build they run is made current once, before them (test/process/build-once.ts).
// In-process tests that count the process's own timers (process.getActiveResourcesInfo): in a
// worker shared with other files, a timer another file left behind can fire during the count.
// And the files that replace a module with vi.mock (node:fs/promises; node:worker_threads for
// read-events; the HTTP transport and the CPU-wait watchers for sendCampaign): in a worker whose
// files share their modules, a module another file loaded first is never replaced, so such a file
// passed or failed by the order the files were given out.
const ALONE = ['test/campaign/clock.test.ts', 'test/fs/file-lock-faults.test.ts', 'test/fs/open-regular-file-faults.test.ts', 'test/fs/atomic-file-sync.test.ts', 'test/reconcile/read-events.test.ts', 'test/campaign/send-campaign-transports.test.ts', 'test/campaign/send-campaign-waits.test.ts'];
// The property tests' seed (test/fast-check-seed.ts), for the in-process projects: the process
// project has no property tests, and each of its files would load fast-check for it.
const FAST_CHECK_SEED = 'test/fast-check-seed.ts';

export default defineConfig({
  test: {
    // Two workers on the two cores (vitest's default in a run is one fewer than the cores: one here,
    // every file in turn): a process test spends most of its time waiting on the child it started,
    // and the other worker's files run meanwhile. TESTING.md, "The suite's time", has the figures.
    maxWorkers: 2,
    testTimeout: 20_000,
    setupFiles: ['test/setup-each-file.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/process/**', ...ALONE], isolate: false, setupFiles: [FAST_CHECK_SEED] },
      },
      {
        extends: true,
        test: { name: 'unit-alone', include: ALONE, setupFiles: [FAST_CHECK_SEED] },
      },
      {
        extends: true,
        // Its files share their imported modules too (isolate: false): a file's own start (a fresh
        // module graph: the helpers, the emulator, the test file) left a worker idle ~0.4 s each.
        test: { name: 'process', include: ['test/process/**/*.test.ts'], globalSetup: ['test/process/build-once.ts'], setupFiles: ['test/process/setup-each-file.ts'], isolate: false },
      },
    ],
  },
});
