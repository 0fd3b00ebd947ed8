import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { fixture, run } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';

// send against the emulator holding each sender to a strict sliding second of arrivals, both on one
// manual clock (test/manual-clock.ts): the emulator stamps each request by the clock send paces on,
// and time moves only when both are idle, so what is judged is the pacer's schedule against the
// emulator's limiter, the same on any machine. (In real time this failed now and then under load:
// a whole campaign at the exact limit, judged by one process's timers on a crowded machine. The
// receiver's side of a loaded machine is the pacer tests' simulation and the bench's, BENCHMARKS.md.)

const SPEC = `name: pacing_check
language: en_GB
category: utility
body: "Hi {{1}}"
components:
  - type: body
    parameters:
      - { type: text, text: "{{first_name}}" }
`;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function setup(emulatorMps: number, recipients: number) {
  const log: EmulatorLogEntry[] = [];
  // A settle of 2 ms of real time before each jump: the ledger's writes and the loopback requests complete first.
  const clock = new ManualClock(2);
  const emulator = await startEmulator({ port: 0, mps: emulatorMps, log: (entry) => log.push(entry), clock });
  stops.push(emulator.close);
  const rows = Array.from({ length: recipients }, (_, i) => `+4474${10_000_000 + i},yes,Ana`);
  const dir = await fixture({ 'c.csv': `phone,opt_in,first_name\n${rows.join('\n')}\n`, 's.yaml': SPEC });
  const env = { WA_API_URL: emulator.url, WA_TOKEN: 'emulator-token', WA_PHONE_NUMBER_ID: '100000000000001' };
  const send = (mps: number) => clock.run(run(['send', path.join(dir, 'c.csv'), '--template', path.join(dir, 's.yaml'), '--ledger', path.join(dir, 'l.jsonl'), '--yes', '--json', '--mps', String(mps)], env, dir, { clock }));
  return { log, send };
}

describe('pacing against the emulator’s strict arrival-time limit', () => {
  it('--mps 40 against 40 a second: every request accepted, not one throttled at the receiver', async () => {
    const { log, send } = await setup(40, 160);
    const { code, stdout } = await send(40);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ accepted: 160, throttling: null, suggested_mps: null });
    expect(summary.errors).toEqual({});
    expect(log.filter((e) => e.outcome === 'throttled')).toEqual([]);
    expect(log.filter((e) => e.outcome === 'accepted')).toHaveLength(160);
  });

  it('--mps 90 against 30 a second: finds 30/s, few throttled, every recipient sent, and says "use --mps 30"', async () => {
    const { log, send } = await setup(30, 150);
    const { code, stdout, stderr } = await send(90);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ accepted: 150, failed: 0, suggested_mps: 30, throttling: { provider_accepted_mps: 30 } });
    const throttled = log.filter((e) => e.outcome === 'throttled').length;
    expect(throttled).toBeGreaterThan(0);
    // Most are the answers to what was already on its way when the first throttling answer came
    // (a run of 5 s makes them a larger share than the bench's 40 s run: BENCHMARKS.md).
    expect(throttled / log.length).toBeLessThanOrEqual(0.1);
    expect(stderr).toContain('! the provider accepted about 30/s: use --mps 30');
  });
});
