// The pacing bench (issue 15): what a provider sees, measured by an independent receiver that
// stamps each request on arrival (bench/arrival-mock.js) and throttles over its limit as the
// emulator does. For each --mps, quiet and with another process keeping a core busy: the busiest
// sliding second at the receiver, the rate from the 100th request to the 100th-last, and the
// throttling answers; then the convergence run (--mps 200 against an 80/s limit). Two peers'
// styles (bench/peer-pacing.js) run against the same receiver in the same runs, as baselines.
//
//   BENCH_ONLY=pacing-receiver npm run bench
//   BENCH_PACING_RATES=80,400 BENCH_PACING_LOAD=quiet npm run bench   some rates, one case (quiet|loaded)
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_SPEC } from './generate-campaign.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'wa-broadcast.js');
const MOCK = path.join(ROOT, 'bench', 'arrival-mock.js');
const PEERS = path.join(ROOT, 'bench', 'peer-pacing.js');
const RATES = (process.env.BENCH_PACING_RATES ?? '40,80,400,500,1000').split(',').map(Number);
const LOADS = (process.env.BENCH_PACING_LOAD ?? 'quiet,loaded').split(',');
const SEND_ENV = { WA_TOKEN: 'emulator-token', WA_PHONE_NUMBER_ID: '100000000000001' };

const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/** Starts the receiver with `env`; returns its URL and stop(), which resolves to its arrivals. */
async function startMock(log, env) {
  const child = spawn(process.execPath, [MOCK], { env: { ...process.env, ...env, ARRIVAL_LOG: log }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(String(chunk));
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the arrival mock exited ${code}`)));
  });
  const stop = async () => {
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
    const lines = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
    rmSync(log, { force: true });
    return lines.map((line) => {
      const [at, kind] = line.split(' ');
      return { at: Number(at), accepted: kind === 'a' };
    });
  };
  return { url, stop };
}

/** Another process keeping one core busy, as the "under load" asks. */
function startBurner() {
  const child = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  return () => new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });
}

function campaign(dir, rows) {
  const csv = path.join(dir, `pacing-${rows}.csv`);
  const lines = ['phone,opt_in,first_name,code'];
  for (let i = 0; i < rows; i++) lines.push(`+4474${String(10_000_000 + i)},yes,Ana,SPRING-${i}`);
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const spec = path.join(dir, 'pacing-spec.yaml');
  writeFileSync(spec, BENCH_SPEC);
  return { csv, spec };
}

/** Runs `send` (niceness 0, as a user's) against `url`; returns its --json summary. */
function runSend(dir, csv, spec, url, mps) {
  const ledger = path.join(dir, `pacing-ledger-${process.hrtime.bigint()}.jsonl`);
  const result = spawnSync('nice', ['-n', '0', process.execPath, BIN, 'send', csv, '--template', spec, '--ledger', ledger, '--yes', '--json', '--mps', String(mps)], {
    env: { ...process.env, ...SEND_ENV, WA_API_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  rmSync(ledger, { force: true });
  rmSync(`${ledger}.reserve`, { force: true });
  if (result.status !== 0) throw new Error(`send exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout.toString());
}

function runPeer(style, url, count, n) {
  const result = spawnSync('nice', ['-n', '0', process.execPath, PEERS, style, `${url}/v23.0/100000000000001/messages`, String(count), String(n)], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`peer ${style} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout.toString());
}

/** The most arrivals in any window [t, t + 1000). */
function busiestSecond(times) {
  let most = 0;
  for (let end = 0, start = 0; end < times.length; end++) {
    while (times[end] - times[start] >= 1000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** Per second, from the 100th time to the 100th-last. */
function innerRate(times) {
  const from = 99;
  const to = times.length - 100;
  if (to <= from) return NaN;
  return ((to - from) * 1000) / (times[to] - times[from]);
}

/** Seconds from the first arrival until a sliding second first held `target` accepted requests. */
function secondsTo(acceptedTimes, target) {
  for (let end = 0, start = 0; end < acceptedTimes.length; end++) {
    while (acceptedTimes[end] - acceptedTimes[start] >= 1000) start++;
    if (end - start + 1 >= target) return (acceptedTimes[end] - acceptedTimes[0]) / 1000;
  }
  return Infinity;
}

function figures(arrivals) {
  const all = arrivals.map((a) => a.at).sort((a, b) => a - b);
  const accepted = arrivals.filter((a) => a.accepted).map((a) => a.at).sort((a, b) => a - b);
  return { all, accepted, busiest: busiestSecond(all), throttled: arrivals.length - accepted.length, requests: arrivals.length };
}

/** One measured run of `what` against a fresh receiver limited to `limit`. */
async function measure(dir, limit, what) {
  const mock = await startMock(path.join(dir, `arrivals-${process.hrtime.bigint()}.txt`), { ARRIVAL_LIMIT: String(limit) });
  let extra;
  let arrivals = [];
  try {
    extra = what(mock.url);
  } finally {
    arrivals = await mock.stop();
  }
  return { ...figures(arrivals), extra };
}

const pct = (x) => (Number.isFinite(x) ? x.toFixed(3) : '–');

export async function benchPacingReceiver(dir) {
  const out = [];
  const rows = [];
  for (const load of LOADS) {
    const stopBurner = load === 'loaded' ? startBurner() : undefined;
    try {
      for (const mps of RATES) {
        const count = Math.max(600, mps * 8);
        const { csv, spec } = campaign(dir, count);
        const before = loadAverage();
        const send = await measure(dir, mps, (url) => runSend(dir, csv, spec, url, mps));
        const sleep = await measure(dir, mps, (url) => runPeer('sleep', url, count, mps));
        const plimit = await measure(dir, mps, (url) => runPeer('plimit', url, Math.max(300, mps * 3), Math.min(256, Math.max(16, Math.ceil(mps / 2)))));
        rows.push({ load, mps, send, sleep, plimit, loadAvg: (before + loadAverage()) / 2 });
        rmSync(csv, { force: true });
      }
    } finally {
      await stopBurner?.();
    }
  }
  out.push(
    `### send: pacing at the receiver (an independent receiver stamping arrivals, limited to \`--mps\` a sliding second; ${os.cpus().length} cores; the loaded runs with \`node -e 'for(;;){}'\` on a core)`,
    '',
    '| load | --mps | send: busiest second | send: rate ÷ mps (100th to 100th-last) | send: throttled | fixed sleep: busiest / rate ÷ mps / throttled | p-limit alone: busiest / throttled of requests | load average | goal met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows) {
    const rate = innerRate(r.send.all) / r.mps;
    const goal = r.load === 'quiet' ? 0.985 : 0.97;
    const met = r.send.busiest <= r.mps && r.send.throttled === 0 && rate >= goal;
    out.push(
      `| ${r.load} | ${r.mps} | ${r.send.busiest} | ${pct(rate)} | ${r.send.throttled} | ${r.sleep.busiest} / ${pct(innerRate(r.sleep.all) / r.mps)} / ${r.sleep.throttled} | ${r.plimit.busiest} / ${r.plimit.throttled} of ${r.plimit.requests} | ${r.loadAvg.toFixed(1)} | ${met ? 'yes' : 'no'} (≤ ${r.mps}, 0 throttled, ≥ ${goal}) |`,
    );
  }

  // Convergence: --mps 200 against an 80/s limit.
  out.push('', '### send: convergence, `--mps 200` against a receiver limited to 80/s', '', '| load | who | accepted rate (100th to 100th-last) | seconds to 0.9 × 80 in a sliding second | throttled ÷ requests | suggested_mps (send --json) | load average | goal met |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const load of LOADS) {
    const stopBurner = load === 'loaded' ? startBurner() : undefined;
    try {
      const count = Number(process.env.BENCH_CONVERGENCE_RECIPIENTS ?? 80 * 40);
      const { csv, spec } = campaign(dir, count);
      const before = loadAverage();
      const send = await measure(dir, 80, (url) => runSend(dir, csv, spec, url, 200));
      const sleep = await measure(dir, 80, (url) => runPeer('sleep', url, count, 200));
      const plimit = await measure(dir, 80, (url) => runPeer('plimit', url, count, 100));
      const avg = ((before + loadAverage()) / 2).toFixed(1);
      const line = (who, m, suggested, isSend = false) => {
        const rate = innerRate(m.accepted);
        const share = m.throttled / m.requests;
        const met = isSend ? `${rate >= 72 && share <= 0.05 ? 'yes' : 'no'} (≥ 72/s, ≤ 5 %)` : '';
        return `| ${load} | ${who} | ${rate.toFixed(1)}/s | ${secondsTo(m.accepted, 72).toFixed(1)} | ${(share * 100).toFixed(1)} % (${m.throttled} of ${m.requests}) | ${suggested} | ${avg} | ${met} |`;
      };
      out.push(line('`send --mps 200`', send, send.extra.suggested_mps ?? 'null', true), line('fixed sleep, 5 ms (200/s)', sleep, ''), line('p-limit alone, 100 in flight', plimit, ''));
      rmSync(csv, { force: true });
    } finally {
      await stopBurner?.();
    }
  }
  return out.join('\n');
}
