#!/usr/bin/env node
// Lists the mutants a folder's last Stryker run left undetected (survived, no coverage), read from
// its committed incremental file, mutation/inc-<folder>.json (TESTING.md "Score by folder"):
//
//   node scripts/survivors.js reconcile                      # every file of the folder
//   node scripts/survivors.js reconcile scan-status-facts    # files whose path contains this
//
// One line per mutant (Stryker's lines and columns are 1-based): file:line:column, status, mutator, the original code and its replacement,
// then the folder's score as the file counts it. It reads the file only; it runs nothing.
import { readFileSync } from 'node:fs';

const [folder, only = ''] = process.argv.slice(2);
if (folder === undefined || !/^[a-z-]+$/.test(folder)) {
  console.error('usage: node scripts/survivors.js <folder of src/> [part of a file path]');
  process.exit(2);
}
const inc = JSON.parse(readFileSync(`mutation/inc-${folder}.json`, 'utf8'));
const counts = {};
for (const [path, file] of Object.entries(inc.files)) {
  const lines = file.source.split('\n');
  for (const mutant of file.mutants) {
    counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
    if (!path.includes(only) || (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage')) continue;
    const { start, end } = mutant.location;
    const original = start.line === end.line
      ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
      : `${lines[start.line - 1].slice(start.column - 1)} …`;
    const clip = (text) => (text.length > 70 ? `${text.slice(0, 67)}...` : text).replace(/\s+/g, ' ');
    console.log(`${path}:${start.line}:${start.column} ${mutant.status} ${mutant.mutatorName}${mutant.static ? ' (static)' : ''}: ${clip(original)} -> ${clip(mutant.replacement ?? '')}`);
  }
}
const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
const undetected = (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
console.log(`${folder}: ${JSON.stringify(counts)}; score ${(100 * detected / (detected + undetected)).toFixed(1)} %`);
