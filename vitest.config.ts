import { configDefaults, defineConfig } from 'vitest/config';

// Projects. `unit`: in-process (the CLI through main(), servers on loopback port 0, a manual
// clock); the files of a worker share their imported modules (isolate: false: each file would
// otherwise load src/ again, most of the project's time), so no test may leave state behind in a
// module. `process`: tests that start the built CLI (bin/, dist/) as a child process; they live in
// test/process/, and the build they run is made current once, before them (test/process/build-once.ts).
// In-process tests that count the process's own timers (process.getActiveResourcesInfo): in a
// worker shared with other files, a timer another file left behind can fire during the count.
const ALONE = ['test/campaign/clock.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    setupFiles: ['test/setup-each-file.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/process/**', ...ALONE], isolate: false },
      },
      {
        extends: true,
        test: { name: 'unit-alone', include: ALONE },
      },
      {
        extends: true,
        test: { name: 'process', include: ['test/process/**/*.test.ts'], globalSetup: ['test/process/build-once.ts'] },
      },
    ],
  },
});
