import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, ProviderStopError } from '../../../src/errors.js';
import { cloud, cloudProvider, DEFAULT_API_VERSION } from '../../../src/providers/cloud/index.js';
import { cloudTemplates } from '../../../src/providers/cloud/cloud-templates.js';
import { metaCallbacks } from '../../../src/providers/cloud-api/meta-callbacks.js';
import { MarketingRouter } from '../../../src/providers/cloud-api/marketing-router.js';
import type { Message } from '../../../src/providers/provider.js';
import type { ProviderSetupOptions } from '../../../src/providers/provider-module.js';
import type { TemplateSpec } from '../../../src/template/template-spec.js';
import { specOf } from '../../template-builders.js';
import { recordingServer, type Scripted } from '../../recording-server.js';

const TOKEN = 'EAAG-cloud-token-123456';
const PHONE = '1055551234';
const WABA = '102290129340398';
const options: ProviderSetupOptions = { allowInsecureHttp: false, statusCallbackUrl: undefined, placeholders: false };
/** The spring_sale spec (en_GB, an hour's TTL) in `category`, with no components. */
const spec = (category: TemplateSpec['category']): TemplateSpec =>
  specOf([], { file: 'spring.yaml', name: 'spring_sale', category, ttlSeconds: 3600, lines: { components: [], parameterFormat: undefined, twilio: undefined, category: undefined } });
const message: Message = { phone: '+447400123456', template: { name: 'spring_sale', language: { code: 'en_GB' }, components: [] }, twilioVariables: undefined, correlationId: 'c-1' };
const env = { WA_TOKEN: TOKEN, WA_PHONE_NUMBER_ID: PHONE };

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function onboardingServer(script: Scripted[]) {
  const server = await recordingServer(script);
  servers.push(server);
  return server;
}
const onboarded = (status: string): Scripted => ({ status: 200, body: JSON.stringify({ marketing_messages_onboarding_status: status, id: WABA }) });

describe('cloudProvider', () => {
  it('POSTs to /{version}/{phone-number-id}/messages with the bearer token, the id encoded, the base URL without trailing slashes', () => {
    const provider = cloudProvider({ baseUrl: 'https://graph.example.test//', version: 'v23.0', phoneNumberId: '10/55', token: TOKEN });
    expect([provider.name, provider.family, provider.route?.()]).toEqual(['cloud', 'meta', 'messages']);
    const request = provider.buildRequest(message);
    expect({ ...request, body: JSON.parse(request.body) }).toEqual({
      method: 'POST',
      url: 'https://graph.example.test/v23.0/10%2F55/messages',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: { messaging_product: 'whatsapp', recipient_type: 'individual', to: '+447400123456', type: 'template', template: message.template, biz_opaque_callback_data: 'c-1' },
    });
  });

  it('POSTs to /marketing_messages on that route, with product_policy STRICT only when strict', () => {
    const router = new MarketingRouter('marketing_messages', 'always', true);
    const config = { baseUrl: 'https://graph.example.test', version: 'v23.0', phoneNumberId: PHONE, token: TOKEN };
    const strict = cloudProvider(config, router, true).buildRequest(message);
    expect(strict.url).toBe(`https://graph.example.test/v23.0/${PHONE}/marketing_messages`);
    expect(JSON.parse(strict.body).product_policy).toBe('STRICT');
    expect(JSON.parse(cloudProvider(config, router).buildRequest(message).body).product_policy).toBe(undefined);
    expect(JSON.parse(cloudProvider(config, new MarketingRouter('messages', 'always', true), true).buildRequest(message).body).product_policy).toBe(undefined);
    expect(cloudProvider(config, router).route?.()).toBe('marketing_messages');
  });

  it('reads answers on the route of its router', () => {
    const router = new MarketingRouter('messages', 'auto', true);
    const provider = cloudProvider({ baseUrl: 'https://graph.example.test', version: 'v23.0', phoneNumberId: PHONE, token: TOKEN }, router);
    const outcome = provider.parseResponse({ status: 400, headers: {}, body: JSON.stringify({ error: { code: 131063, message: 'use the MM API' } }) });
    expect(outcome).toEqual({ kind: 'transient', code: '131063', title: 'use the MM API', retryDelayMs: 0 });
    expect(provider.route?.()).toBe('marketing_messages');
  });
});

describe('the cloud module: fromEnv', () => {
  it('is named cloud, in the meta family, with its secret and parts', () => {
    expect([cloud.name, cloud.family, cloud.secrets, cloud.callbacks, cloud.templates]).toEqual(['cloud', 'meta', { variables: ['WA_TOKEN'] }, metaCallbacks, cloudTemplates]);
    expect(DEFAULT_API_VERSION).toBe('v23.0');
  });

  it('sends to graph.facebook.com on v23.0 from the phone-number id, the token redacted, nothing to prepare', () => {
    const setup = cloud.fromEnv(env, spec('utility'), options);
    expect([setup.baseUrl, setup.sender, setup.prepare]).toEqual(['https://graph.facebook.com', `phone-number id ${PHONE}`, undefined]);
    expect(setup.provider.buildRequest(message).url).toBe(`https://graph.facebook.com/v23.0/${PHONE}/messages`);
    expect(setup.redact(`a ${TOKEN} b`)).not.toContain(TOKEN);
  });

  it('takes WA_API_URL and WA_API_VERSION, refusing a version that is not vN.N', () => {
    const setup = cloud.fromEnv({ ...env, WA_API_URL: 'http://127.0.0.1:4010', WA_API_VERSION: 'v21.0' }, spec('utility'), options);
    expect(setup.provider.buildRequest(message).url).toBe(`http://127.0.0.1:4010/v21.0/${PHONE}/messages`);
    for (const version of ['21.0', 'v21', 'v21.0.1', 'xv21.0']) {
      expect(() => cloud.fromEnv({ ...env, WA_API_VERSION: version }, spec('utility'), options)).toThrow(new ConfigError('WA_API_VERSION must look like v23.0'));
    }
    expect(() => cloud.fromEnv({ ...env, WA_API_URL: 'http://graph.example.test' }, spec('utility'), options)).toThrow(ConfigError);
    expect(() => cloud.fromEnv({ WA_TOKEN: TOKEN }, spec('utility'), options)).toThrow(new ConfigError('--provider cloud needs WA_PHONE_NUMBER_ID: set them in the environment or in .env'));
  });

  it('sends a marketing campaign through /messages with --marketing-api never, or without WA_WABA_ID under auto (saying why)', () => {
    const notices: string[] = [];
    const never = cloud.fromEnv({ ...env, WA_WABA_ID: WABA }, spec('marketing'), { ...options, marketingApi: 'never', notice: (line) => notices.push(line) });
    expect([never.prepare, never.provider.route?.(), notices]).toEqual([undefined, 'messages', []]);
    const auto = cloud.fromEnv(env, spec('marketing'), { ...options, notice: (line) => notices.push(line) });
    expect([auto.prepare, auto.provider.route?.()]).toEqual([undefined, 'messages']);
    expect(notices).toEqual(['marketing messages go through /messages: WA_WABA_ID is not set, so the Marketing Messages API onboarding cannot be read (set it to use the MM API when onboarded)']);
    expect(cloud.fromEnv(env, spec('marketing'), options).prepare).toBe(undefined);
  });

  it('needs WA_WABA_ID for --marketing-api always', () => {
    expect(() => cloud.fromEnv(env, spec('marketing'), { ...options, marketingApi: 'always' })).toThrow(
      new ConfigError('--marketing-api always needs WA_WABA_ID (the WhatsApp Business Account id) to read the onboarding: set it in the environment or in .env'),
    );
    expect(cloud.fromEnv(env, spec('utility'), { ...options, marketingApi: 'always' }).prepare).toBe(undefined);
  });

  it('asks nothing of the network for a dry run: always shows /marketing_messages (STRICT), auto says it shows /messages', () => {
    const notices: string[] = [];
    const always = cloud.fromEnv({}, spec('marketing'), { ...options, placeholders: true, marketingApi: 'always', notice: (line) => notices.push(line) });
    expect([always.prepare, always.provider.route?.(), notices]).toEqual([undefined, 'marketing_messages', []]);
    expect(always.provider.buildRequest(message).url).toBe('https://graph.facebook.com/v23.0/%3CWA_PHONE_NUMBER_ID%3E/marketing_messages');
    expect(JSON.parse(always.provider.buildRequest(message).body).product_policy).toBe('STRICT');
    const auto = cloud.fromEnv({}, spec('marketing'), { ...options, placeholders: true, notice: (line) => notices.push(line) });
    expect([auto.prepare, auto.provider.route?.()]).toEqual([undefined, 'messages']);
    expect(notices).toEqual(['dry run: the Marketing Messages API onboarding is not read; the requests show /messages']);
  });

  it('reads the onboarding before the first message: onboarded, the campaign goes through the MM API', async () => {
    const server = await onboardingServer([onboarded('ONBOARDED')]);
    const notices: string[] = [];
    const setup = cloud.fromEnv({ ...env, WA_WABA_ID: WABA, WA_API_URL: server.url }, spec('marketing'), { ...options, notice: (line) => notices.push(line) });
    expect(setup.provider.route?.()).toBe('messages');
    await setup.prepare!();
    expect(setup.provider.route?.()).toBe('marketing_messages');
    expect(JSON.parse(setup.provider.buildRequest(message).body).product_policy).toBe(undefined);
    expect(notices).toEqual(['marketing messages go through the Marketing Messages API (/marketing_messages): the account is onboarded']);
    expect(server.requests.map((r) => [r.url, r.headers.authorization])).toEqual([[`/v23.0/${WABA}?fields=marketing_messages_onboarding_status`, `Bearer ${TOKEN}`]]);
  });

  it('not onboarded under auto: /messages, saying why', async () => {
    const server = await onboardingServer([onboarded('ELIGIBLE'), { status: 403, body: '' }]);
    const notices: string[] = [];
    for (let i = 0; i < 2; i++) {
      const setup = cloud.fromEnv({ ...env, WA_WABA_ID: WABA, WA_API_URL: server.url }, spec('marketing'), { ...options, notice: (line) => notices.push(line) });
      await setup.prepare!();
      expect(setup.provider.route?.()).toBe('messages');
    }
    expect(notices).toEqual(['! marketing messages go through /messages: marketing_messages_onboarding_status is ELIGIBLE', '! marketing messages go through /messages: the onboarding could not be read (HTTP 403)']);
  });

  it('not onboarded under always: the campaign stops before anything is sent', async () => {
    const server = await onboardingServer([onboarded('ELIGIBLE'), { status: 500, body: '' }]);
    const setup = () => cloud.fromEnv({ ...env, WA_WABA_ID: WABA, WA_API_URL: server.url }, spec('marketing'), { ...options, marketingApi: 'always' });
    await expect(setup().prepare!()).rejects.toThrow(
      new ProviderStopError('--marketing-api always: marketing_messages_onboarding_status is ELIGIBLE, not ONBOARDED; nothing was sent. Onboard the account (WhatsApp Manager › Marketing Messages API) or send with --marketing-api auto'),
    );
    const failed = setup();
    await expect(failed.prepare!()).rejects.toThrow(
      new ProviderStopError('--marketing-api always: the onboarding could not be read (HTTP 500), not ONBOARDED; nothing was sent. Onboard the account (WhatsApp Manager › Marketing Messages API) or send with --marketing-api auto'),
    );
    expect(failed.provider.route?.()).toBe('messages');
  });

  it('onboarded under always: STRICT on /marketing_messages', async () => {
    const server = await onboardingServer([onboarded('ONBOARDED')]);
    const setup = cloud.fromEnv({ ...env, WA_WABA_ID: WABA, WA_API_URL: server.url }, spec('marketing'), { ...options, marketingApi: 'always' });
    await setup.prepare!();
    const request = setup.provider.buildRequest(message);
    expect([request.url, JSON.parse(request.body).product_policy]).toEqual([`${server.url}/v23.0/${PHONE}/marketing_messages`, 'STRICT']);
  });
});
