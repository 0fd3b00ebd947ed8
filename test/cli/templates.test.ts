import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, emulatorEnv, startEmulator, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { loadTemplateCatalog, SAMPLE_TEMPLATES_FILE } from '../../src/emulator/template-catalog.js';
import { fixture, run } from '../helpers.js';

/*
 * The preflight, `templates`, `templates pull` and `validate --online` as a new user meets them,
 * against the emulator holding samples/templates.yaml, through each provider.
 */

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function setup(options: { templates?: boolean } = {}) {
  const log: EmulatorLogEntry[] = [];
  const emulator = await startEmulator({ port: 0, mps: 1000, log: (entry) => log.push(entry), ...(options.templates === false ? {} : { templates: await loadTemplateCatalog(SAMPLE_TEMPLATES_FILE) }) });
  stops.push(emulator.close);
  const dir = await fixture({});
  for (const file of ['campaign.csv', 'spring-sale.yaml']) await copyFile(path.join(SAMPLES, file), path.join(dir, file));
  const env = emulatorEnv(emulator.url);
  const sends = () => log.filter((entry) => entry.outcome !== 'looked_up' && entry.outcome !== 'served' && entry.outcome !== 'refused');
  return { dir, env, log, sends, csv: path.join(dir, 'campaign.csv') };
}

const PROVIDERS = ['cloud', '360dialog', 'twilio'] as const;

describe('the preflight in send', () => {
  it.each(PROVIDERS)('%s: a paused template stops before any message request, exit 3, naming it, its language and status', async (provider) => {
    const { dir, env, sends, csv } = await setup();
    const spec = (await readFile(path.join(dir, 'spring-sale.yaml'), 'utf8')).replace('name: spring_sale', 'name: winter_sale').replace('HX0123456789abcdef0123456789abcdef', 'HX2123456789abcdef0123456789abcdef');
    await writeFile(path.join(dir, 'winter.yaml'), spec);
    const result = await run(['send', csv, '--template', path.join(dir, 'winter.yaml'), '--provider', provider, '--yes'], env, dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^wa-broadcast: template winter_sale \(en_GB\) is PAUSED in (WABA 100000000000002|360dialog|Twilio Content): nothing was sent\. Meta paused it for low quality/m);
    expect(sends()).toEqual([]);
    expect(result.stderr).not.toMatch(/to send:/);
  });

  it.each(PROVIDERS)('%s: a spec missing a body parameter is refused, exit 2, naming the component, before any message', async (provider) => {
    const { dir, env, sends, csv } = await setup();
    const text = await readFile(path.join(dir, 'spring-sale.yaml'), 'utf8');
    const short = text.replace('      - type: text\n        text: "{{code}}"\n', '').replace('  Show this code in store or use it online: {{3}}\n', '').replace('    "3": "{{code}}"\n', '');
    await writeFile(path.join(dir, 'short.yaml'), short);
    const result = await run(['send', csv, '--template', path.join(dir, 'short.yaml'), '--provider', provider, '--yes'], env, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      provider === 'twilio'
        ? /short\.yaml:\d+: the spec does not fit spring_sale \(en_GB\) as Twilio Content has it: twilio\.variables: the Content template has \{\{3\}\} \(sample "SPRING-ANA"\), which the spec does not set/
        : /short\.yaml:18: the spec does not fit spring_sale \(en_GB\) as .* has it: body: the template's body has 3 parameters \(\{\{1\}\}, \{\{2\}\}, \{\{3\}\}\); the spec gives 2 \(Meta answers 132000\)\n$/,
    );
    expect(sends()).toEqual([]);
  });

  it('says in one line that the template was not checked without WA_WABA_ID, and sends', async () => {
    const { dir, env, sends, csv } = await setup();
    const { WA_WABA_ID: _waba, ...withoutWaba } = env;
    const result = await run(['send', csv, '--template', path.join(dir, 'spring-sale.yaml'), '--yes', '--json'], withoutWaba, dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('! template not checked: WA_WABA_ID is not set: set WA_WABA_ID to the WhatsApp Business Account id');
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 13, template_check: { checked: false, reason: expect.stringMatching(/^WA_WABA_ID is not set/) } });
    expect(sends()).toHaveLength(13);
  });

  it('a look-up that fails is exit 3 with the provider’s answer and --no-preflight; with it, the campaign is sent unchecked', async () => {
    const { dir, env, sends, csv } = await setup({ templates: false });
    const args = ['send', csv, '--template', path.join(dir, 'spring-sale.yaml'), '--yes', '--json'];
    const refused = await run(args, env, dir);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^(marketing messages go through the Marketing Messages API \(\/marketing_messages\): the account is onboarded\n)?wa-broadcast: the template look-up \(Cloud API\) \(GET http:\/\/127\.0\.0\.1:\d+\/v23\.0\/100000000000002\/message_templates\) answered HTTP 404: no emulated API at \/v23\.0\/100000000000002\/message_templates; check WA_WABA_ID .*; or send with --no-preflight to skip the check\n$/);
    expect(refused.stderr).not.toContain(DEFAULT_CREDENTIALS.WA_TOKEN);
    expect(sends()).toEqual([]);
    const unchecked = await run([...args, '--no-preflight'], env, dir);
    expect(unchecked.code).toBe(0);
    expect(JSON.parse(unchecked.stdout)).toMatchObject({ accepted: 13, template_check: { checked: false, reason: 'skipped (--no-preflight)' } });
  });

  it('a fitting template: the plan says what the account holds, --json carries it', async () => {
    const first = await setup();
    const shown = await run(['send', first.csv, '--template', path.join(first.dir, 'spring-sale.yaml'), '--yes'], first.env, first.dir);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain('template: spring_sale (en_GB) is approved in WABA 100000000000002, marketing, quality high, positional parameters');
    // A second account (emulator) for the --json run: the same 13 people again on the first would
    // meet the pair rate limit (one message a pair every 6 s) and wait it out in real time.
    const { dir, env, csv } = await setup();
    const result = await run(['send', csv, '--template', path.join(dir, 'spring-sale.yaml'), '--yes', '--json'], env, dir);
    expect(result.code).toBe(0);
    // With --json the finding is in the object; stderr keeps only warnings.
    expect(result.stderr).not.toContain('is approved in');
    expect(JSON.parse(result.stdout).template_check).toEqual({ checked: true, name: 'spring_sale', language: 'en_GB', status: 'APPROVED', category: 'MARKETING', quality: 'GREEN', parameter_format: 'positional', ttl_seconds: null, warnings: [] });
  });
});

describe('templates pull → validate → send', () => {
  it.each(PROVIDERS)('%s: a positional template: the pulled spec validates and sends as it is', async (provider) => {
    const { dir, env, sends } = await setup();
    const spec = path.join(dir, 'pulled.yaml');
    const pulled = await run(['templates', 'pull', 'spring_sale', '--language', 'en_GB', '--provider', provider, '--out', spec], env, dir);
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toContain(`wrote ${spec}: spring_sale (en_GB)`);
    const text = await readFile(spec, 'utf8');
    expect(text).toContain('"{{var1}}"   # approved example: "Ana"');
    await writeFile(path.join(dir, 'c.csv'), 'phone,opt_in,var1,var2,var3\n+447400123456,yes,Ana,20%,SPRING-ANA\n+447400123457,yes,Ben,15%,SPRING-BEN\n');
    const validated = await run(['validate', path.join(dir, 'c.csv'), '--template', spec, '--online', '--provider', provider, '--json'], env, dir);
    expect(validated.code).toBe(0);
    expect(JSON.parse(validated.stdout)).toMatchObject({ sendable: 2, template_check: { checked: true, status: 'APPROVED' } });
    const sent = await run(['send', path.join(dir, 'c.csv'), '--template', spec, '--provider', provider, '--yes', '--json'], env, dir);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ accepted: 2, failed: 0 });
    expect(sends().map((e) => e.outcome)).toEqual(['accepted', 'accepted']);
  });

  it('a named template: parameter_name on every body parameter, accepted by the enforcing emulator; its TTL in the run record', async () => {
    const { dir, env, sends } = await setup();
    const spec = path.join(dir, 'order.yaml');
    expect((await run(['templates', 'pull', 'order_ready', '--language', 'en_GB', '--out', spec], env, dir)).code).toBe(0);
    await writeFile(path.join(dir, 'c.csv'), 'phone,opt_in,first_name,order_number,store,button0_url\n+447400123456,yes,Ana,A-1042,Soho,A-1042\n');
    const dryRun = path.join(dir, 'requests.jsonl');
    expect((await run(['send', path.join(dir, 'c.csv'), '--template', spec, '--dry-run', dryRun], env, dir)).code).toBe(0);
    const body = JSON.parse(JSON.parse((await readFile(dryRun, 'utf8')).trim()).body);
    expect(body.template.components[0]).toEqual({
      type: 'body',
      parameters: [
        { type: 'text', parameter_name: 'first_name', text: 'Ana' },
        { type: 'text', parameter_name: 'order_number', text: 'A-1042' },
        { type: 'text', parameter_name: 'store', text: 'Soho' },
      ],
    });
    const ledger = path.join(dir, 'c.ledger.jsonl');
    const sent = await run(['send', path.join(dir, 'c.csv'), '--template', spec, '--yes', '--json'], env, dir);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ accepted: 1, template_check: { ttl_seconds: 3600, parameter_format: 'named' } });
    expect(sends().map((e) => e.outcome)).toEqual(['accepted']);
    const run_ = JSON.parse((await readFile(ledger, 'utf8')).split('\n')[0]!);
    expect(run_).toMatchObject({ type: 'run', ttl_seconds: 3600, template_ttl_seconds: 3600 });
  });

  it('refuses to replace an existing --out, and names the languages a template has', async () => {
    const { dir, env } = await setup();
    await writeFile(path.join(dir, 'mine.yaml'), 'hand-written');
    const exists = await run(['templates', 'pull', 'spring_sale', '--language', 'en_GB', '--out', path.join(dir, 'mine.yaml')], env, dir);
    expect(exists).toMatchObject({ code: 2, stderr: `wa-broadcast: ${path.join(dir, 'mine.yaml')} exists: pass --force to replace it, or another --out\n` });
    expect(await readFile(path.join(dir, 'mine.yaml'), 'utf8')).toBe('hand-written');
    const missing = await run(['templates', 'pull', 'spring_sale', '--language', 'de'], env, dir);
    expect(missing).toMatchObject({ code: 3, stderr: 'wa-broadcast: no template spring_sale in de in WABA 100000000000002; it exists in en_GB: wa-broadcast templates --provider cloud lists them\n' });
  });
});

describe('templates', () => {
  it('lists the account’s templates as a table and as --json', async () => {
    const { dir, env } = await setup();
    const table = await run(['templates'], env, dir);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^5 templates in WABA 100000000000002\n/);
    expect(table.stdout).toMatch(/│ winter_sale +│ en_GB +│ marketing +│ paused +│ low +│ body \{\{1\}\} +│/);
    const json = JSON.parse((await run(['templates', '--json', '--provider', '360dialog'], env, dir)).stdout);
    expect(json.templates.map((t: { name: string; status: string }) => `${t.name} ${t.status}`)).toEqual(['flash_offer DISABLED', 'order_ready APPROVED', 'spring_sale APPROVED', 'summer_preview PENDING', 'winter_sale PAUSED']);
  });

  it('without WA_WABA_ID: exit 2 saying where to find it', async () => {
    const { dir, env } = await setup();
    const { WA_WABA_ID: _waba, ...withoutWaba } = env;
    expect(await run(['templates'], withoutWaba, dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^wa-broadcast: templates --provider cloud: WA_WABA_ID is not set: set WA_WABA_ID/) });
  });
});
