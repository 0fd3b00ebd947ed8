import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, startEmulator, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { parseScenario } from '../../src/emulator/scenario.js';
import { metaSignature } from '../../src/providers/cloud-api/meta-signature.js';
import { Changes } from '../changes.js';
import { startCli } from './cli-process.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';

/*
 * The lock file deleted under a running process (a clean-up script, an operator), as a real
 * process sees it: its next write notices (a stat of the lock beside each write), or else its
 * heartbeat (every 5 s), and neither send nor webhook goes on as if it still held the file alone.
 */
/** Cleanup per test: the two tests run at once, so a shared list would stop the other's processes. */
type Cleanup = (stop: () => void | Promise<void>) => void;

/** A temp folder of this test's own (helpers' tempDir folders all go after any test: these two run at once). */
async function folder(cleanup: Cleanup, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wa-broadcast-test-'));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

function bin(args: string[], cwd: string, env: NodeJS.ProcessEnv, cleanup: Cleanup) {
  const cli = startCli(args, { cwd, env: { ...process.env, ...env }, onTestFinished: cleanup });
  const done = cli.exited.then(({ code }) => ({ code, stdout: cli.stdout(), stderr: cli.stderr() }));
  return { done, stderr: cli.stderr, untilStderr: cli.untilStderr };
}

const lastLine = (text: string) => text.trim().split('\n').at(-1)!;

describe.concurrent('the lock file removed under a running process', () => {
  it('send stops (exit 1) with one line saying so; every request it made is recorded, the rest not sent', async ({ onTestFinished }) => {
    const cleanup: Cleanup = (stop) => onTestFinished(stop);
    const log: EmulatorLogEntry[] = [];
    const logged = new Changes();
    const emulator = await startEmulator({ port: 0, mps: 1000, scenario: parseScenario({ latency_ms: 1 }), log: (entry) => (log.push(entry), logged.notify()) });
    cleanup(emulator.close);
    const rows = Array.from({ length: 200 }, (_, i) => `+4474006${String(i).padStart(5, '0')},yes,N${i}`).join('\n');
    const dir = await folder(cleanup, { 'c.csv': `phone,opt_in,name\n${rows}\n`, 's.yaml': SPEC });
    const env = { WA_API_URL: emulator.url, WA_TOKEN: DEFAULT_CREDENTIALS.WA_TOKEN, WA_PHONE_NUMBER_ID: DEFAULT_CREDENTIALS.WA_PHONE_NUMBER_ID };
    // 200 at 10 a second: 20 s if nothing stops it.
    const send = bin(['send', 'c.csv', '--template', 's.yaml', '--yes', '--json', '--mps', '10'], dir, env, cleanup);
    await logged.until(() => log.length > 0);
    await unlink(path.join(dir, 'c.ledger.jsonl.lock'));
    const exit = await send.done;
    expect(exit.code, exit.stderr).toBe(1);
    // One line about it (the others are the plan, the progress lines and the summary).
    expect(exit.stderr.trim().split('\n').filter((l) => l.includes('lock'))).toHaveLength(1);
    expect(exit.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(lastLine(exit.stderr)).toMatch(
      /^wa-broadcast: stopped: the lock .*c\.ledger\.jsonl\.lock was removed: another send may be writing this ledger; no new requests were made and those in flight were recorded; .* Resume with: node \S*bin\/wa-broadcast\.js send c\.csv /,
    );
    const sent = log.filter((e) => e.outcome === 'accepted').map((e) => e.to!);
    expect(sent.length).toBeLessThan(200);
    const records = (await readFile(path.join(dir, 'c.ledger.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const outcomes = new Map(records.filter((r) => r.type === 'outcome').map((r) => [r.phone, r]));
    for (const phone of sent) expect(outcomes.get(phone), phone).toMatchObject({ outcome: 'accepted' });
    for (const r of records.filter((r) => r.type === 'intent' && !sent.includes(r.phone))) expect(outcomes.get(r.phone)).toMatchObject({ outcome: 'retry', code: 'not_sent' });
    expect(JSON.parse(exit.stdout)).toMatchObject({ accepted: sent.length, in_doubt: 0, stopped: { code: 'ledger' } });
  }, 30_000);

  it('the lock removed and a second send started at once on the same ledger: nobody is sent twice', async ({ onTestFinished }) => {
    const cleanup: Cleanup = (stop) => onTestFinished(stop);
    const log: EmulatorLogEntry[] = [];
    const logged = new Changes();
    const emulator = await startEmulator({ port: 0, mps: 5000, scenario: parseScenario({ latency_ms: 1 }), log: (entry) => (log.push(entry), logged.notify()) });
    cleanup(emulator.close);
    const rows = Array.from({ length: 300 }, (_, i) => `+4474008${String(i).padStart(5, '0')},yes,N${i}`).join('\n');
    const dir = await folder(cleanup, { 'c.csv': `phone,opt_in,name\n${rows}\n`, 's.yaml': SPEC });
    const env = { WA_API_URL: emulator.url, WA_TOKEN: DEFAULT_CREDENTIALS.WA_TOKEN, WA_PHONE_NUMBER_ID: DEFAULT_CREDENTIALS.WA_PHONE_NUMBER_ID };
    const args = ['send', 'c.csv', '--template', 's.yaml', '--yes', '--json', '--mps'];
    // The first slow (300 at 20/s: 15 s if nothing stops it, so that one that went on after losing
    // its lock would still be sending while the second sends everyone it had not reached), the
    // second fast (the rest in a fraction of a second): the race needs only the first still running
    // when the second starts, however long that start takes on a loaded machine.
    const first = bin([...args, '20'], dir, env, cleanup);
    await logged.until(() => log.length >= 5);
    await unlink(path.join(dir, 'c.ledger.jsonl.lock'));
    const second = bin([...args, '1000'], dir, env, cleanup);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(a.code, a.stderr).toBe(1);
    expect(lastLine(a.stderr)).toMatch(/the lock .* (was removed|was taken over by another process): another send may be writing this ledger/);
    expect(b.code, b.stderr).toBe(0);
    const reached = log.filter((e) => e.outcome === 'accepted').map((e) => e.to!);
    expect(new Set(reached).size).toBe(reached.length);
    expect(new Set(reached).size).toBe(300);
  }, 30_000);

  it('webhook never answers 200 once it notices, and shuts down (exit 1) with one line', async ({ onTestFinished }) => {
    const cleanup: Cleanup = (stop) => onTestFinished(stop);
    const dir = await folder(cleanup);
    const secret = 'lock-lost-app-secret';
    const webhook = bin(['webhook', '--port', '0', '--events', 'events.jsonl'], dir, { WA_APP_SECRET: secret }, cleanup);
    const [, url] = await webhook.untilStderr(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const post = async (i: number) => {
      const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ id: `wamid.${i}`, status: 'delivered' }] } }] }] });
      return fetch(`${url}/webhook`, { method: 'POST', body, headers: { 'x-hub-signature-256': metaSignature(body, secret) } }).then(
        (r) => r.status,
        () => 0, // the receiver has shut down
      );
    };
    expect(await post(0)).toBe(200);
    await unlink(path.join(dir, 'events.jsonl.lock'));
    const statuses: number[] = [];
    let exited = false;
    void webhook.done.then(() => (exited = true));
    // One after another, each when the last is answered, until it has gone.
    for (let i = 1; !exited; i++) statuses.push(await post(i));
    const exit = await webhook.done;
    expect(exit.code, exit.stderr).toBe(1);
    // The first write after the removal notices it (a stat beside each write): at most that one is
    // answered 200; then 503 while it shuts down (or no answer: it is gone), never 200 again.
    const stopped = statuses.findIndex((s) => s !== 200);
    const first = stopped < 0 ? statuses.length : stopped;
    expect(first, statuses.join(' ')).toBeLessThanOrEqual(1);
    expect(statuses.slice(first), statuses.join(' ')).toEqual(statuses.slice(first).map((s) => (s === 0 ? 0 : 503)));
    const refused = statuses.filter((s) => s === 503).length;
    expect(lastLine(exit.stderr)).toMatch(
      new RegExp(`^wa-broadcast: events\\.jsonl: stopped: the lock .*events\\.jsonl\\.lock was removed: another receiver may be writing this events file; ${refused} callback\\(s\\) since were answered 503`),
    );
    expect(exit.stderr).not.toContain('events flushed');
    // Every event answered 200 is on disk (one answered 503 may be there too: written as the loss was noticed; the provider's retry is a duplicate reconcile drops).
    const saved = new Set(
      (await readFile(path.join(dir, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(JSON.parse(l).raw).entry[0].changes[0].value.statuses[0].id as string),
    );
    for (let i = 0; i <= first; i++) expect(saved.has(`wamid.${i}`), `wamid.${i}`).toBe(true);
    expect(saved.size).toBeLessThanOrEqual(1 + first + refused);
  }, 30_000);
});
