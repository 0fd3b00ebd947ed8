import { copyFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTemplateCatalog, SAMPLE_TEMPLATES_FILE } from '../../src/emulator/template-catalog.js';
import { startEmulator, type EmulatorCredentials, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { fixture, run } from '../helpers.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

// Distinctive secrets, so any leak into an output is found by a plain search.
const CREDENTIALS: EmulatorCredentials = {
  WA_TOKEN: 'EAAtoken-SECRET-cloud-7f3a9',
  WA_PHONE_NUMBER_ID: '106540352242922',
  D360_API_KEY: 'd360-SECRET-key-55c1e',
  TWILIO_ACCOUNT_SID: `AC${'5'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'twilio-SECRET-token-0b8d',
};
const SECRETS = [CREDENTIALS.WA_TOKEN, CREDENTIALS.D360_API_KEY, CREDENTIALS.TWILIO_AUTH_TOKEN, Buffer.from(`${CREDENTIALS.TWILIO_ACCOUNT_SID}:${CREDENTIALS.TWILIO_AUTH_TOKEN}`).toString('base64')];

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function setup() {
  const log: EmulatorLogEntry[] = [];
  const emulator = await startEmulator({ port: 0, credentials: CREDENTIALS, log: (entry) => log.push(entry), mps: 1000, templates: await loadTemplateCatalog(SAMPLE_TEMPLATES_FILE) });
  stops.push(emulator.close);
  const dir = await fixture({});
  for (const file of ['campaign.csv', 'spring-sale.yaml', 'suppress.csv']) await copyFile(path.join(SAMPLES, file), path.join(dir, file));
  const env = {
    WA_API_URL: emulator.url,
    WA_TOKEN: CREDENTIALS.WA_TOKEN,
    WA_PHONE_NUMBER_ID: CREDENTIALS.WA_PHONE_NUMBER_ID,
    D360_API_URL: emulator.url,
    D360_API_KEY: CREDENTIALS.D360_API_KEY,
    TWILIO_API_URL: emulator.url,
    TWILIO_CONTENT_URL: emulator.url,
    TWILIO_ACCOUNT_SID: CREDENTIALS.TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: CREDENTIALS.TWILIO_AUTH_TOKEN,
    TWILIO_FROM: '+15550001111',
  };
  const csv = path.join(dir, 'campaign.csv');
  const args = (...extra: string[]) => ['send', csv, '--template', path.join(dir, 'spring-sale.yaml'), '--suppress', path.join(dir, 'suppress.csv'), '--mps', '500', ...extra];
  return { dir, csv, env, log, args, ledger: path.join(dir, 'campaign.ledger.jsonl') };
}

/** Every file the run left behind, and what it printed, are free of credentials. */
async function expectNoSecrets(dir: string, ...outputs: string[]) {
  const files = await Promise.all((await readdir(dir)).map((name) => readFile(path.join(dir, name), 'utf8')));
  for (const text of [...outputs, ...files]) for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('send', () => {
  it.each(['cloud', '360dialog', 'twilio'])('sends the samples through %s, records them, and a second run sends nothing', async (provider) => {
    const { dir, env, log, args, ledger } = await setup();
    const first = await run(args('--provider', provider, '--yes', '--json'), env, dir);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ accepted: 12, failed: 0, in_doubt: 0, skipped: 0, rejected: { invalid_number: 2, no_opt_in: 2, duplicate: 1, suppressed: 1, missing_variable: 1 }, errors: {}, ledger });
    expect(log.filter((e) => e.outcome === 'accepted' && e.provider === provider)).toHaveLength(12);
    const sends = () => log.filter((e) => e.outcome !== 'looked_up');
    expect(new Set(sends().map((e) => e.to)).size).toBe(12);
    // One preflight per run: 360dialog's one GET, Twilio's Content and its approval; cloud has no WA_WABA_ID here.
    expect(log.filter((e) => e.outcome === 'looked_up')).toHaveLength({ cloud: 0, '360dialog': 1, twilio: 2 }[provider]!);
    expect((await stat(ledger)).mode & 0o777).toBe(0o600);
    // --json: stderr holds only warnings (the plan's: the US number, and for cloud without WA_WABA_ID the template not
    // checked; then the setup's: Twilio here has no status callback URL), no plan, no progress, no table.
    const US = /! 1 recipient has a US \(\+1\) number/;
    const expected = { cloud: [/! template not checked: WA_WABA_ID is not set/, US], '360dialog': [US], twilio: [US, /! no status callback URL/] }[provider]!;
    expect(first.stderr.trimEnd().split('\n')).toEqual(
      expected.map((warning) => expect.stringMatching(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z wa-broadcast: ${warning.source}`))),
    );

    const again = await run(args('--provider', provider, '--yes', '--json'), env, dir);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ nothing_to_send: true, accepted: 0, skipped: 12 });
    expect(Object.keys(JSON.parse(again.stdout)).filter((key) => key !== 'nothing_to_send')).toEqual(Object.keys(summary).filter((key) => !['duration_s', 'rate'].includes(key)));
    expect(sends()).toHaveLength(12);
    await expectNoSecrets(dir, first.stdout, first.stderr, again.stdout, again.stderr);
  });

  it('refuses to send without --yes when not at a terminal, before any request', async () => {
    const { dir, env, log, args } = await setup();
    const result = await run(args(), env, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('wa-broadcast: refusing to send without confirmation: not at a terminal; pass --yes to send\n');
    expect(log).toHaveLength(0);
  });

  it('stops with exit 3 on a bad token, naming the cause and the fix, after a handful of requests', async () => {
    const { dir, env, log, args } = await setup();
    // Four in flight at most: however late the first answer comes on a loaded machine, no fifth request leaves before it.
    const result = await run(args('--yes', '--concurrency', '4'), { ...env, WA_TOKEN: 'EAAwrong-SECRET-token' }, dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/wa-broadcast: stopped: .*\(190\): create a new system-user token/);
    expect(result.stderr).toContain('resume when fixed: wa-broadcast send');
    expect(result.stderr + result.stdout).not.toContain('EAAwrong-SECRET-token');
    expect(log.length).toBeGreaterThanOrEqual(1);
    expect(log.length).toBeLessThanOrEqual(4);
  });

  it('exits 2 naming the variables when credentials are missing', async () => {
    const { dir, args } = await setup();
    const result = await run(args('--yes'), {}, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('wa-broadcast: --provider cloud needs WA_TOKEN and WA_PHONE_NUMBER_ID: set them in the environment or in .env\n');
  });

  it('reads credentials from .env, the real environment winning', async () => {
    const { dir, env, log, args } = await setup();
    await writeFile(path.join(dir, '.env'), `WA_TOKEN=${CREDENTIALS.WA_TOKEN}\nWA_PHONE_NUMBER_ID=wrong-id\n`);
    const result = await run(args('--yes', '--json'), { WA_API_URL: env.WA_API_URL, WA_PHONE_NUMBER_ID: CREDENTIALS.WA_PHONE_NUMBER_ID }, dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).accepted).toBe(12);
    expect(log).toHaveLength(12);
  });

  it('refuses a plain http:// base URL to another machine', async () => {
    const { dir, env, args } = await setup();
    const result = await run(args('--yes'), { ...env, WA_API_URL: 'http://api.example.com' }, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('WA_API_URL is plain http:// to api.example.com');
  });

  it('refuses to resume when the template changed, unless told to', async () => {
    const { dir, env, args } = await setup();
    expect((await run(args('--yes'), env, dir)).code).toBe(0);
    const spec = path.join(dir, 'spring-sale.yaml');
    await writeFile(spec, (await readFile(spec, 'utf8')).replace('until Sunday', 'until Monday'));
    const refused = await run(args('--yes'), env, dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the template spec');
    expect(refused.stderr).toContain('--allow-changed-inputs');
    expect((await run(args('--yes', '--allow-changed-inputs'), env, dir)).code).toBe(0);
  });

  it('--dry-run writes the exact requests to a 0600 file, credentials redacted, and sends nothing', async () => {
    const { dir, env, log, args } = await setup();
    const file = path.join(dir, 'requests.jsonl');
    const result = await run(args(`--dry-run=${file}`), env, dir);
    expect(result.code).toBe(0);
    expect(log).toHaveLength(0);
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(12);
    expect(lines[0]).toMatchObject({ line: 2, method: 'POST', url: `${env.WA_API_URL}/v23.0/${CREDENTIALS.WA_PHONE_NUMBER_ID}/messages`, headers: { authorization: '[redacted]' } });
    expect(JSON.parse(lines[0].body)).toMatchObject({ to: '+447400123456', template: { name: 'spring_sale' } });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await expectNoSecrets(dir, result.stdout, result.stderr);
  });

  it('--provider twilio needs a twilio block in the spec', async () => {
    const { dir, env, args } = await setup();
    const spec = path.join(dir, 'spring-sale.yaml');
    const text = await readFile(spec, 'utf8');
    await writeFile(spec, text.slice(0, text.indexOf('# For --provider twilio')));
    const result = await run(args('--provider', 'twilio', '--yes'), env, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('needs a twilio block');
  });

  it('rejects an unknown provider', async () => {
    const { dir, env, args } = await setup();
    const result = await run(args('--provider', 'sms', '--yes'), env, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("argument 'sms' is invalid");
  });
});
