#!/usr/bin/env node
// Merges the incremental files of Stryker runs made side by side on different files of one folder
// (TESTING.md "One folder at a time"): each run's file carries its own files' fresh results and
// the others' results from before, so a plain merge of the JSON conflicts and either side loses.
//
//   node scripts/merge-inc.js mutation/inc-campaign.json \
//     base.json a.json=src/campaign/pacer.ts,src/campaign/loop-stalls.ts b.json=src/campaign/x.ts
//
// The first input is the base: every source file no later input claims comes from it. A later
// input given as `report=path,path` supplies the results of those files. Test ids are per report
// (a mutant's killedBy and coveredBy name tests by a report's own numbering), so every test is
// renumbered by its file and name; a test file's entry is taken from the report whose copy of it
// equals the file in the working tree, else the last report that has it (so that an incremental
// run can tell which tests changed; not yet tried: no merged file has been a Stryker run's input).
// It writes the merged file and prints the score per source file; it runs no tests.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const [out, baseArg, ...rest] = process.argv.slice(2);
if (out === undefined || baseArg === undefined) {
  console.error('usage: node scripts/merge-inc.js <out.json> <base.json> [report.json=src/a.ts,src/b.ts ...]');
  process.exit(2);
}
const read = (path) => JSON.parse(readFileSync(path, 'utf8'));
const inputs = [{ report: read(baseArg), owns: null }];
for (const arg of rest) {
  const at = arg.indexOf('=');
  if (at < 0) {
    console.error(`merge-inc: "${arg}" names no files (report.json=src/a.ts,src/b.ts)`);
    process.exit(2);
  }
  inputs.push({ report: read(arg.slice(0, at)), owns: new Set(arg.slice(at + 1).split(',')) });
}
const current = (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

// Test files: the entry whose source is the working tree's, else the last one seen.
const testFiles = {};
const chosenFrom = {};
inputs.forEach(({ report }, index) => {
  for (const [path, entry] of Object.entries(report.testFiles ?? {})) {
    const matches = entry.source === current(path);
    if (chosenFrom[path] === undefined || matches || !chosenFrom[path].matches) {
      testFiles[path] = entry;
      chosenFrom[path] = { index, matches };
    }
  }
});
// New ids: one per (test file, test name) of the chosen entries.
const newId = new Map();
let next = 0;
const renumbered = {};
for (const [path, entry] of Object.entries(testFiles)) {
  renumbered[path] = {
    ...entry,
    tests: entry.tests.map((test) => {
      const id = String(next++);
      newId.set(`${path}\0${test.name}`, id);
      return { ...test, id };
    }),
  };
}
// Each report's old id -> new id (by file and name); a test the chosen entry lacks is dropped.
const idMaps = inputs.map(({ report }) => {
  const map = new Map();
  for (const [path, entry] of Object.entries(report.testFiles ?? {})) {
    for (const test of entry.tests) {
      const id = newId.get(`${path}\0${test.name}`);
      if (id !== undefined) map.set(test.id, id);
    }
  }
  return map;
});
const remap = (ids, map) => ids?.map((id) => map.get(id)).filter((id) => id !== undefined);

const files = {};
const owner = {};
inputs.forEach(({ report, owns }, index) => {
  for (const [path, entry] of Object.entries(report.files)) {
    if (index === 0 || owns.has(path)) {
      if (index > 0 && owner[path] > 0) {
        console.error(`merge-inc: ${path} is claimed by two reports`);
        process.exit(2);
      }
      owner[path] = index;
      files[path] = {
        ...entry,
        mutants: entry.mutants.map((mutant) => ({
          ...mutant,
          ...(mutant.killedBy ? { killedBy: remap(mutant.killedBy, idMaps[index]) } : {}),
          ...(mutant.coveredBy ? { coveredBy: remap(mutant.coveredBy, idMaps[index]) } : {}),
        })),
      };
    }
  }
});
for (const { owns } of inputs.slice(1)) {
  for (const path of owns) if (owner[path] === undefined) console.error(`merge-inc: warning: no report has ${path}`);
}
const base = inputs[0].report;
writeFileSync(out, JSON.stringify({ ...base, files, testFiles: renumbered }));

let detected = 0;
let undetected = 0;
for (const [path, entry] of Object.entries(files)) {
  const count = (status) => entry.mutants.filter((mutant) => mutant.status === status).length;
  const d = count('Killed') + count('Timeout');
  const u = count('Survived') + count('NoCoverage');
  detected += d;
  undetected += u;
  const stale = entry.source !== current(path) ? ' (source changed since: re-run it)' : '';
  console.log(`${path} ${d}/${d + u} ${d + u === 0 ? '-' : (100 * d / (d + u)).toFixed(1)} % from input ${owner[path]}${stale}`);
}
console.log(`all: ${detected}/${detected + undetected} ${(100 * detected / (detected + undetected)).toFixed(1)} %`);
