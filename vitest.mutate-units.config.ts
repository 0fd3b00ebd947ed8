import { defineConfig } from 'vitest/config';
import { PROCESS_TESTS } from './vitest.mutate.config.js';

/**
 * A quicker set for a run over the critical parts alone (TESTING.md "Cost"): the unit tests of
 * the domain folders, without the in-process runs of whole commands (test/cli/, test/webhook/,
 * the emulator's), which cover nearly every line and make each surviving mutant cost minutes. A
 * mutant that survives this set may still be killed by the full one (vitest.mutate.config.ts).
 */
export default defineConfig({
  test: {
    include: ['test/campaign/**/*.test.ts', 'test/ledger/**/*.test.ts', 'test/providers/**/*.test.ts', 'test/reconcile/**/*.test.ts', 'test/fs/**/*.test.ts'],
    exclude: [...PROCESS_TESTS, '**/node_modules/**'],
    testTimeout: 20_000,
  },
});
