import fc from 'fast-check';
import { TEST_SEED } from './seeded-random.js';

// Set up in every in-process test file (vitest.config.ts): a property test that names no seed of
// its own runs on the suite's (TEST_SEED), so that a run is repeatable; fast-check prints the seed
// and the path of a failing case, and `TEST_SEED=<n>` tries others.
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: TEST_SEED });
