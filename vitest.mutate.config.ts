import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (`npm run mutate`, stryker.config.mjs): every test
 * that runs the code in this process. Left out, the tests that run compiled code in another
 * process or thread: they load dist/, not the mutated src/ in Stryker's sandbox, so they could
 * never notice a mutant, and they are the slow part of the suite. Each one spawns
 * bin/wa-broadcast.js (or scripts/demo.js), except read-events.test.ts, whose events worker
 * thread runs dist/reconcile. A new test of that kind belongs in this list.
 */
export const PROCESS_TESTS = ['test/process/**'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...PROCESS_TESTS, '**/node_modules/**'],
    testTimeout: 20_000,
    // As vitest.config.ts's in-process projects: temp dirs removed after each test, and the
    // property tests' seed (a mutant's fate must not depend on a random draw).
    setupFiles: ['test/setup-each-file.ts', 'test/fast-check-seed.ts'],
  },
});
