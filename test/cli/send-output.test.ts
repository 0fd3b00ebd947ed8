import { copyFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, startEmulator, type EmulatorCredentials, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { REJECT_REASONS } from '../../src/recipients/audience.js';
import { fixture, run } from '../helpers.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const CREDENTIALS: EmulatorCredentials = { WA_TOKEN: 'EAAtoken-SECRET-output', WA_PHONE_NUMBER_ID: '106540352242922', D360_API_KEY: 'k', TWILIO_ACCOUNT_SID: `AC${'5'.repeat(32)}`, TWILIO_AUTH_TOKEN: 't' };
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z wa-broadcast: /;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function setup(credentials: EmulatorCredentials = CREDENTIALS) {
  const log: EmulatorLogEntry[] = [];
  const emulator = await startEmulator({ port: 0, credentials, log: (entry) => log.push(entry), mps: 1000 });
  stops.push(emulator.close);
  const dir = await fixture({});
  for (const file of ['campaign.csv', 'spring-sale.yaml', 'suppress.csv']) await copyFile(path.join(SAMPLES, file), path.join(dir, file));
  const env = { WA_API_URL: emulator.url, WA_TOKEN: credentials.WA_TOKEN, WA_PHONE_NUMBER_ID: credentials.WA_PHONE_NUMBER_ID };
  const csv = path.join(dir, 'campaign.csv');
  const send = (...flags: string[]) => run(['send', csv, '--template', path.join(dir, 'spring-sale.yaml'), '--suppress', path.join(dir, 'suppress.csv'), '--mps', '500', ...flags], env, dir);
  return { dir, csv, env, log, send, host: new URL(emulator.url).host, ledger: path.join(dir, 'campaign.ledger.jsonl') };
}

const lines = (text: string) => text.trimEnd().split('\n');
/** Every key of a JSON value, at any depth, except those of objects keyed by data (error codes). */
function keysOf(value: unknown, skip = new Set(['errors'])): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keysOf(item, skip));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...(skip.has(key) ? [] : keysOf(inner, skip))]);
}

describe('the confirmation says what is about to happen', () => {
  it('rows, the template and its category, where (host, phone-number id), the first message and the time it takes', async () => {
    const c = await setup();
    const result = await c.send('--yes');
    expect(result.code).toBe(0);
    const plan = lines(result.stderr).map((line) => line.replace(STAMP, ''));
    expect(plan.slice(0, 7)).toEqual([
      `${c.csv}: 20 rows, 12 sendable, 8 rejected (run validate for the reasons)`,
      'template: spring_sale (en_GB, marketing)',
      `through: cloud at ${c.host} (this machine), phone-number id 106540352242922`,
      `first message, to +447400123456 (${c.csv}:2)`,
      '  │ Hi Ana, our spring sale is on: 20% off everything until Sunday.',
      '  │ Show this code in store or use it online: SPRING-ANA',
      'to send: 12 messages at 500/s, about 0s',
    ]);
  });

  it('says "the emulator" when the credentials are its demo ones, and the real host otherwise', async () => {
    const c = await setup(DEFAULT_CREDENTIALS);
    const result = await c.send('--yes');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`through: cloud at the emulator at ${c.host} (demo credentials: nothing reaches WhatsApp), phone-number id 100000000000001\n`);

    const production = await run(['send', c.csv, '--template', path.join(c.dir, 'spring-sale.yaml'), '--dry-run', path.join(c.dir, 'r.jsonl')], { WA_TOKEN: 'EAAreal', WA_PHONE_NUMBER_ID: '123456' }, c.dir);
    expect(production.code).toBe(0);
    expect(production.stderr).toContain('through: cloud at graph.facebook.com, phone-number id 123456\n');
    const twilio = await run(
      ['send', c.csv, '--template', path.join(c.dir, 'spring-sale.yaml'), '--provider', 'twilio', '--dry-run', path.join(c.dir, 'r.jsonl')],
      { TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'x', TWILIO_FROM: '+15550001111' },
      c.dir,
    );
    expect(twilio.stderr).toContain('through: twilio at api.twilio.com, from whatsapp:+15550001111\n');
  });
});

describe('what cron sees', () => {
  it('away from a terminal every line on stderr starts with an ISO timestamp; the summary is one line', async () => {
    const c = await setup();
    const result = await c.send('--yes');
    expect(result.code).toBe(0);
    for (const line of lines(result.stderr)) expect(line).toMatch(STAMP);
    expect(lines(result.stderr).at(-1)).toMatch(new RegExp(`${STAMP.source}done: 12 accepted, 0 failed, 0 in doubt, 0 skipped, 8 rejected, 0 retries in \\d+s \\([\\d.]+/s\\); ledger: ${c.ledger}$`));
    expect(result.stdout).toContain('│ accepted');
  });

  it('--quiet: only warnings and the one summary line', async () => {
    const c = await setup();
    const result = await c.send('--yes', '--quiet');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const said = lines(result.stderr).map((line) => line.replace(STAMP, ''));
    // The warnings: the template not checked (no WA_WABA_ID here), the US number; then the summary line.
    expect(said).toHaveLength(3);
    expect(said[0]).toMatch(/^! template not checked: WA_WABA_ID is not set/);
    expect(said[1]).toMatch(/^! 1 recipient has a US \(\+1\) number/);
    expect(said[2]).toMatch(/^done: 12 accepted, /);
  });

  it('nothing to send: one line, exit 0, and the ledger is not touched', async () => {
    const c = await setup();
    expect((await c.send('--yes')).code).toBe(0);
    const before = await readFile(c.ledger);
    const files = await readdir(c.dir);
    const again = await c.send('--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(lines(again.stderr)).toEqual([expect.stringMatching(new RegExp(`${STAMP.source}nothing to send \\(12 already done, 8 rejected\\)$`))]);
    expect(await readFile(c.ledger)).toEqual(before);
    expect(await readdir(c.dir)).toEqual(files);
  });

  it('an empty CSV (a retry list with nothing to retry) says so, creates no ledger, exit 0', async () => {
    const dir = await fixture({ 'c.csv': 'phone,opt_in,first_name,discount,code\n', 't.yaml': await readFile(path.join(SAMPLES, 'spring-sale.yaml')) });
    const result = await run(['send', path.join(dir, 'c.csv'), '--template', path.join(dir, 't.yaml'), '--yes'], { WA_API_URL: 'http://127.0.0.1:9', WA_TOKEN: 't', WA_PHONE_NUMBER_ID: '1' }, dir);
    expect(result.code).toBe(0);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(new RegExp(`${STAMP.source}nothing to send \\(the CSV has no recipients\\)$`))]);
    expect((await readdir(dir)).sort()).toEqual(['c.csv', 't.yaml']);
  });

  it('a CSV with no sendable row creates no ledger', async () => {
    const dir = await fixture({ 'c.csv': 'phone,opt_in,first_name,discount,code\n+447400123456,no,Ana,20%,X\n', 't.yaml': await readFile(path.join(SAMPLES, 'spring-sale.yaml')) });
    const result = await run(['send', path.join(dir, 'c.csv'), '--template', path.join(dir, 't.yaml'), '--yes'], { WA_API_URL: 'http://127.0.0.1:9', WA_TOKEN: 't', WA_PHONE_NUMBER_ID: '1' }, dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/nothing to send \(0 already done, 1 rejected\)\n$/);
    expect((await readdir(dir)).sort()).toEqual(['c.csv', 't.yaml']);
  });
});

describe('--json', () => {
  it('stdout one object, stderr only warnings; snake_case keys; every reject reason, zeros included, the same keys every run', async () => {
    const c = await setup();
    const result = await c.send('--yes', '--json');
    expect(result.code).toBe(0);
    for (const line of lines(result.stderr)) expect(line).toMatch(new RegExp(`${STAMP.source}! `));
    const summary = JSON.parse(result.stdout);
    expect(Object.keys(summary.rejected)).toEqual([...REJECT_REASONS]);
    expect(summary.rejected).toMatchObject({ malformed_row: 0, body_too_long: 0 });
    for (const key of keysOf(summary)) expect(key).toMatch(/^[a-z][a-z0-9_]*$/);

    const validate = JSON.parse((await run(['validate', c.csv, '--template', path.join(c.dir, 'spring-sale.yaml'), '--json'])).stdout);
    for (const key of keysOf(validate, new Set(['template', 'twilio_variables']))) expect(key).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(validate.preview.twilio_variables).toEqual({ 1: 'Ana', 2: '20%', 3: 'SPRING-ANA' });
  });
});
