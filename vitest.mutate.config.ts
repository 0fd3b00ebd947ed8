import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (`npm run mutate`, stryker.config.mjs): every test
 * that runs the code in this process. Left out, the tests that run compiled code in another
 * process or thread: they load dist/, not the mutated src/ in Stryker's sandbox, so they could
 * never notice a mutant, and they are the slow part of the suite. Each one spawns
 * bin/wa-broadcast.js (or scripts/demo.js), except read-events.test.ts, whose events worker
 * thread runs dist/reconcile. A new test of that kind belongs in this list.
 */
export const PROCESS_TESTS = [
  'test/cli/bin.test.ts',
  'test/cli/closed-pipe.test.ts',
  'test/cli/crash-resume.test.ts',
  'test/cli/demo.test.ts',
  'test/cli/emulator-process.test.ts',
  'test/cli/full-disk.test.ts',
  'test/cli/launcher.test.ts',
  'test/cli/lock-lost.test.ts',
  'test/cli/no-warnings.test.ts',
  'test/cli/port-in-use.test.ts',
  'test/cli/reconcile-crash.test.ts',
  'test/cli/reconcile-e2e.test.ts',
  'test/cli/regular-files.test.ts',
  'test/cli/send-race.test.ts',
  'test/cli/webhook-process.test.ts',
  'test/reconcile/read-events.test.ts',
];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...PROCESS_TESTS, '**/node_modules/**'],
    testTimeout: 20_000,
  },
});
