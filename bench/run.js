// `npm run bench`: speed and memory figures for BENCHMARKS.md. Not a test: it prints medians of
// several runs and how they compare with the goals, and never fails on a slow machine.
//
//   npm run bench                 all sections
//   BENCH_RUNS=3 npm run bench    fewer runs per figure (default 5, after one warm-up)
//   BENCH_ONLY=pacing,cpu npm run bench   some sections (validate, pacing, pacing-receiver, overhead, cpu, memory, webhook, reconcile, duckdb)
//   BENCH_SEND_RECIPIENTS=200000 npm run bench   a smaller send-memory campaign (default 1,000,000)
//   BENCH_RECONCILE_RECIPIENTS=100000 npm run bench   a smaller reconcile ledger (default 1,000,000)
//   BENCH_MEMORY_PLAIN=0 npm run bench   send memory through the launcher only (default: also without its V8 setting)
//
// Every wa-broadcast process runs through the launcher, bin/wa-broadcast.js, as users run it (it
// sets V8's young-generation growth before loading the program). The probe that records CPU time
// and peak RSS is preloaded through NODE_OPTIONS.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_SPEC, BENCH_TEMPLATES, generateCampaign } from './generate-campaign.js';
import { generateReconcile } from './generate-reconcile.js';
import { benchPacingReceiver } from './pacing.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'wa-broadcast.js');
const PROBE = path.join(ROOT, 'bench', 'peak-rss.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** The launcher without its V8 setting, to show what the setting does. */
const PLAIN = path.join(ROOT, 'bench', 'plain-launcher.js');
/** The V8 setting the launcher makes (`v8.setFlagsFromString('…')` in bin/wa-broadcast.js). */
const LAUNCHER_V8 = /setFlagsFromString\('([^']+)'\)/.exec(readFileSync(BIN, 'utf8'))?.[1] ?? '';

/** The command that starts the CLI: `launcher` as users run it, `plain` without the launcher's V8 setting. */
const cli = (args, how = 'launcher') => [process.execPath, how === 'launcher' ? BIN : PLAIN, ...args];

/** The environment of a measured process: the probe preloaded, reporting to `report`. */
const probed = (report, env = {}) => ({ ...process.env, ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${PROBE}`.trim(), WA_BENCH_REPORT: report });

/** The probe's figures: the last line written (a worker thread exiting first may write one before). */
function readReport(file) {
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  rmSync(file, { force: true });
  const last = lines.reduce((a, b) => (b.cpuMs >= a.cpuMs ? b : a));
  return { maxRssKb: Math.max(...lines.map((l) => l.maxRssKb)), cpuMs: last.cpuMs, samples: last.samples };
}

/** CPU share of one core between two wall-clock times, from the probe's samples (WA_BENCH_SAMPLE_MS). */
function windowShare(samples, from, to) {
  const inside = samples.filter(([t]) => t >= from && t <= to);
  if (inside.length < 2) throw new Error('too few CPU samples in the window');
  const [[t0, c0], [t1, c1]] = [inside[0], inside.at(-1)];
  return (c1 - c0) / 1000 / (t1 - t0);
}

/** The requests an emulator log holds between two wall-clock times: the first and the last arrival. */
function requestSpan(log, from, to) {
  const times = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => Date.parse(JSON.parse(line).at))
    .filter((t) => t >= from && t <= to);
  return { first: Math.min(...times), last: Math.max(...times), count: times.length };
}

/** The 1-minute load average, to say how busy the machine was. */
const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

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
  const [command, ...argv] = pin ? ['taskset', '-c', '0', ...cli(args)] : cli(args);
  const started = process.hrtime.bigint();
  const result = spawnSync(command, argv, { env: probed(report), stdio: ['ignore', 'ignore', 'pipe'] });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`wa-broadcast ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const { maxRssKb, cpuMs } = readReport(report);
  return { wallMs, cpuMs, rssMb: maxRssKb / 1024 };
}

/**
 * Runs a baseline script with the probe, with Node's defaults or (`asLauncher`) with the launcher's
 * V8 setting made the same way; returns its CPU share of one core.
 */
function runBaseline(script, args, asLauncher = false, env = {}) {
  const report = path.join(tmpdir(), `wa-broadcast-bench-report-${process.hrtime.bigint()}.jsonl`);
  const preload = path.join(tmpdir(), `wa-broadcast-bench-v8-${process.pid}.mjs`);
  if (asLauncher) writeFileSync(preload, `import v8 from 'node:v8';\nv8.setFlagsFromString(${JSON.stringify(LAUNCHER_V8)});\n`);
  const flags = asLauncher ? ['--import', preload] : [];
  const started = process.hrtime.bigint();
  const startedAt = Date.now();
  try {
    execFileSync(process.execPath, [...flags, path.join(ROOT, 'bench', script), ...args], { env: probed(report, env) });
  } finally {
    if (asLauncher) rmSync(preload, { force: true });
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const { cpuMs, maxRssKb, samples } = readReport(report);
  return { share: cpuMs / wallMs, cpuMs, wallMs, rssMb: maxRssKb / 1024, samples, startedAt, endedAt: Date.now() };
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

/** The emulated account's templates file in `dir` (the one template the bench sends), written once. */
function benchTemplates(dir) {
  const file = path.join(dir, 'templates.yaml');
  if (!existsSync(file)) writeFileSync(file, BENCH_TEMPLATES);
  return file;
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

/** Runs `send` (not pinned: it is measured against a server on the other core); `how`: see cli(). */
function runSend(dir, csv, spec, url, extra, how = 'launcher', env = {}) {
  const ledger = path.join(dir, `ledger-${process.hrtime.bigint()}.jsonl`);
  const report = path.join(dir, `report-${process.hrtime.bigint()}.jsonl`);
  const [command, ...argv] = cli(['send', csv, '--template', spec, '--ledger', ledger, '--yes', '--json', ...extra], how);
  const started = process.hrtime.bigint();
  const startedAt = Date.now();
  const result = spawnSync(command, argv, {
    env: probed(report, { ...SEND_ENV, WA_API_URL: url, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`send exited ${result.status}: ${result.stderr}`);
  rmSync(ledger, { force: true });
  const { maxRssKb, cpuMs, samples } = readReport(report);
  return { wallMs, cpuMs, rssMb: maxRssKb / 1024, summary: JSON.parse(result.stdout.toString()), samples, startedAt, endedAt: Date.now() };
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
      const emulator = await startServer([BIN, 'emulator', '--port', '0', '--mps', '100000', '--templates', benchTemplates(dir), '--log', log]);
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

/**
 * CPU of the send process at 1,000 MPS against an emulator answering after 150 ms, against bare
 * loops at the same rate to the same emulator, run by run (send, then each loop, then the next run):
 * the goal is a ratio measured in the same minute, since the machine may be shared. Two figures
 * for each process: its CPU share while it sends at the steady rate (from a second after its first
 * request reached the emulator to half a second before its last: what the rate costs), and its
 * whole CPU time (start-up and, for send, the validation pass and the CSV's second reading too).
 */
async function benchCpu(dir) {
  const recipients = Number(process.env.BENCH_CPU_RECIPIENTS ?? 20_000);
  const { csv, spec } = plainCampaign(dir, recipients);
  const scenario = path.join(dir, 'slow.yaml');
  writeFileSync(scenario, 'latency_ms: 150\n');
  const sampling = { WA_BENCH_SAMPLE_MS: '200' };
  const rows = [];
  for (let run = 0; run < RUNS; run++) {
    const log = path.join(dir, `cpu-${run}.jsonl`);
    const emulator = await startServer([BIN, 'emulator', '--port', '0', '--mps', '100000', '--templates', benchTemplates(dir), '--scenario', scenario, '--log', log]);
    try {
      const loadBefore = load();
      const send = runSend(dir, csv, spec, emulator.url, ['--mps', '1000'], 'launcher', sampling);
      if (send.summary.accepted !== recipients) throw new Error(`send accepted ${send.summary.accepted} of ${recipients}`);
      const target = [`${emulator.url}/v23.0/100000000000001/messages`, String(recipients), '1000'];
      const loops = { got: runBaseline('paced-got-loop.js', target, false, sampling), gotLauncher: runBaseline('paced-got-loop.js', target, true, sampling), http: runBaseline('paced-http-loop.js', target, false, sampling) };
      const steady = (p) => {
        const span = requestSpan(log, p.startedAt, p.endedAt);
        if (span.count !== recipients) throw new Error(`${span.count} requests seen for ${recipients}`);
        return { share: windowShare(p.samples, span.first + 1000, span.last - 500), rate: ((span.count - 1) * 1000) / (span.last - span.first) };
      };
      const row = { load: (loadBefore + load()) / 2 };
      for (const [name, p] of Object.entries({ send, ...loops })) {
        const { share, rate } = steady(p);
        Object.assign(row, { [`${name}Steady`]: share, [`${name}Rate`]: rate, [`${name}Cpu`]: p.cpuMs, [`${name}Wall`]: p.wallMs });
      }
      rows.push(row);
    } finally {
      await emulator.stop();
    }
  }
  const m = (key) => median(rows.map((r) => r[key]));
  const ratio = (a, b) => median(rows.map((r) => r[a] / r[b]));
  const steadyRatio = ratio('sendSteady', 'gotSteady');
  const pct = (share) => `${(share * 100).toFixed(0)} %`;
  const line = (label, name) => `| ${label} | ${pct(m(`${name}Steady`))} (${m(`${name}Rate`).toFixed(0)}/s) | ${(m(`${name}Cpu`) / 1000).toFixed(2)} s in ${(m(`${name}Wall`) / 1000).toFixed(1)} s |`;
  return [
    `### send: CPU at 1,000 MPS, 150 ms answers (${recipients.toLocaleString('en')} recipients; median of ${RUNS} runs, each run send then the loops; load average ${Math.min(...rows.map((r) => r.load)).toFixed(1)}–${Math.max(...rows.map((r) => r.load)).toFixed(1)} on ${os.cpus().length} cores)`,
    '',
    '| process | CPU share of one core while sending (achieved rate) | whole process: CPU time in wall time |',
    '| --- | --- | --- |',
    line(`\`send\` through the launcher (\`${LAUNCHER_V8}\`)`, 'send'),
    line("a bare got loop, send's got options, Node's defaults (`bench/paced-got-loop.js`)", 'got'),
    line("the same got loop with the launcher's V8 setting", 'gotLauncher'),
    line('a bare node:http loop (`bench/paced-http-loop.js`: what got itself costs is the difference)', 'http'),
    '',
    '| ratio, run by run | value | goal | met |',
    '| --- | --- | --- | --- |',
    `| send ÷ bare got loop, CPU share while sending | ${steadyRatio.toFixed(2)} | ≤ 1.3 | ${steadyRatio <= 1.3 ? 'yes' : 'no'} |`,
    `| send ÷ bare got loop with the launcher's V8 setting, while sending | ${ratio('sendSteady', 'gotLauncherSteady').toFixed(2)} | | |`,
    `| send ÷ bare got loop, whole-process CPU time | ${ratio('sendCpu', 'gotCpu').toFixed(2)} | | |`,
  ].join('\n');
}

/**
 * Peak RSS of send for a large campaign, against the bare server, unpaced: through the launcher (as
 * users run it), and as `node bin/wa-broadcast.js` (Node's defaults) unless BENCH_MEMORY_PLAIN=0.
 */
async function benchSendMemory(dir) {
  const big = Number(process.env.BENCH_SEND_RECIPIENTS ?? 1_000_000);
  const ways = process.env.BENCH_MEMORY_PLAIN === '0' ? ['launcher'] : ['launcher', 'plain'];
  const server = await startServer([path.join(ROOT, 'bench', 'bare-server.js')]);
  const results = { launcher: [], plain: [] };
  const loads = [];
  try {
    for (const size of [big / 10, big]) {
      const { csv, spec } = plainCampaign(dir, size);
      for (const how of ways) {
        loads.push(load());
        const send = runSend(dir, csv, spec, server.url, ['--mps', '1000000', '--concurrency', '64'], how);
        results[how].push({ size, rssMb: send.rssMb, seconds: send.wallMs / 1000 });
      }
      rmSync(csv);
    }
  } finally {
    await server.stop();
  }
  const [small, large] = results.launcher;
  const growth = large.rssMb / small.rssMb - 1;
  const lines = [
    `### send: memory (unpaced, 64 in flight, bare server; one run each: RSS is not noisy; load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)})`,
    '',
    `| recipients | ${small.size.toLocaleString('en')} | ${large.size.toLocaleString('en')} | goal | met |`,
    '| --- | --- | --- | --- | --- |',
    `| peak RSS, through the launcher (\`${LAUNCHER_V8}\`) | ${small.rssMb.toFixed(0)} MB | ${large.rssMb.toFixed(0)} MB | ≤ 200 MB | ${large.rssMb <= 200 ? 'yes' : 'no'} |`,
    `| growth, 10× the recipients | | ${(growth * 100).toFixed(0)} % | ≤ 15 % | ${growth <= 0.15 ? 'yes' : 'no'} |`,
    `| wall time | ${small.seconds.toFixed(0)} s | ${large.seconds.toFixed(0)} s | | |`,
  ];
  if (results.plain.length === 2) {
    const [plainSmall, plainLarge] = results.plain;
    lines.push(`| peak RSS without the launcher's V8 setting (\`bench/plain-launcher.js\`, Node's defaults) | ${plainSmall.rssMb.toFixed(0)} MB | ${plainLarge.rssMb.toFixed(0)} MB | | |`);
  }
  return lines.join('\n');
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
SECTIONS.duckdb = async (dir) => (await import('./reconcile-vs-duckdb.js')).benchReconcileVsDuckdb(dir, { probed, readReport, median, load, runs: RUNS });
SECTIONS['pacing-receiver'] = benchPacingReceiver; // bench/pacing.js: at an independent receiver, quiet and loaded, with peers' baselines
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
