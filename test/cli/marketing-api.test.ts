import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorCredentials, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { parseScenario } from '../../src/emulator/scenario.js';
import { loadTemplateCatalog, SAMPLE_TEMPLATES_FILE } from '../../src/emulator/template-catalog.js';
import { fixture, run } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';

/*
 * The Marketing Messages API tried as a new user would: the samples, the emulator, `send`. A
 * marketing campaign to an onboarded account goes through /marketing_messages, a utility one
 * through /messages; the route is in the ledger's run record; what the account answers switches
 * the route once, or stops the campaign before a message when --marketing-api always cannot be kept.
 */

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const CREDENTIALS: EmulatorCredentials = { WA_TOKEN: 'EAAtoken-SECRET-mm-1', WA_PHONE_NUMBER_ID: '106540352242922', WA_WABA_ID: '102290129340398', D360_API_KEY: 'd360-SECRET-mm-2' };

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function setup(scenario: Record<string, unknown> = {}, category = 'marketing') {
  const log: EmulatorLogEntry[] = [];
  const emulator = await startEmulator({ port: 0, credentials: CREDENTIALS, log: (entry) => log.push(entry), mps: 1000, scenario: parseScenario({ rules: [], ...scenario }), templates: await loadTemplateCatalog(SAMPLE_TEMPLATES_FILE) });
  stops.push(emulator.close);
  const dir = await fixture({});
  await copyFile(path.join(SAMPLES, 'campaign.csv'), path.join(dir, 'campaign.csv'));
  const spec = (await readFile(path.join(SAMPLES, 'spring-sale.yaml'), 'utf8')).replace(/^category: marketing$/m, `category: ${category}`);
  await writeFile(path.join(dir, 'spring-sale.yaml'), spec);
  const env = { WA_API_URL: emulator.url, WA_TOKEN: CREDENTIALS.WA_TOKEN, WA_PHONE_NUMBER_ID: CREDENTIALS.WA_PHONE_NUMBER_ID, WA_WABA_ID: CREDENTIALS.WA_WABA_ID, D360_API_URL: emulator.url, D360_API_KEY: CREDENTIALS.D360_API_KEY };
  const args = (...extra: string[]) => ['send', path.join(dir, 'campaign.csv'), '--template', path.join(dir, 'spring-sale.yaml'), '--mps', '500', '--yes', '--json', ...extra];
  const runRecord = async () => JSON.parse((await readFile(path.join(dir, 'campaign.ledger.jsonl'), 'utf8')).split('\n')[0]!);
  const sends = () => log.filter((e) => e.outcome === 'accepted').map((e) => e.path.replace(/^\/v\d+\.\d+\/\d+/, ''));
  return { dir, env, log, args, runRecord, sends };
}

describe('send --marketing-api (SPEC "Marketing Messages API")', () => {
  it('cloud, auto: a marketing campaign to an onboarded account goes through /marketing_messages, read once, and the run record says so', async () => {
    const { env, log, args, runRecord, sends } = await setup();
    const result = await run(args(), env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 13, failed: 0 });
    expect(sends()).toEqual(new Array(13).fill('/marketing_messages'));
    expect(log.filter((e) => e.outcome === 'served')).toHaveLength(1); // the onboarding, read once
    // The route as planned is not a warning: with --json it is in the ledger's run record, not on stderr.
    expect(result.stderr).not.toMatch(/marketing messages go through/);
    expect((await runRecord()).route).toBe('marketing_messages');
    expect(result.stderr + result.stdout).not.toContain(CREDENTIALS.WA_TOKEN);
  });

  it('cloud, auto: a utility campaign goes through /messages, and the onboarding is not asked', async () => {
    const { env, log, args, runRecord, sends } = await setup({ template_categories: { spring_sale: 'utility' } }, 'utility');
    expect((await run(args(), env)).code).toBe(0);
    expect(sends()).toEqual(new Array(13).fill('/messages'));
    expect(log.filter((e) => e.outcome === 'served')).toHaveLength(0);
    expect((await runRecord()).route).toBe('messages');
  });

  it('cloud, auto, not onboarded: /messages, saying why; always: exit 3 before any message; never: /messages without asking', async () => {
    const eligible = await setup({ onboarding_status: 'ELIGIBLE' });
    const auto = await run(eligible.args(), eligible.env);
    expect(auto.code).toBe(0);
    expect(auto.stderr).toMatch(/marketing messages go through \/messages: marketing_messages_onboarding_status is ELIGIBLE/);
    expect(eligible.sends()).toEqual(new Array(13).fill('/messages'));

    const strict = await setup({ onboarding_status: 'ELIGIBLE' });
    const always = await run(strict.args('--marketing-api', 'always'), strict.env);
    expect(always.code).toBe(3);
    expect(always.stderr).toMatch(/--marketing-api always: marketing_messages_onboarding_status is ELIGIBLE, not ONBOARDED; nothing was sent/);
    expect(strict.log.filter((e) => e.outcome !== 'served')).toEqual([]);

    const never = await setup();
    expect((await run(never.args('--marketing-api', 'never'), never.env)).code).toBe(0);
    expect(never.sends()).toEqual(new Array(13).fill('/messages'));
    expect(never.log.filter((e) => e.outcome === 'served')).toHaveLength(0);
  });

  it('cloud, never, on an account that disabled marketing on Cloud API: 131063 stops the campaign naming the way out; auto without WA_WABA_ID switches once and says so', async () => {
    const disabled = await setup({ marketing_on_cloud_api: false });
    const never = await run(disabled.args('--marketing-api', 'never'), disabled.env);
    expect(never.code).toBe(3);
    expect(never.stderr).toMatch(/131063.*disable_marketing_messages_on_cloud_api/s);

    const switching = await setup({ marketing_on_cloud_api: false });
    const { WA_WABA_ID: _omitted, ...withoutWaba } = switching.env;
    // The refused first message is retried after the pair gap (6 s): on a manual clock, not in real time.
    const clock = new ManualClock(2);
    const auto = await clock.run(run(switching.args(), withoutWaba, switching.dir, { clock }));
    expect(auto.code).toBe(0);
    expect(auto.stderr).toMatch(/WA_WABA_ID is not set/);
    expect(auto.stderr.match(/switched once for this run/g)).toHaveLength(1);
    expect(JSON.parse(auto.stdout)).toMatchObject({ accepted: 13, failed: 0 });
    expect(switching.sends()).toEqual(new Array(13).fill('/marketing_messages'));
  });

  it('360dialog: auto leaves the routing to 360dialog (/messages); always sends through its /marketing_messages', async () => {
    const auto = await setup();
    expect((await run(auto.args('--provider', '360dialog'), auto.env)).code).toBe(0);
    expect(auto.sends()).toEqual(new Array(13).fill('/messages'));
    expect((await auto.runRecord()).route).toBe('messages');

    const always = await setup();
    expect((await run(always.args('--provider', '360dialog', '--marketing-api', 'always'), always.env)).code).toBe(0);
    expect(always.sends()).toEqual(new Array(13).fill('/marketing_messages'));
    expect((await always.runRecord()).route).toBe('marketing_messages');
  });
});

describe('send through Twilio', () => {
  it('without a status callback URL, warns in one line that delivery will not be seen; with one, does not', async () => {
    const credentials: EmulatorCredentials = { TWILIO_ACCOUNT_SID: `AC${'7'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'twilio-SECRET-mm-3' };
    const emulator = await startEmulator({ port: 0, credentials, mps: 1000, templates: await loadTemplateCatalog(SAMPLE_TEMPLATES_FILE) });
    stops.push(emulator.close);
    const dir = await fixture({});
    for (const file of ['campaign.csv', 'spring-sale.yaml']) await copyFile(path.join(SAMPLES, file), path.join(dir, file));
    const env = { TWILIO_API_URL: emulator.url, TWILIO_CONTENT_URL: emulator.url, TWILIO_ACCOUNT_SID: credentials.TWILIO_ACCOUNT_SID!, TWILIO_AUTH_TOKEN: credentials.TWILIO_AUTH_TOKEN!, TWILIO_FROM: '+15550001111' };
    const args = (ledger: string, ...extra: string[]) => ['send', path.join(dir, 'campaign.csv'), '--template', path.join(dir, 'spring-sale.yaml'), '--provider', 'twilio', '--ledger', path.join(dir, ledger), '--yes', '--json', '--mps', '500', ...extra];
    const without = await run(args('a.jsonl'), env);
    expect(without.code).toBe(0);
    const warnings = without.stderr.split('\n').filter((line) => /no status callback URL/.test(line));
    expect(warnings).toEqual([expect.stringMatching(/^(\S+Z wa-broadcast: )?! no status callback URL \(--status-callback or TWILIO_STATUS_CALLBACK_URL\): delivery will not be seen/)]);
    const withUrl = await run(args('b.jsonl', '--status-callback', 'https://hooks.example.com/twilio/status'), env);
    expect(withUrl.code).toBe(0);
    expect(withUrl.stderr).not.toMatch(/no status callback URL/);
  });
});
