import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, startEmulator, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { RecipientState, planResume, stateOf } from '../../src/ledger/plan-resume.js';
import { readLedger } from '../../src/ledger/read-ledger.js';
import { parseScenario } from '../../src/emulator/scenario.js';
import { collect, fixture } from '../helpers.js';
import { seededRandom } from '../seeded-random.js';
import { Changes } from '../changes.js';
import { BIN, spawnTracked, untilChanged } from './cli-process.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';

// The built launcher, as a user runs it (`npm test` builds first).

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

const phone = (i: number) => `+4474${String(10_000_000 + i)}`;

async function campaign(recipients: number, scenario = parseScenario({ latency_ms: 2 })) {
  const log: EmulatorLogEntry[] = [];
  const logged = new Changes();
  const emulator = await startEmulator({
    port: 0,
    mps: 5000,
    scenario,
    log: (entry) => {
      log.push(entry);
      logged.notify();
    },
  });
  stops.push(emulator.close);
  const rows = Array.from({ length: recipients }, (_, i) => `${phone(i)},yes,N${i}`).join('\n');
  const dir = await fixture({ 'c.csv': `phone,opt_in,name\n${rows}\n`, 's.yaml': SPEC });
  const env = {
    ...process.env,
    WA_API_URL: emulator.url,
    WA_TOKEN: DEFAULT_CREDENTIALS.WA_TOKEN,
    WA_PHONE_NUMBER_ID: DEFAULT_CREDENTIALS.WA_PHONE_NUMBER_ID,
  };
  const ledger = path.join(dir, 'c.ledger.jsonl');
  const accepted = () => log.filter((e) => e.outcome === 'accepted').length;
  return { dir, env, log, logged, accepted, ledger, csv: path.join(dir, 'c.csv'), spec: path.join(dir, 's.yaml') };
}

/**
 * Runs `send`; with `kill`, sends `signal` once the emulator has answered `afterAccepted` of this
 * run's requests (a moment in the campaign, not in time: the same on a fast or a loaded machine).
 */
function send(c: Awaited<ReturnType<typeof campaign>>, mps: number, kill?: { afterAccepted: number; signal: NodeJS.Signals }) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((resolve) => {
    const child = spawnTracked(process.execPath, [BIN, 'send', c.csv, '--template', c.spec, '--mps', String(mps), '--yes', '--json'], { cwd: c.dir, env: c.env });
    let stderr = '';
    let stdout = '';
    let exited = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    if (kill) {
      const start = c.accepted();
      void c.logged.until(() => exited || c.accepted() - start >= kill.afterAccepted).then(() => {
        if (!exited) child.kill(kill.signal);
      });
    }
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal, stderr, stdout });
    });
  });
}

describe('crash and resume', () => {
  it('kill -9 at random moments, then resume to completion: nobody is accepted twice, everybody is accounted for', async () => {
    const recipients = 600;
    // A few recipients lose their answer (the emulator accepts, then drops the connection).
    const dropped = [phone(100), phone(500)];
    const c = await campaign(recipients, parseScenario({ latency_ms: 2, rules: [{ match: dropped, outcome: 'drop' }] }));
    const random = seededRandom();
    let kills = 0;
    for (let i = 0; i < 4; i++) {
      // Anywhere in the first 150 answers of the run (at most 600 to send: every run is killed
      // mid-campaign). The moment is a count, not a time: the rate only makes the runs shorter.
      const result = await send(c, 1000, { afterAccepted: 1 + Math.floor(random() * 150), signal: 'SIGKILL' });
      if (result.signal === 'SIGKILL') kills++;
      if (result.code === 0) break;
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    let final = await send(c, 2000);
    for (let i = 0; i < 3 && final.code !== 0; i++) final = await send(c, 2000);
    expect(final.code, final.stderr).toBe(0);

    const reached = c.log.filter((e) => e.outcome === 'accepted' || e.outcome === 'dropped').map((e) => e.to);
    expect(new Set(reached).size).toBe(reached.length); // never twice
    const { recipients: states } = await planResume(readLedger(c.ledger));
    let accepted = 0;
    let inDoubt = 0;
    for (let i = 0; i < recipients; i++) {
      const state = stateOf(states.get(phone(i)));
      expect([RecipientState.Accepted, RecipientState.Failed, RecipientState.InDoubt], phone(i)).toContain(state);
      if (state === RecipientState.Accepted) accepted++;
      if (state === RecipientState.InDoubt) inDoubt++;
    }
    expect(accepted + inDoubt).toBe(recipients);
    expect(inDoubt).toBeGreaterThanOrEqual(dropped.length);
    // Everyone the ledger calls accepted really was; everyone else in doubt was sent at most once.
    expect(reached.length).toBeGreaterThanOrEqual(accepted);
    expect(reached.length).toBeLessThanOrEqual(recipients);
    // Several runs wrote to the one ledger.
    const { runs } = await planResume(readLedger(c.ledger));
    expect(runs).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('SIGTERM: in-flight requests finish, the ledger is flushed, the resume command is printed, exit 130', async () => {
    const c = await campaign(400);
    const result = await send(c, 200, { afterAccepted: 100, signal: 'SIGTERM' });
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted: the ledger is up to date; resume with: node \S*bin\/wa-broadcast\.js send .* --yes --json$/m);
    expect(JSON.parse(result.stdout)).toMatchObject({ interrupted: true });
    const records = (await collect(readLedger(c.ledger))).map((l) => l.record);
    const intents = records.filter((r) => r.type === 'intent').length;
    expect(intents).toBeGreaterThan(0);
    expect(records.filter((r) => r.type === 'outcome')).toHaveLength(intents); // none left in doubt
    const resumed = await send(c, 2000);
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary.accepted + summary.skipped).toBe(400);
    const reached = c.log.filter((e) => e.outcome === 'accepted').map((e) => e.to);
    expect(new Set(reached).size).toBe(400);
    expect(reached).toHaveLength(400);
  }, 60_000);
});

interface LedgerLines {
  intents: number;
  outcomes: number;
}

/** Intents and outcomes in the ledger now (a torn last line is not counted). */
async function counts(ledger: string): Promise<LedgerLines> {
  const text = await readFile(ledger, 'utf8').catch(() => '');
  const lines = text.split('\n').slice(0, -1);
  return { intents: lines.filter((l) => l.startsWith('{"type":"intent"')).length, outcomes: lines.filter((l) => l.startsWith('{"type":"outcome"')).length };
}

/**
 * Runs `send`, interrupts it with SIGINT once it has sent `afterAccepted` messages, then kills it
 * with -9 when `killWhen` says so of this run's ledger lines (watched, not polled): while the
 * in-flight answers come back and their outcomes are being flushed, or as the ledger is closed.
 */
function interruptThenKill(c: Awaited<ReturnType<typeof campaign>>, afterAccepted: number, killWhen: (run: LedgerLines) => boolean) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    const child = spawnTracked(process.execPath, [BIN, 'send', c.csv, '--template', c.spec, '--mps', '400', '--yes', '--json'], { cwd: c.dir, env: c.env });
    let stderr = '';
    let exited = false;
    const gone = new AbortController();
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const start = c.accepted();
    void (async () => {
      // Earlier runs' in-doubt intents have no outcome: count this run's lines only.
      const before = await counts(c.ledger);
      await c.logged.until(() => exited || c.accepted() - start >= afterAccepted);
      if (exited) return;
      child.kill('SIGINT');
      const mine = async () => {
        const now = await counts(c.ledger);
        return { intents: now.intents - before.intents, outcomes: now.outcomes - before.outcomes };
      };
      await untilChanged(c.dir, async () => killWhen(await mine()), gone.signal);
      if (!exited) child.kill('SIGKILL');
    })();
    child.on('exit', (code, signal) => {
      exited = true;
      gone.abort();
      resolve({ code, signal, stderr });
    });
  });
}

describe('kill -9 during the final flush', () => {
  it('SIGINT, then kill -9 while the last outcomes are flushed or the ledger is closed; resume: nobody accepted twice, nobody lost', async () => {
    const recipients = 1000;
    // Slow answers: after SIGINT many requests are still in flight, and their outcomes come back over 150 ms.
    const c = await campaign(recipients, parseScenario({ latency_ms: 150 }));
    const strategies: ((run: LedgerLines) => boolean)[] = [
      // While the answers come back (outcomes arriving in groups): at 400 a second and 150 ms an
      // answer, about 60 are in flight when SIGINT comes.
      (run) => run.outcomes >= run.intents - 40,
      (run) => run.outcomes >= run.intents - 20,
      // With the last few outcomes still to be written, or all written: the final flush and the close.
      (run) => run.outcomes >= run.intents - 3,
      (run) => run.outcomes >= run.intents,
    ];
    let killed = 0;
    for (const killWhen of strategies) {
      const result = await interruptThenKill(c, 60, killWhen);
      if (result.signal === 'SIGKILL') killed++;
      else expect(result.code, result.stderr).toBe(130); // it finished its flush first: a clean interrupt
    }
    expect(killed).toBeGreaterThanOrEqual(2);
    let final = await send(c, 2000);
    for (let i = 0; i < 3 && final.code !== 0; i++) final = await send(c, 2000);
    expect(final.code, final.stderr).toBe(0);

    const reached = c.log.filter((e) => e.outcome === 'accepted').map((e) => e.to!);
    expect(new Set(reached).size).toBe(reached.length); // never twice
    const { recipients: states } = await planResume(readLedger(c.ledger));
    let accepted = 0;
    for (let i = 0; i < recipients; i++) {
      const state = stateOf(states.get(phone(i)));
      // Nobody lost: accepted, or in doubt (its answer came after the last durable write).
      expect([RecipientState.Accepted, RecipientState.InDoubt], phone(i)).toContain(state);
      if (state === RecipientState.Accepted) {
        accepted++;
        expect(reached, phone(i)).toContain(phone(i));
      }
    }
    expect(accepted).toBeGreaterThan(recipients / 2);
  }, 120_000);
});
