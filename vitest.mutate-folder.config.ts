import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { PROCESS_TESTS } from './vitest.mutate.config.js';

/**
 * The tests of a per-folder mutation run (stryker.folder.config.mjs; TESTING.md "Score by
 * folder"): for MUTATE_FOLDER=<folder>, the unit tests in test/<folder>/ and every other
 * in-process test file that imports src/<folder>/ (directly, or through a test helper that does).
 * Left out: test/process/ (they run dist/, never the mutant) and test/cli/ (whole commands run
 * through main(): they cover nearly every line of src/, so each surviving mutant would run them
 * all); and another folder's property tests (the files that use fast-check: hundreds of generated
 * cases, seconds each), which join their own folder's run only: every static mutant (a row of a
 * code table, a top-level constant) runs the whole set, and one-list-invariant.test.ts alone made
 * codes/'s set five times as long. A score measured on this set is a lower bound of the score
 * against every in-process test.
 * The set is computed when the run starts, so a new test file that imports the folder joins it.
 *
 * MUTATE_TESTS_ALSO=<folder>[,<folder>…] adds those folders' sets: for a file whose behaviour is
 * tested through another folder's module (src/fs/jsonl-appender.ts is the ledger's writer: its
 * deferred flush is tested in test/ledger/ through openLedgerWriter, which imports src/ledger/).
 *
 * MUTATE_TESTS_ONLY=<test file>[,<test file>…] runs those files instead of the set: for a file whose
 * mutants are mostly static (src/ledger/ledger-records.ts: its field rules and ISO_TIME are built
 * when the module loads, so each of its ~100 static mutants would run the whole ledger set, about
 * 40 s under Stryker on the shared machine). Fewer tests can only kill fewer mutants: a score on
 * such a set is a lower bound of the score on the folder's set.
 */
const folder = process.env.MUTATE_FOLDER;
if (folder === undefined || !/^[a-z-]+$/.test(folder)) {
  throw new Error('vitest.mutate-folder.config.ts: set MUTATE_FOLDER to a folder of src/ (e.g. MUTATE_FOLDER=codes)');
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === join('test', 'process') || path === join('test', 'cli') ? [] : walk(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const also = (process.env.MUTATE_TESTS_ALSO ?? '').split(',').filter((name) => name !== '');
if (also.some((name) => !/^[a-z-]+$/.test(name))) throw new Error('vitest.mutate-folder.config.ts: MUTATE_TESTS_ALSO is a comma-separated list of folders of src/');
const folders = [folder, ...also];

const files = walk('test');
const source = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));
const importsFolder = (text: string): boolean => folders.some((name) => text.includes(`src/${name}/`));
// Test helpers (not *.test.ts) that import the folder: a test importing one of them exercises it.
const helpers = files.filter((file) => !file.endsWith('.test.ts') && importsFolder(source.get(file)!)).map((file) => basename(file, '.ts'));
const importsHelper = (text: string): boolean => helpers.some((name) => text.includes(`/${name}.js'`));
const own = (file: string): boolean => folders.some((name) => file.startsWith(join('test', name) + '/'));
const isPropertyTest = (text: string): boolean => text.includes("from 'fast-check'");
const only = (process.env.MUTATE_TESTS_ONLY ?? '').split(',').filter((name) => name !== '');
if (only.some((name) => !files.includes(name) || !name.endsWith('.test.ts'))) throw new Error('vitest.mutate-folder.config.ts: MUTATE_TESTS_ONLY is a comma-separated list of test files (test/….test.ts)');
const tests = only.length > 0 ? only : files.filter((file) => {
  if (!file.endsWith('.test.ts')) return false;
  if (own(file)) return true;
  const text = source.get(file)!;
  return !isPropertyTest(text) && (importsFolder(text) || importsHelper(text));
});

export default defineConfig({
  test: {
    include: tests,
    exclude: [...PROCESS_TESTS, '**/node_modules/**'],
    // The same per-file setup as vitest.config.ts's in-process projects: temp dirs removed after
    // each test, and the property tests' seed (test/fast-check-seed.ts). Without the seed, a folder's
    // own property tests drew a new seed in the dry run and for every mutant, so whether a mutant
    // was killed could change from one run to the next (and the incremental file kept the draw).
    setupFiles: ['test/setup-each-file.ts', 'test/fast-check-seed.ts'],
    // Stryker's dry run instruments every line for per-test coverage, at nice 19 on a shared
    // machine: ledger.test.ts's torn tail at every byte offset took over 20 s there (14:21 UTC,
    // 2 December, load 10) and failed the dry run. A mutant's own timeout is set from the dry
    // run's times (stryker.folder.config.mjs), not from this.
    testTimeout: 60_000,
  },
});
