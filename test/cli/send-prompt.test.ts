import { copyFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock, type Clock } from '../../src/clock.js';
import { startEmulator, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { fixture, run } from '../helpers.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const CREDENTIALS = { WA_TOKEN: 'EAAtoken-SECRET-prompt', WA_PHONE_NUMBER_ID: '106540352242922', D360_API_KEY: 'k', TWILIO_ACCOUNT_SID: `AC${'5'.repeat(32)}`, TWILIO_AUTH_TOKEN: 't' };

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** A terminal's input: what the person types is written to it once the question waits. */
function terminal() {
  const input = new PassThrough();
  (input as unknown as { isTTY: boolean }).isTTY = true;
  return input;
}

async function setup() {
  const log: EmulatorLogEntry[] = [];
  const emulator = await startEmulator({ port: 0, credentials: CREDENTIALS, log: (entry) => log.push(entry), mps: 1000 });
  stops.push(emulator.close);
  const dir = await fixture({});
  for (const file of ['campaign.csv', 'spring-sale.yaml']) await copyFile(path.join(SAMPLES, file), path.join(dir, file));
  const env = { WA_API_URL: emulator.url, WA_TOKEN: CREDENTIALS.WA_TOKEN, WA_PHONE_NUMBER_ID: CREDENTIALS.WA_PHONE_NUMBER_ID };
  /** Runs send at a terminal, typing `keys` when the question has been asked (or doing `act` with the input). */
  const send = async (act: (input: PassThrough) => void, flags: string[] = [], clock?: Clock) => {
    const input = terminal();
    let asked = false;
    const result = await run(['send', path.join(dir, 'campaign.csv'), '--template', path.join(dir, 'spring-sale.yaml'), ...flags], env, dir, {
      ...(clock ? { clock } : {}),
      stdinIsTTY: true,
      stdin: input,
      stderr: {
        write: (text: string) => {
          stderr += text;
          if (!asked && text.includes('[y/N]')) {
            asked = true;
            setImmediate(() => act(input));
          }
        },
      },
    });
    return { ...result, stderr };
  };
  let stderr = '';
  const files = async () => (await readdir(dir)).sort();
  return { dir, log, send, files };
}

describe('the confirmation prompt', () => {
  it.each([
    ['Ctrl-C', (input: PassThrough) => input.write('\x03')],
    ['Ctrl-D', (input: PassThrough) => input.write('\x04')],
    ['the input closing', (input: PassThrough) => input.end()],
    ['SIGINT from outside the terminal', () => process.emit('SIGINT', 'SIGINT')],
  ])('%s at the question: "cancelled: nothing was sent", exit 130, no request, nothing written', async (_name, act) => {
    const c = await setup();
    const result = await c.send(act);
    expect(result.stderr).toContain('Send 13 messages? [y/N] ');
    expect(result.stderr.endsWith('\nwa-broadcast: cancelled: nothing was sent\n')).toBe(true);
    expect(result.stderr).not.toContain('unexpected error');
    expect(result.stderr).not.toContain('stopping');
    expect(result.code).toBe(130);
    expect(result.stdout).toBe('');
    expect(c.log).toHaveLength(0);
    expect(await c.files()).toEqual(['campaign.csv', 'spring-sale.yaml']);
  });

  it('a second Ctrl-C quits at once, unless it comes within a second of the first on the clock (npx forwards the one keypress twice)', async () => {
    const c = await setup();
    let t = 0;
    const clock: Clock = { now: () => t, date: () => new Date(), sleep: systemClock.sleep };
    // Quitting at once is the process killing itself with the signal: recorded here, not done.
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    try {
      const result = await c.send(() => {
        process.emit('SIGINT', 'SIGINT');
        t += 999;
        process.emit('SIGINT', 'SIGINT'); // the same keypress, forwarded: ignored
        expect(kill).not.toHaveBeenCalled();
        t += 1;
        process.emit('SIGINT', 'SIGINT'); // a second one, a second later: quit
      }, [], clock);
      expect(kill.mock.calls).toEqual([[process.pid, 'SIGINT']]);
      expect(result.code).toBe(130);
      expect(c.log).toHaveLength(0);
    } finally {
      kill.mockRestore();
    }
  });

  it('answering no is exit 0, nothing sent, nothing written', async () => {
    const c = await setup();
    const result = await c.send((input) => input.write('n\r'));
    expect(result.code).toBe(0);
    expect(result.stderr.endsWith('cancelled: nothing was sent\n')).toBe(true);
    expect(c.log).toHaveLength(0);
    expect(await c.files()).toEqual(['campaign.csv', 'spring-sale.yaml']);
  });

  it('answering yes sends', async () => {
    const c = await setup();
    const result = await c.send((input) => input.write('yes\r'));
    expect(result.code).toBe(0);
    expect(c.log).toHaveLength(13);
  });
});
