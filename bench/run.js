// `npm run bench`: speed and memory figures for BENCHMARKS.md. Not a test: it prints medians of
// several runs and how they compare with the goals, and never fails on a slow machine.
//
//   npm run bench                 all sections
//   BENCH_RUNS=3 npm run bench    fewer runs per figure (default 5, after one warm-up)
//   BENCH_ONLY=pacing,cpu npm run bench   some sections (validate, pacing, overhead, cpu, memory, webhook, reconcile)
//   BENCH_SEND_RECIPIENTS=200000 npm run bench   a smaller send-memory campaign (default 1,000,000)
//   BENCH_RECONCILE_RECIPIENTS=100000 npm run bench   a smaller reconcile ledger (default 1,000,000)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_SPEC, generateCampaign } from './generate-campaign.js';
import { generateReconcile } from './generate-reconcile.js';

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
function runCli(args, dir, pin = PIN) {
  const report = path.join(dir, `report-${process.hrtime.bigint()}.jsonl`);
  const node = [process.execPath, '--import', PROBE, BIN, ...args];
  const [command, ...argv] = pin ? ['taskset', '-c', '0', ...node] : node;
  const started = process.hrtime.bigint();
  const result = spawnSync(command, argv, { env: { ...process.env, WA_BENCH_REPORT: report }, stdio: ['ignore', 'ignore', 'pipe'] });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`wa-broadcast ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const { maxRssKb, cpuMs } = JSON.parse(readFileSync(report, 'utf8'));
  return { wallMs, cpuMs, rssMb: maxRssKb / 1024 };
}

function measure(args, dir, pin = PIN) {
  runCli(args, dir, pin); // warm-up: file cache, compiled code cache
  const runs = Array.from({ length: RUNS }, () => runCli(args, dir, pin));
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

/** Starts a helper process that prints its URL as the first thing on a line; returns it and a stop(). */
async function startServer(args, env = {}) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let text = '';
    const look = (chunk) => {
      text += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${text}`)));
  });
  return { url, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }) };
}

const SEND_ENV = { WA_TOKEN: 'emulator-token', WA_PHONE_NUMBER_ID: '100000000000001' };

/** Runs `send` (not pinned: it is measured against a server on the other core). */
function runSend(dir, csv, spec, url, extra) {
  const ledger = path.join(dir, `ledger-${process.hrtime.bigint()}.jsonl`);
  const report = path.join(dir, `report-${process.hrtime.bigint()}.jsonl`);
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--import', PROBE, BIN, 'send', csv, '--template', spec, '--ledger', ledger, '--yes', '--json', ...extra], {
    env: { ...process.env, ...SEND_ENV, WA_API_URL: url, WA_BENCH_REPORT: report },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`send exited ${result.status}: ${result.stderr}`);
  rmSync(ledger, { force: true });
  const { maxRssKb, cpuMs } = JSON.parse(readFileSync(report, 'utf8'));
  return { wallMs, cpuMs, rssMb: maxRssKb / 1024, summary: JSON.parse(result.stdout.toString()) };
}

/** A CSV of `rows` distinct, valid, consenting recipients (E.164), and a one-parameter spec. */
function plainCampaign(dir, rows) {
  const csv = path.join(dir, `plain-${rows}.csv`);
  const lines = ['phone,opt_in,first_name,code'];
  for (let i = 0; i < rows; i++) lines.push(`+4474${String(10_000_000 + i)},yes,Ana,SPRING-${i}`);
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const spec = path.join(dir, 'spec.yaml');
  writeFileSync(spec, BENCH_SPEC);
  return { csv, spec };
}

/** Achieved rate ÷ --mps, and the busiest sliding second, from the emulator's request log. */
async function benchPacing(dir) {
  const lines = ['### send: pacing against the emulator (achieved rate ÷ `--mps`; 10 s campaigns; median of 3)', '', '| --mps | achieved ÷ mps | busiest sliding second | goal | met |', '| --- | --- | --- | --- | --- |'];
  for (const mps of [80, 400, 1000]) {
    const { csv, spec } = plainCampaign(dir, mps * 10);
    const ratios = [];
    let busiest = 0;
    for (let run = 0; run < 3; run++) {
      const log = path.join(dir, `emulator-${mps}-${run}.jsonl`);
      const emulator = await startServer([BIN, 'emulator', '--port', '0', '--mps', '100000', '--log', log]);
      try {
        runSend(dir, csv, spec, emulator.url, ['--mps', String(mps)]);
      } finally {
        await emulator.stop();
      }
      const times = readFileSync(log, 'utf8').trim().split('\n').map((l) => Date.parse(JSON.parse(l).at)).sort((a, b) => a - b);
      ratios.push((times.length - 1) / ((times.at(-1) - times[0]) / 1000) / mps);
      let start = 0;
      for (let end = 0; end < times.length; end++) {
        while (times[end] - times[start] >= 1000) start++;
        busiest = Math.max(busiest, end - start + 1);
      }
    }
    const ratio = median(ratios);
    lines.push(`| ${mps} | ${ratio.toFixed(4)} | ${busiest} | ≥ 0.99, ≤ ${mps} a second | ${ratio >= 0.99 && busiest <= mps ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}

/** Unpaced send ÷ a bare got loop against the same bare server, same concurrency, same run. */
async function benchOverhead(dir) {
  const rows = 20_000;
  const { csv, spec } = plainCampaign(dir, rows);
  const server = await startServer([path.join(ROOT, 'bench', 'bare-server.js')]);
  const ratios = [];
  const sendRates = [];
  const bareRates = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const bare = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'bench', 'bare-got-loop.js'), `${server.url}/v23.0/100000000000001/messages`, String(rows), '64']).toString());
      const send = runSend(dir, csv, spec, server.url, ['--mps', '1000000', '--concurrency', '64']);
      const sendRate = send.summary.accepted / (send.wallMs / 1000);
      sendRates.push(sendRate);
      bareRates.push(bare.rate);
      ratios.push(sendRate / bare.rate);
    }
  } finally {
    await server.stop();
  }
  const ratio = median(ratios);
  return [
    `### send: unpaced cost (${rows.toLocaleString('en')} recipients, 64 in flight, median of ${RUNS} pairs)`,
    '',
    '| figure | value | goal | met |',
    '| --- | --- | --- | --- |',
    `| send, whole process incl. CSV, validation and ledger | ${Math.round(median(sendRates)).toLocaleString('en')} sends/s | | |`,
    `| bare got loop, same server | ${Math.round(median(bareRates)).toLocaleString('en')} requests/s | | |`,
    `| ratio send ÷ bare, pair by pair | ${ratio.toFixed(2)} | ≥ 0.6 | ${ratio >= 0.6 ? 'yes' : 'no'} |`,
  ].join('\n');
}

/** CPU of the send process at 1,000 MPS against an emulator answering after 150 ms. */
async function benchCpu(dir) {
  const { csv, spec } = plainCampaign(dir, 10_000);
  const scenario = path.join(dir, 'slow.yaml');
  writeFileSync(scenario, 'latency_ms: 150\n');
  const shares = [];
  const bareShares = [];
  const httpShares = [];
  for (let run = 0; run < 3; run++) {
    const emulator = await startServer([BIN, 'emulator', '--port', '0', '--mps', '100000', '--scenario', scenario, '--log', path.join(dir, 'cpu.jsonl')]);
    try {
      const send = runSend(dir, csv, spec, emulator.url, ['--mps', '1000']);
      shares.push(send.cpuMs / send.wallMs);
      for (const [loop, into] of [['paced-got-loop.js', bareShares], ['paced-http-loop.js', httpShares]]) {
        const report = path.join(dir, `bare-cpu-${loop}-${run}.jsonl`);
        const started = process.hrtime.bigint();
        execFileSync(process.execPath, ['--import', PROBE, path.join(ROOT, 'bench', loop), `${emulator.url}/v23.0/100000000000001/messages`, '10000', '1000'], { env: { ...process.env, WA_BENCH_REPORT: report } });
        const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
        into.push(JSON.parse(readFileSync(report, 'utf8')).cpuMs / wallMs);
      }
    } finally {
      await emulator.stop();
    }
  }
  const share = median(shares);
  const bare = median(bareShares);
  const bareHttp = median(httpShares);
  return [
    '### send: CPU at 1,000 MPS, 150 ms server latency (10,000 recipients, median of 3)',
    '',
    '| figure | value | goal | met |',
    '| --- | --- | --- | --- |',
    `| CPU time ÷ wall time of the send process | ${(share * 100).toFixed(0)} % of one core | ≤ 50 % | ${share <= 0.5 ? 'yes' : 'no'} |`,
    `| the same for a bare node:http loop (the client send uses) at 1,000 requests/s to the same emulator | ${(bareHttp * 100).toFixed(0)} % of one core | (the floor) | |`,
    `| the same for a bare got loop (DESIGN's pick, no longer used) | ${(bare * 100).toFixed(0)} % of one core | | |`,
  ].join('\n');
}

/** Peak RSS of send for a large campaign, against the bare server, unpaced. */
async function benchSendMemory(dir) {
  const big = Number(process.env.BENCH_SEND_RECIPIENTS ?? 1_000_000);
  const server = await startServer([path.join(ROOT, 'bench', 'bare-server.js')]);
  const rows = [];
  try {
    for (const size of [big / 10, big]) {
      const { csv, spec } = plainCampaign(dir, size);
      const send = runSend(dir, csv, spec, server.url, ['--mps', '1000000', '--concurrency', '64']);
      rows.push({ size, rssMb: send.rssMb, seconds: send.wallMs / 1000 });
      rmSync(csv);
    }
  } finally {
    await server.stop();
  }
  const [small, large] = rows;
  const growth = large.rssMb / small.rssMb - 1;
  return [
    '### send: memory (unpaced, bare server; one run each: RSS is not noisy)',
    '',
    `| recipients | ${small.size.toLocaleString('en')} | ${large.size.toLocaleString('en')} | goal | met |`,
    '| --- | --- | --- | --- | --- |',
    `| peak RSS | ${small.rssMb.toFixed(0)} MB | ${large.rssMb.toFixed(0)} MB | ≤ 200 MB | ${large.rssMb <= 200 ? 'yes' : 'no'} |`,
    `| growth, 10× the recipients | | ${(growth * 100).toFixed(0)} % | flat | |`,
    `| wall time | ${small.seconds.toFixed(0)} s | ${large.seconds.toFixed(0)} s | | |`,
  ].join('\n');
}

/** Callbacks per second into the webhook receiver, fsync on, 64 concurrent senders. */
async function benchWebhook(dir) {
  const total = 20_000;
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    const events = path.join(dir, `events-${run}.jsonl`);
    const receiver = await startServer([BIN, 'webhook', '--port', '0', '--events', events], { WA_APP_SECRET: 'bench-secret' });
    try {
      const result = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'bench', 'callback-load.js'), `${receiver.url}/webhook`, String(total), '64', 'bench-secret']).toString());
      if (result.ok !== total) throw new Error(`only ${result.ok} of ${total} callbacks answered 200`);
      rates.push(result.rate);
    } finally {
      await receiver.stop();
    }
    const lines = readFileSync(events, 'utf8').trim().split('\n').length;
    if (lines !== total) throw new Error(`${lines} events on disk for ${total} callbacks`);
  }
  const rate = median(rates);
  return [
    `### webhook: signed callbacks per second (${total.toLocaleString('en')} per run, 64 concurrent, fsync on; median of ${RUNS})`,
    '',
    '| figure | value | goal | met |',
    '| --- | --- | --- | --- |',
    `| callbacks answered 200 per second, each on disk first | ${Math.round(rate).toLocaleString('en')} | ≥ 3,000 | ${rate >= 3000 ? 'yes' : 'no'} |`,
  ].join('\n');
}

/**
 * Reconcile of a 1,000,000-recipient ledger (2,000,001 records) with 3,000,000 status events
 * (~2 GB, as webhook writes them). Not pinned: reconcile parses events on a second core by design.
 */
async function benchReconcile(dir) {
  const recipients = Number(process.env.BENCH_RECONCILE_RECIPIENTS ?? 1_000_000);
  const { ledger, events, records } = generateReconcile(dir, recipients);
  try {
    const result = measure(['reconcile', '--ledger', ledger, '--events', events, '--out', path.join(dir, 'lists'), '--now', '2026-11-18T12:00:00Z', '--json'], dir, false);
    const rate = records / (result.wallMs / 1000);
    return [
      `### reconcile: ${recipients.toLocaleString('en')} recipients, ${(3 * recipients).toLocaleString('en')} events (not pinned: events are parsed on a second core; median of ${RUNS} runs after a warm-up)`,
      '',
      '| figure | value | goal | met |',
      '| --- | --- | --- | --- |',
      `| wall time, whole process | ${(result.wallMs / 1000).toFixed(1)} s | | |`,
      `| CPU time (user + sys, both threads) | ${(result.cpuMs / 1000).toFixed(1)} s | | |`,
      `| records per second (${records.toLocaleString('en')} ledger records + events ÷ wall time) | ${Math.round(rate).toLocaleString('en')} | ≥ 200,000 | ${rate >= 200_000 ? 'yes' : 'no'} |`,
      `| peak RSS (range over runs) | ${result.rssMb.toFixed(0)} MB (${result.rssRange[0].toFixed(0)}–${result.rssRange[1].toFixed(0)}) | ≤ 600 MB | ${result.rssRange[1] <= 600 ? 'yes' : 'no'} |`,
    ].join('\n');
  } finally {
    rmSync(ledger, { force: true });
    rmSync(events, { force: true });
  }
}

const SECTIONS = { validate: benchValidate, pacing: benchPacing, overhead: benchOverhead, cpu: benchCpu, memory: benchSendMemory, webhook: benchWebhook, reconcile: benchReconcile };
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : Object.keys(SECTIONS);

const dir = mkdtempSync(path.join(tmpdir(), 'wa-broadcast-bench-'));
try {
  const cpu = execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 || true"]).toString().trim();
  console.log(`## Run of ${new Date().toISOString().slice(0, 10)} on ${cpu || 'unknown CPU'}, Node ${process.version}\n`);
  for (const name of only) {
    console.log(await SECTIONS[name](dir));
    console.log('');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
