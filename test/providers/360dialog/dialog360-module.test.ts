import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { dialog360, dialog360Provider } from '../../../src/providers/360dialog/index.js';
import { dialog360Templates } from '../../../src/providers/360dialog/dialog360-templates.js';
import { metaCallbacks } from '../../../src/providers/cloud-api/meta-callbacks.js';
import { MarketingRouter } from '../../../src/providers/cloud-api/marketing-router.js';
import type { Message } from '../../../src/providers/provider.js';
import type { ProviderSetupOptions } from '../../../src/providers/provider-module.js';
import type { TemplateSpec } from '../../../src/template/template-spec.js';
import { specOf } from '../../template-builders.js';

const KEY = 'd360-secret-key-abcdef';
const options: ProviderSetupOptions = { allowInsecureHttp: false, statusCallbackUrl: undefined, placeholders: false };
/** The spring_sale spec (en_GB, an hour's TTL) in `category`, with no components. */
const spec = (category: TemplateSpec['category']): TemplateSpec =>
  specOf([], { file: 'spring.yaml', name: 'spring_sale', category, ttlSeconds: 3600, lines: { components: [], parameterFormat: undefined, twilio: undefined, category: undefined } });
const message: Message = { phone: '+447400123456', template: { name: 'spring_sale', language: { code: 'en_GB' }, components: [] }, twilioVariables: undefined, correlationId: 'c-1' };

describe('dialog360Provider', () => {
  it('POSTs the Cloud API body to {base}/messages with D360-API-KEY', () => {
    const provider = dialog360Provider({ baseUrl: 'https://waba.example.test//', apiKey: KEY });
    expect([provider.name, provider.family, provider.route?.()]).toEqual(['360dialog', 'meta', 'messages']);
    const request = provider.buildRequest(message);
    expect({ ...request, body: JSON.parse(request.body) }).toEqual({
      method: 'POST',
      url: 'https://waba.example.test/messages',
      headers: { 'd360-api-key': KEY, 'content-type': 'application/json' },
      body: { messaging_product: 'whatsapp', recipient_type: 'individual', to: '+447400123456', type: 'template', template: message.template, biz_opaque_callback_data: 'c-1' },
    });
  });

  it('POSTs to {base}/marketing_messages on that route, without product_policy, and reads answers on its router', () => {
    const router = new MarketingRouter('marketing_messages', 'auto', true);
    const provider = dialog360Provider({ baseUrl: 'https://waba.example.test', apiKey: KEY }, router);
    const request = provider.buildRequest(message);
    expect([request.url, JSON.parse(request.body).product_policy]).toEqual(['https://waba.example.test/marketing_messages', undefined]);
    expect(provider.parseResponse({ status: 400, headers: {}, body: JSON.stringify({ error: { code: 131055, message: 'not marketing' } }) })).toEqual({ kind: 'transient', code: '131055', title: 'not marketing', retryDelayMs: 0 });
    expect(provider.route?.()).toBe('messages');
  });
});

describe('the 360dialog module: fromEnv', () => {
  it('is named 360dialog, in the meta family, with its secret and parts', () => {
    expect([dialog360.name, dialog360.family, dialog360.secrets, dialog360.callbacks, dialog360.templates]).toEqual(['360dialog', 'meta', { variables: ['D360_API_KEY'] }, metaCallbacks, dialog360Templates]);
  });

  it('sends to waba-v2.360dialog.io from the number of the key, the key redacted', () => {
    const setup = cloudless(dialog360.fromEnv({ D360_API_KEY: KEY }, spec('marketing'), options));
    expect([setup.baseUrl, setup.sender, setup.url, setup.route]).toEqual(['https://waba-v2.360dialog.io', 'the number of D360_API_KEY', 'https://waba-v2.360dialog.io/messages', 'messages']);
    expect(setup.redacted).not.toContain(KEY);
  });

  it('sends a marketing campaign through /marketing_messages under always only', () => {
    expect(cloudless(dialog360.fromEnv({ D360_API_KEY: KEY }, spec('marketing'), { ...options, marketingApi: 'always' })).route).toBe('marketing_messages');
    expect(cloudless(dialog360.fromEnv({ D360_API_KEY: KEY }, spec('utility'), { ...options, marketingApi: 'always' })).route).toBe('messages');
    expect(cloudless(dialog360.fromEnv({ D360_API_KEY: KEY }, spec('marketing'), { ...options, marketingApi: 'never' })).route).toBe('messages');
  });

  it('switches once on an answer under auto for a marketing campaign, announced; not for another campaign', () => {
    const notices: string[] = [];
    const auto = dialog360.fromEnv({ D360_API_KEY: KEY }, spec('marketing'), { ...options, notice: (line) => notices.push(line) });
    expect(auto.provider.parseResponse({ status: 400, headers: {}, body: JSON.stringify({ error: { code: 131063, message: 'use the MM API' } }) })).toEqual({ kind: 'transient', code: '131063', title: 'use the MM API', retryDelayMs: 0 });
    expect([auto.provider.route?.(), notices]).toEqual(['marketing_messages', ['! 131063 use the MM API: sending the rest of this campaign through /marketing_messages (switched once for this run)']]);
    const utility = dialog360.fromEnv({ D360_API_KEY: KEY }, spec('utility'), options);
    expect(utility.provider.parseResponse({ status: 400, headers: {}, body: JSON.stringify({ error: { code: 131063, message: 'm' } }) })).toMatchObject({ kind: 'stop', code: '131063' });
    const never = dialog360.fromEnv({ D360_API_KEY: KEY }, spec('marketing'), { ...options, marketingApi: 'never' });
    expect(never.provider.parseResponse({ status: 400, headers: {}, body: JSON.stringify({ error: { code: 131063, message: 'm' } }) })).toMatchObject({ kind: 'stop', code: '131063' });
  });

  it('takes D360_API_URL, needs D360_API_KEY, stands in for it for a dry run', () => {
    expect(dialog360.fromEnv({ D360_API_KEY: KEY, D360_API_URL: 'http://127.0.0.1:4010' }, spec('utility'), options).baseUrl).toBe('http://127.0.0.1:4010');
    expect(() => dialog360.fromEnv({ D360_API_KEY: KEY, D360_API_URL: 'http://waba.example.test' }, spec('utility'), options)).toThrow(ConfigError);
    expect(() => dialog360.fromEnv({}, spec('utility'), options)).toThrow(new ConfigError('--provider 360dialog needs D360_API_KEY: set them in the environment or in .env'));
    expect(dialog360.fromEnv({}, spec('utility'), { ...options, placeholders: true }).provider.buildRequest(message).headers).toEqual({ 'd360-api-key': '<D360_API_KEY>', 'content-type': 'application/json' });
  });
});

function cloudless(setup: ReturnType<typeof dialog360.fromEnv>) {
  return { baseUrl: setup.baseUrl, sender: setup.sender, url: setup.provider.buildRequest(message).url, route: setup.provider.route?.(), redacted: setup.redact(`key ${KEY}`) };
}
