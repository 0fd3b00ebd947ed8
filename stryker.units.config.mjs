// @ts-check
// `npx stryker run stryker.units.config.mjs --mutate <files>`: the base config against the unit
// tests of the domain folders only (vitest.mutate-units.config.ts), for quick runs over the
// critical parts (TESTING.md "Cost").
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default { ...base, vitest: { configFile: 'vitest.mutate-units.config.ts' }, incrementalFile: 'reports/stryker-incremental-units.json' };
