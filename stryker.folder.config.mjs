// @ts-check
/**
 * One folder of src/ at a time (TESTING.md "Score by folder"):
 *
 *   MUTATE_FOLDER=codes nice -n 19 npx stryker run stryker.folder.config.mjs
 *
 * mutates src/<folder>/** against that folder's tests and the in-process tests that import it
 * (vitest.mutate-folder.config.ts), with its own incremental file, mutation/inc-<folder>.json, so
 * runs over different folders do not discard each other's results. Timeouts are short: a mutant
 * that makes a test loop is known after seconds, not minutes (a timeout counts as detected).
 */
import base from './stryker.config.mjs';

const folder = process.env.MUTATE_FOLDER;
if (folder === undefined || !/^[a-z-]+$/.test(folder)) {
  throw new Error('stryker.folder.config.mjs: set MUTATE_FOLDER to a folder of src/ (e.g. MUTATE_FOLDER=codes)');
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [`src/${folder}/**/*.ts`],
  vitest: { configFile: 'vitest.mutate-folder.config.ts' },
  // Tracked in git (mutation/, not reports/): every session so far began on a fresh checkout and
  // lost the machine-local files, so each folder was re-tested from nothing. Committed, the next
  // run of a folder re-tests only the mutants whose code or covering tests changed.
  incrementalFile: `mutation/inc-${folder}.json`,
  // The TypeScript checker (a mutant that does not compile is dropped before any test runs) was
  // the run's bottleneck, the test runner idle behind it: over tsconfig.json it type-checks test/
  // as well as src/ for every mutant. A mutant is a change to src/, and whether it compiles is a
  // question about src/: tsconfig.mutate.json is tsconfig.json over src/ alone.
  tsconfigFile: 'tsconfig.mutate.json',
  htmlReporter: { fileName: `reports/mutation-${folder}/mutation.html` },
  jsonReporter: { fileName: `reports/mutation-${folder}/mutation.json` },
  concurrency: 2,
  // A mutant is a timeout when its tests take longer than timeoutFactor times their time in the
  // dry run, plus timeoutMS. The base config's 20 s wasted minutes on each infinite loop; 5 s
  // (tried first) called dozens of mutants timeouts (so: killed) when the machine's load went from
  // 4 to 26 during a run. 10 s and twice the dry run's time hold at that load.
  timeoutMS: 10_000,
  timeoutFactor: 2,
  // Static mutants (in code run when a module loads: top-level constants, the code tables) are
  // covered by no single test, so each runs the folder's whole test set. They are tested by
  // default (codes/ is mostly tables); MUTATE_IGNORE_STATIC=1 leaves them out ("ignored", not in
  // the score) for a quick look at a folder.
  ignoreStatic: process.env.MUTATE_IGNORE_STATIC === '1',
};
