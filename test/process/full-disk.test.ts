import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, startEmulator, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { parseScenario } from '../../src/emulator/scenario.js';
import { RecipientState, planResume, stateOf } from '../../src/ledger/plan-resume.js';
import { readLedger } from '../../src/ledger/read-ledger.js';
import { metaSignature } from '../../src/providers/cloud-api/meta-signature.js';
import { fixture, tempDir } from '../helpers.js';
import { BIN, spawnTracked } from './cli-process.js';
import { intent, jsonl, outcome, runRecord } from '../reconcile/events.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';

/*
 * A real disk that runs out, without root or a tmpfs: the process runs under a file-size limit
 * (`ulimit -f`; Node ignores SIGXFSZ). As on a full disk, the kernel's write(2) first writes what
 * fits and returns a short count without an error, then fails (EFBIG). The limit is in blocks of
 * 512 bytes (POSIX sh; 1024 for bash as sh): the tests need only "much less than the whole".
 */

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin, under a file-size limit of `blocks` when given. */
function bin(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; blocks?: number }) {
  const child =
    options.blocks === undefined
      ? spawnTracked(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env ?? process.env })
      : spawnTracked('/bin/sh', ['-c', 'ulimit -f "$0" && exec "$@"', String(options.blocks), process.execPath, BIN, ...args], { cwd: options.cwd, env: options.env ?? process.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const done = new Promise<Exit>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

const lastLine = (text: string) => text.trim().split('\n').at(-1)!;

describe('send on a full disk (a real short write under a file-size limit)', () => {
  it('stops with exit 1 saying no request left without its intent, leaves no partial line, and resume sends nobody twice', async () => {
    const recipients = 60;
    const phone = (i: number) => `+4474${String(30_000_000 + i)}`;
    const log: EmulatorLogEntry[] = [];
    const emulator = await startEmulator({ port: 0, mps: 5000, scenario: parseScenario({ latency_ms: 1 }), log: (entry) => log.push(entry) });
    stops.push(emulator.close);
    const rows = Array.from({ length: recipients }, (_, i) => `${phone(i)},yes,N${i}`).join('\n');
    const dir = await fixture({ 'c.csv': `phone,opt_in,name\n${rows}\n`, 's.yaml': SPEC });
    const env = { ...process.env, WA_API_URL: emulator.url, WA_TOKEN: DEFAULT_CREDENTIALS.WA_TOKEN, WA_PHONE_NUMBER_ID: DEFAULT_CREDENTIALS.WA_PHONE_NUMBER_ID };
    const args = ['send', 'c.csv', '--template', 's.yaml', '--mps', '500', '--yes', '--json'];

    const full = await bin(args, { cwd: dir, env, blocks: 16 }).done;
    expect(full.code, full.stderr).toBe(1);
    const ledger = await readFile(path.join(dir, 'c.ledger.jsonl'), 'utf8');
    expect(ledger.endsWith('\n')).toBe(true); // cut back to the last whole line
    const intents = new Set(ledger.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'intent').map((r) => r.phone));
    const reachedFirst = log.filter((e) => e.outcome === 'accepted').map((e) => e.to!);
    expect(reachedFirst.length).toBeGreaterThan(0);
    expect(reachedFirst.length).toBeLessThan(recipients);
    for (const to of reachedFirst) expect(intents.has(to), `${to} was sent without a whole intent`).toBe(true);
    expect(lastLine(full.stderr)).toMatch(/^wa-broadcast: stopped: cannot write c\.ledger\.jsonl: file too large \(EFBIG\); .*no request left without its intent on disk.* Resume with: node \S*bin\/wa-broadcast\.js send /);
    const summary = JSON.parse(full.stdout);
    expect(summary.stopped).toMatchObject({ code: 'ledger' });
    // The summary is true to the ledger: what it shows in doubt (an intent alone) is what it counts in doubt.
    const records = ledger.trim().split('\n').map((l) => JSON.parse(l));
    const answered = new Set(records.filter((r) => r.type === 'outcome').map((r) => r.cid));
    const alone = records.filter((r) => r.type === 'intent' && !answered.has(r.cid)).length;
    expect(summary.in_doubt).toBe(alone + records.filter((r) => r.type === 'outcome' && r.outcome === 'in_doubt').length);
    if (summary.in_doubt > 0) expect(lastLine(full.stderr)).toContain(`${summary.in_doubt} send(s) of this run are in doubt`);

    // Space is back.
    const resumed = await bin(args, { cwd: dir, env }).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const reached = log.filter((e) => e.outcome === 'accepted').map((e) => e.to!);
    expect(new Set(reached).size).toBe(reached.length); // nobody twice
    const { recipients: states } = await planResume(readLedger(path.join(dir, 'c.ledger.jsonl')));
    for (let i = 0; i < recipients; i++) {
      expect([RecipientState.Accepted, RecipientState.InDoubt], phone(i)).toContain(stateOf(states.get(phone(i))));
    }
  }, 30_000);
});

describe('webhook on a full disk', () => {
  it('answers 200 only for events wholly on disk and 503 for the rest; SIGTERM says what was not saved, exit 1', async () => {
    const dir = await tempDir();
    const secret = 'full-disk-app-secret';
    const { child, done } = bin(['webhook', '--port', '0', '--events', 'events.jsonl'], { cwd: dir, env: { ...process.env, WA_APP_SECRET: secret }, blocks: 8 });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ id: `wamid.${i}`, status: 'delivered', note: 'x'.repeat(150) }] } }] }] });
      statuses.push(await fetch(`${url}/webhook`, { method: 'POST', body, headers: { 'x-hub-signature-256': metaSignature(body, secret) } }).then((r) => r.status));
    }
    const saved = statuses.filter((s) => s === 200).length;
    expect(saved).toBeGreaterThan(0);
    expect(saved).toBeLessThan(60);
    // Once full, every answer is 503: 200s, then 503s only.
    expect(statuses).toEqual([...Array(saved).fill(200), ...Array(60 - saved).fill(503)]);
    const text = await readFile(path.join(dir, 'events.jsonl'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(saved);
    expect(lines.map((l) => JSON.parse(l.raw).entry[0].changes[0].value.statuses[0].id)).toEqual(Array.from({ length: saved }, (_, i) => `wamid.${i}`));

    child.kill('SIGTERM');
    const exit = await done;
    expect(exit.code).toBe(1);
    expect(exit.stderr).not.toContain('events flushed');
    expect(lastLine(exit.stderr)).toBe(
      `wa-broadcast: events.jsonl: not flushed: the last write failed with file too large (EFBIG); ${60 - saved === 1 ? '1 callback' : `${60 - saved} callbacks`} since the last saved one ${60 - saved === 1 ? 'was' : 'were'} answered 503 and not saved, so the provider sends them again`,
    );
  }, 30_000);
});

describe('reconcile on a full disk', () => {
  it('exit 1 naming the file, every old list and summary.json byte for byte, no temp files left', async () => {
    const records = (n: number) => [
      runRecord(),
      ...Array.from({ length: n }, (_, i) => {
        const phone = `+4474${String(40_000_000 + i)}`;
        return [intent(phone, `c${i}`, 1, { phone, opt_in: 'yes', name: `Name ${i} with some padding` }), outcome(phone, `c${i}`, 'failed', '131026', 'sms_fallback')];
      }).flat(),
    ];
    const dir = await fixture({ 'l.jsonl': jsonl(records(10)) });
    const args = ['reconcile', '--ledger', 'l.jsonl', '--out', 'lists', '--now', '2026-11-20T00:00:00Z'];
    const first = await bin(args, { cwd: dir }).done;
    expect(first.code, first.stderr).toBe(0);
    const names = (await readdir(path.join(dir, 'lists'))).sort();
    const before = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await readFile(path.join(dir, 'lists', name), 'utf8')] as const)));
    expect(before['sms-fallback.csv']!.trim().split('\n')).toHaveLength(11);

    // The campaign grew: its SMS-fallback list no longer fits.
    await writeFile(path.join(dir, 'l.jsonl'), jsonl(records(400)));
    const full = await bin(args, { cwd: dir, blocks: 16 }).done;
    expect(full.code).toBe(1);
    expect(full.stderr.trim().split('\n')).toHaveLength(1);
    expect(full.stderr).toMatch(/^wa-broadcast: lists\/sms-fallback\.csv: could not be written: file too large \(EFBIG\); no file was replaced\n$/);
    expect((await readdir(path.join(dir, 'lists'))).sort()).toEqual(names); // no temp files left
    for (const name of names) expect(await readFile(path.join(dir, 'lists', name), 'utf8'), name).toBe(before[name]);
  }, 30_000);
});
