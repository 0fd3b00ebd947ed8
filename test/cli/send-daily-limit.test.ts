import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../src/clock.js';
import { startEmulator, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { fixture, run } from '../helpers.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const CREDENTIALS = { WA_TOKEN: 'EAAtoken-SECRET-limit', WA_PHONE_NUMBER_ID: '106540352242922', D360_API_KEY: 'k', TWILIO_ACCOUNT_SID: `AC${'5'.repeat(32)}`, TWILIO_AUTH_TOKEN: 't' };
const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** The system clock with its calendar moved on by `ms` (pacing and waits stay real). */
const later = (ms: number): Clock => ({ ...systemClock, date: () => new Date(Date.now() + ms) });

describe('send --daily-limit', () => {
  it('stops cleanly at the limit, counting earlier runs of the ledger, says when the next may go, and sends the rest a day later', async () => {
    const log: EmulatorLogEntry[] = [];
    const emulator = await startEmulator({ port: 0, credentials: CREDENTIALS, log: (entry) => log.push(entry), mps: 1000 });
    stops.push(emulator.close);
    const dir = await fixture({});
    for (const file of ['campaign.csv', 'spring-sale.yaml', 'suppress.csv']) await copyFile(path.join(SAMPLES, file), path.join(dir, file));
    const env = { WA_API_URL: emulator.url, WA_TOKEN: CREDENTIALS.WA_TOKEN, WA_PHONE_NUMBER_ID: CREDENTIALS.WA_PHONE_NUMBER_ID };
    const ledger = path.join(dir, 'campaign.ledger.jsonl');
    const send = (limit: number, extra: string[] = [], clock?: Clock) =>
      run(['send', path.join(dir, 'campaign.csv'), '--template', path.join(dir, 'spring-sale.yaml'), '--suppress', path.join(dir, 'suppress.csv'), '--mps', '500', '--yes', '--daily-limit', String(limit), ...extra], env, dir, clock ? { clock } : {});

    const first = await send(5, ['--json']);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ accepted: 5, daily_limit: { limit: 5, sent_last_24h: 0, held: 7 } });
    expect(Date.parse(summary.daily_limit.next_at) - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect(log).toHaveLength(5);

    // A larger limit the same day: only the room left under it (the earlier run's 5 count).
    const second = await send(8);
    expect(second.code).toBe(0);
    expect(log).toHaveLength(8);
    expect(second.stderr).toContain('daily limit: 8 per 24 h; 5 messaged in the last 24 h; 4 held for a later run');
    expect(second.stderr).toMatch(new RegExp(`wa-broadcast: daily limit: 4 recipients wait for a later run \\(8 per 24 h, 5 messaged in the last 24 h before this run\\); the next may go at ${ISO}\\n`));

    // At the limit: one line, exit 0, nothing written.
    const before = await readFile(ledger);
    const third = await send(8);
    expect(third.code).toBe(0);
    expect(third.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${ISO} wa-broadcast: nothing sent: the daily limit is reached: 4 recipients wait for a later run \\(8 per 24 h, 8 messaged in the last 24 h before this run\\); the next may go at ${ISO}$`)),
    ]);
    expect(await readFile(ledger)).toEqual(before);
    expect(log).toHaveLength(8);

    // A day later the window is empty again: the rest go.
    const tomorrow = await send(8, ['--json'], later(25 * 3600_000));
    expect(tomorrow.code).toBe(0);
    expect(JSON.parse(tomorrow.stdout)).toMatchObject({ accepted: 4, skipped: 8, daily_limit: { sent_last_24h: 0, held: 0, next_at: null } });
    expect(new Set(log.map((entry) => entry.to)).size).toBe(12);
    expect(log).toHaveLength(12);
  });
});
