// `npm run bench`: speed and memory figures for BENCHMARKS.md. Not a test: it prints medians of
// several runs and how they compare with the goals, and never fails on a slow machine.
//
//   npm run bench                 all sections
//   BENCH_RUNS=3 npm run bench    fewer runs per figure (default 5, after one warm-up)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_SPEC, generateCampaign } from './generate-campaign.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'wa-broadcast.js');
const PROBE = path.join(ROOT, 'bench', 'peak-rss.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function hasTaskset() {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
}
const PIN = hasTaskset();

/** Runs the CLI once, on one core when taskset is there; returns wall ms, CPU ms and peak RSS in MB. */
function runCli(args, dir) {
  const report = path.join(dir, `report-${process.hrtime.bigint()}.jsonl`);
  const node = [process.execPath, '--import', PROBE, BIN, ...args];
  const [command, ...argv] = PIN ? ['taskset', '-c', '0', ...node] : node;
  const started = process.hrtime.bigint();
  const result = spawnSync(command, argv, { env: { ...process.env, WA_BENCH_REPORT: report }, stdio: ['ignore', 'ignore', 'pipe'] });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`wa-broadcast ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const { maxRssKb, cpuMs } = JSON.parse(readFileSync(report, 'utf8'));
  return { wallMs, cpuMs, rssMb: maxRssKb / 1024 };
}

function measure(args, dir) {
  runCli(args, dir); // warm-up: file cache, compiled code cache
  const runs = Array.from({ length: RUNS }, () => runCli(args, dir));
  return {
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    rssMb: median(runs.map((r) => r.rssMb)),
    rssRange: [Math.min(...runs.map((r) => r.rssMb)), Math.max(...runs.map((r) => r.rssMb))],
  };
}

async function benchValidate(dir) {
  const spec = path.join(dir, 'spec.yaml');
  writeFileSync(spec, BENCH_SPEC);
  const sizes = [100_000, 1_000_000];
  const results = {};
  for (const rows of sizes) {
    const csv = path.join(dir, `campaign-${rows}.csv`);
    await generateCampaign(csv, rows);
    results[rows] = measure(['validate', csv, '--template', spec, '--json'], dir);
    rmSync(csv);
  }
  const big = results[1_000_000];
  const small = results[100_000];
  const rowsPerSecond = 1_000_000 / (big.wallMs / 1000);
  const growth = big.rssMb / small.rssMb - 1;
  const lines = [
    `### validate (${PIN ? 'pinned to one core with taskset -c 0' : 'not pinned: taskset missing'}; median of ${RUNS} runs after a warm-up)`,
    '',
    '| figure | 100,000 rows | 1,000,000 rows | goal | met |',
    '| --- | --- | --- | --- | --- |',
    `| wall time, whole process | ${(small.wallMs / 1000).toFixed(2)} s | ${(big.wallMs / 1000).toFixed(2)} s | | |`,
    `| CPU time (user + sys) | ${(small.cpuMs / 1000).toFixed(2)} s | ${(big.cpuMs / 1000).toFixed(2)} s | | |`,
    `| rows per second (wall) | ${Math.round(100_000 / (small.wallMs / 1000)).toLocaleString('en')} | ${Math.round(rowsPerSecond).toLocaleString('en')} | ≥ 100,000 | ${rowsPerSecond >= 100_000 ? 'yes' : 'no'} |`,
    `| peak RSS | ${small.rssMb.toFixed(0)} MB | ${big.rssMb.toFixed(0)} MB | ≤ 200 MB | ${big.rssMb <= 200 ? 'yes' : 'no'} |`,
    `| peak RSS, 1M ÷ 100k − 1 | | ${(growth * 100).toFixed(0)} % | ≤ 15 % | ${growth <= 0.15 ? 'yes' : 'no'} |`,
  ];
  return lines.join('\n');
}

const dir = mkdtempSync(path.join(tmpdir(), 'wa-broadcast-bench-'));
try {
  const cpu = execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 || true"]).toString().trim();
  console.log(`## Run of ${new Date().toISOString().slice(0, 10)} on ${cpu || 'unknown CPU'}, Node ${process.version}\n`);
  console.log(await benchValidate(dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
