// @ts-check
/**
 * Mutation testing (`npm run mutate`; TESTING.md says how to read the result). Stryker changes
 * one thing in src/ at a time (a `<` made `<=`, a constant changed, a branch emptied) and runs
 * the in-process tests that cover it; a mutant no test notices "survives".
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  // Each mutant runs only the tests that covered it.
  coverageAnalysis: 'perTest',
  mutate: [
    'src/**/*.ts',
    // src/commands/: the CLI's wiring (flags, output, exit codes) is tested through the process
    // tests in test/process/, which run the compiled dist/ and so cannot see a mutant in Stryker's
    // sandbox; the decisions the commands make live in the domain folders, mutated here. The
    // pure parts of commands/ (progress formatting, the prompt) have their own unit tests.
    '!src/commands/**',
    // src/emulator/: a test double (the fake provider the tests and the demo send to), not
    // product behaviour; a mutant in it changes what the tests are checked against, not what a
    // user gets.
    '!src/emulator/**',
  ],
  // Incremental: a run re-tests only mutants whose code or covering tests changed since the last
  // one. The file is machine-local (kept out of git, in reports/): a fresh clone runs everything.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Two cores shared with the build and other work: one test runner by default
  // (`npm run mutate -- --concurrency 2` on an idle machine).
  concurrency: 1,
  // Slow machines: a mutant that makes a test loop is a timeout (counted as killed), not a hang.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
