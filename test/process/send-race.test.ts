import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, startEmulator, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { parseScenario } from '../../src/emulator/scenario.js';
import { fixture } from '../helpers.js';
import { Changes } from '../changes.js';
import { BIN, spawnTracked } from './cli-process.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';

// The built launcher, as a user runs it (`npm test` builds first).
const phone = (i: number) => `+4474${String(20_000_000 + i)}`;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function campaign(recipients: number) {
  const log: EmulatorLogEntry[] = [];
  const logged = new Changes();
  // A slow answer, so that the two processes overlap.
  const emulator = await startEmulator({
    port: 0,
    mps: 5000,
    scenario: parseScenario({ latency_ms: 60 }),
    log: (entry) => {
      log.push(entry);
      logged.notify();
    },
  });
  stops.push(emulator.close);
  const rows = Array.from({ length: recipients }, (_, i) => `${phone(i)},yes,N${i}`).join('\n');
  const dir = await fixture({ 'c.csv': `phone,opt_in,name\n${rows}\n`, 's.yaml': SPEC });
  const env = { ...process.env, WA_API_URL: emulator.url, WA_TOKEN: DEFAULT_CREDENTIALS.WA_TOKEN, WA_PHONE_NUMBER_ID: DEFAULT_CREDENTIALS.WA_PHONE_NUMBER_ID };
  return { dir, env, log, logged, accepted: () => log.filter((e) => e.outcome === 'accepted').map((e) => e.to!) };
}

function send(c: Awaited<ReturnType<typeof campaign>>, mps = 20) {
  const child = spawnTracked(process.execPath, [BIN, 'send', 'c.csv', '--template', 's.yaml', '--mps', String(mps), '--yes', '--json'], { cwd: c.dir, env: c.env });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  const done = new Promise<{ pid: number; code: number | null; stderr: string; stdout: string }>((resolve) => {
    child.on('exit', (code) => resolve({ pid: child.pid!, code, stderr, stdout }));
  });
  return { pid: child.pid!, done };
}

describe('two sends on one ledger, as two real processes', () => {
  it('started together: one sends everyone once, the other is refused (exit 2, naming the pid) before it shows a plan', async () => {
    const c = await campaign(20);
    const a = send(c);
    const b = send(c);
    const results = await Promise.all([a.done, b.done]);
    // Started together, they race for the lock: the one that loses while the winner sends is refused
    // (the case this test is for). On a machine loaded enough that the loser reaches the lock only
    // after the winner is done, it finds everyone sent and sends nobody: nobody twice either way.
    const codes = results.map((r) => r.code).sort();
    if (codes[1] === 0) {
      const summaries = results.map((r) => JSON.parse(r.stdout)).sort((x, y) => y.accepted - x.accepted);
      expect(summaries).toMatchObject([{ accepted: 20 }, { accepted: 0, skipped: 20 }]);
      expect(new Set(c.accepted()).size).toBe(20);
      expect(c.accepted()).toHaveLength(20);
      return;
    }
    expect(codes, JSON.stringify(results)).toEqual([0, 2]);
    const winner = results.find((r) => r.code === 0);
    const loser = results.find((r) => r.code === 2);
    expect(loser!.stderr.trim().split('\n')).toHaveLength(1);
    expect(loser!.stderr).toContain(`pid ${winner!.pid}`);
    expect(loser!.stderr).not.toMatch(/to send:|rows:/);
    expect(loser!.stdout).toBe('');
    expect(JSON.parse(winner!.stdout)).toMatchObject({ accepted: 20 });
    const accepted = c.accepted();
    expect(accepted).toHaveLength(20);
    expect(new Set(accepted).size).toBe(20);
  }, 30_000);

  it('a second started while the first sends is refused; one started the moment the first has finished sends nobody', async () => {
    // 60 at 200/s: stopped (below) at its third answer, the first is mid-campaign for sure (the
    // other 57 take 0.28 s at least), whatever the machine's speed.
    const c = await campaign(60);
    const a = send(c, 200);
    await c.logged.until(() => c.accepted().length >= 3);
    // Stopped while the second starts (however long that takes on a loaded machine): the first
    // holds the lock mid-campaign, alive, when the second asks for it.
    process.kill(a.pid, 'SIGSTOP');
    expect(c.accepted().length).toBeLessThan(60);
    const during = await send(c).done.finally(() => process.kill(a.pid, 'SIGCONT'));
    expect(during.code, during.stderr).toBe(2);
    expect(during.stderr).toContain(`pid ${a.pid}`);
    expect(during.stderr).not.toMatch(/to send:/);
    const first = await a.done;
    expect(first.code, first.stderr).toBe(0);
    const after = await send(c).done;
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ accepted: 0, skipped: 60 });
    const accepted = c.accepted();
    expect(accepted).toHaveLength(60);
    expect(new Set(accepted).size).toBe(60);
  }, 30_000);
});
