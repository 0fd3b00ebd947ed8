// The reconcile-versus-DuckDB section of `npm run bench` (issue 17): `wa-broadcast reconcile` and
// the same fold in DuckDB (bench/reconcile-duckdb.sql, 2 threads) on the same files, run by run
// (reconcile, then DuckDB, then the next run), so that a shared machine slows both alike. Both
// processes carry the probe (bench/peak-rss.js): wall time, CPU time of all threads, peak RSS.
//
//   BENCH_ONLY=duckdb npm run bench
//   BENCH_DUCKDB_SIZES=200000 BENCH_RUNS=3 BENCH_ONLY=duckdb npm run bench
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateReconcile } from './generate-reconcile.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NOW = '2026-11-18T12:00:00Z';

/** `tools`: run.js's helpers (the probe's environment, its report, median, load average, runs). */
export async function benchReconcileVsDuckdb(dir, { probed, readReport, median, load, runs }) {
  const sizes = (process.env.BENCH_DUCKDB_SIZES ?? '200000,1000000').split(',').map(Number);
  const run = (name, command, out) => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    const report = path.join(dir, `report-${name}-${process.hrtime.bigint()}.jsonl`);
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, command, { env: probed(report), stdio: ['ignore', 'ignore', 'pipe'] });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr}`);
    const { maxRssKb, cpuMs } = readReport(report);
    return { wallMs, cpuMs, rssMb: maxRssKb / 1024 };
  };
  const lines = [
    `### reconcile ÷ DuckDB, the same fold on the same files (median of ${runs} pairs after a warm-up of each; each pair: reconcile, then DuckDB; ${os.cpus().length} cores, not pinned)`,
    '',
    '| recipients / events | reconcile: wall, CPU, peak RSS | DuckDB (2 threads): wall, CPU, peak RSS | speed, reconcile ÷ DuckDB (DuckDB wall ÷ reconcile wall, pair by pair: median, and the lowest and highest pair) | CPU, DuckDB ÷ reconcile | same retry and SMS rows | load average | goal | met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const recipients of sizes) {
    const { ledger, events } = generateReconcile(dir, recipients);
    const outReconcile = path.join(dir, 'lists-reconcile');
    const outDuckdb = path.join(dir, 'lists-duckdb');
    const reconcile = () => run('reconcile', [path.join(ROOT, 'bin', 'wa-broadcast.js'), 'reconcile', '--ledger', ledger, '--events', events, '--out', outReconcile, '--now', NOW, '--json'], outReconcile);
    const duckdb = () => run('duckdb', [path.join(ROOT, 'bench', 'reconcile-duckdb.js'), ledger, events, outDuckdb, NOW], outDuckdb);
    try {
      reconcile();
      duckdb();
      const pairs = [];
      const loads = [];
      for (let i = 0; i < runs; i++) {
        loads.push(load());
        pairs.push({ reconcile: reconcile(), duckdb: duckdb() });
      }
      loads.push(load());
      const same = ['retry.csv', 'sms-fallback.csv'].every((file) => readFileSync(path.join(outReconcile, file)).equals(readFileSync(path.join(outDuckdb, file))));
      const m = (who, key) => median(pairs.map((p) => p[who][key]));
      const ratios = pairs.map((p) => p.duckdb.wallMs / p.reconcile.wallMs);
      const ratio = median(ratios);
      const cpuRatio = median(pairs.map((p) => p.duckdb.cpuMs / p.reconcile.cpuMs));
      const figures = (who) => `${(m(who, 'wallMs') / 1000).toFixed(2)} s, ${(m(who, 'cpuMs') / 1000).toFixed(2)} s, ${m(who, 'rssMb').toFixed(0)} MB`;
      const rssMax = Math.max(...pairs.map((p) => p.reconcile.rssMb));
      const goal = recipients >= 1_000_000 ? `≥ 1.0; RSS ≤ 600 MB (max ${rssMax.toFixed(0)})` : '≥ 1.0';
      const met = ratio >= 1 && (recipients < 1_000_000 || rssMax <= 600);
      lines.push(`| ${recipients.toLocaleString('en')} / ${(3 * recipients).toLocaleString('en')} | ${figures('reconcile')} | ${figures('duckdb')} | ${ratio.toFixed(2)} (pairs ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${cpuRatio.toFixed(2)} | ${same ? 'yes' : 'no'} | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} | ${goal} | ${met ? 'yes' : 'no'} |`);
    } finally {
      rmSync(ledger, { force: true });
      rmSync(events, { force: true });
    }
  }
  return lines.join('\n');
}
