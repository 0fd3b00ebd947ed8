import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../../src/errors.js';
import type { ProviderSetupOptions } from '../../../src/providers/provider-module.js';
import { twilio } from '../../../src/providers/twilio/index.js';
import { twilioCallbacks } from '../../../src/providers/twilio/twilio-callbacks.js';
import { twilioEmulator } from '../../../src/providers/twilio/twilio-emulator.js';
import { twilioTemplates } from '../../../src/providers/twilio/twilio-templates.js';
import type { TemplateSpec } from '../../../src/template/template-spec.js';

const SID = `AC${'1'.repeat(32)}`;
const TOKEN = 'twilio-secret-token-987';
const CONTENT = `HX${'a'.repeat(32)}`;
const options: ProviderSetupOptions = { allowInsecureHttp: false, statusCallbackUrl: undefined, placeholders: false };
const spec = {
  file: 'spring.yaml',
  name: 'spring_sale',
  language: { code: 'en_GB' },
  category: 'marketing',
  ttlSeconds: 3600,
  body: undefined,
  parameterFormat: 'positional',
  components: [],
  lines: { components: [], parameterFormat: undefined, twilio: undefined, category: undefined },
  twilio: { contentSid: CONTENT, variables: {} },
  defaults: new Map(),
  placeholders: [],
  warnings: [],
} satisfies TemplateSpec;
const env = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: '+15550001111', TWILIO_STATUS_CALLBACK_URL: 'https://hooks.example.test/twilio/status' };
const message = { phone: '+447400123456', template: { name: 'spring_sale', language: { code: 'en_GB' }, components: [] }, twilioVariables: undefined, correlationId: 'c-1' };
const NO_CALLBACK =
  '! no status callback URL (--status-callback or TWILIO_STATUS_CALLBACK_URL): delivery will not be seen, and reconcile cannot tell delivered from dropped (unless your Messaging Service posts its own callbacks to the webhook)';

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('the twilio provider module', () => {
  it('is named twilio, in the twilio family, with its secrets and parts', () => {
    expect([twilio.name, twilio.family, twilio.secrets]).toEqual(['twilio', 'twilio', { variables: ['TWILIO_AUTH_TOKEN'], basicPairs: [['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']] }]);
    expect([twilio.callbacks, twilio.emulator, twilio.templates]).toEqual([twilioCallbacks, twilioEmulator, twilioTemplates]);
  });

  it('sends from TWILIO_FROM (whatsapp: added once) to api.twilio.com, callbacks to the callback URL, no warning', () => {
    const setup = twilio.fromEnv({ ...env, TWILIO_FROM: 'whatsapp:+15550001111' }, spec, options);
    expect([setup.baseUrl, setup.sender, setup.warnings]).toEqual(['https://api.twilio.com', 'from whatsapp:+15550001111', []]);
    const request = setup.provider.buildRequest(message);
    expect(request.url).toBe(`https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      To: 'whatsapp:+447400123456',
      From: 'whatsapp:+15550001111',
      ContentSid: CONTENT,
      StatusCallback: 'https://hooks.example.test/twilio/status?cid=c-1',
    });
    expect(setup.redact(`token ${TOKEN} basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`)).not.toContain(TOKEN);
    expect(setup.redact(TOKEN)).not.toBe(TOKEN);
  });

  it('takes TWILIO_API_URL, and the --status-callback URL before TWILIO_STATUS_CALLBACK_URL', () => {
    const setup = twilio.fromEnv({ ...env, TWILIO_API_URL: 'http://127.0.0.1:4010' }, spec, { ...options, statusCallbackUrl: 'https://flag.example.test/cb' });
    expect(setup.baseUrl).toBe('http://127.0.0.1:4010');
    expect(new URLSearchParams(setup.provider.buildRequest(message).body).get('StatusCallback')).toBe('https://flag.example.test/cb?cid=c-1');
    expect(() => twilio.fromEnv({ ...env, TWILIO_API_URL: 'http://api.twilio.example' }, spec, options)).toThrow(ConfigError);
  });

  it('warns that deliveries will not be seen without a status callback URL', () => {
    const setup = twilio.fromEnv({ ...env, TWILIO_STATUS_CALLBACK_URL: '' }, spec, options);
    expect(setup.warnings).toEqual([NO_CALLBACK]);
    expect(new URLSearchParams(setup.provider.buildRequest(message).body).has('StatusCallback')).toBe(false);
  });

  it('refuses a status callback URL that is not a URL', () => {
    expect(() => twilio.fromEnv({ ...env, TWILIO_STATUS_CALLBACK_URL: 'hooks.example.test' }, spec, options)).toThrow(new ConfigError('the status callback URL is not a URL: hooks.example.test'));
  });

  it('sends through the Messaging Service without TWILIO_FROM', () => {
    const service = `MG${'2'.repeat(32)}`;
    const setup = twilio.fromEnv({ ...env, TWILIO_FROM: undefined, TWILIO_MESSAGING_SERVICE_SID: service }, spec, options);
    expect(setup.sender).toBe(`messaging service ${service}`);
    expect(new URLSearchParams(setup.provider.buildRequest(message).body).get('MessagingServiceSid')).toBe(service);
    expect(new URLSearchParams(setup.provider.buildRequest(message).body).has('From')).toBe(false);
  });

  it('needs a sender, credentials and the twilio block', () => {
    const noSender = thrown(() => twilio.fromEnv({ ...env, TWILIO_FROM: '' }, spec, options));
    expect([noSender.constructor, noSender.message]).toEqual([ConfigError, '--provider twilio needs TWILIO_FROM (+E.164 or whatsapp:+E.164) or TWILIO_MESSAGING_SERVICE_SID']);
    expect(() => twilio.fromEnv({ ...env, TWILIO_AUTH_TOKEN: '' }, spec, options)).toThrow(new ConfigError('--provider twilio needs TWILIO_AUTH_TOKEN: set them in the environment or in .env'));
    const noBlock = thrown(() => twilio.fromEnv(env, { ...spec, twilio: undefined }, options));
    expect([noBlock.constructor, noBlock.message, (noBlock as InputError).location]).toEqual([InputError, '--provider twilio needs a twilio block (contentSid, variables) in the template spec', { file: 'spring.yaml' }]);
  });

  it('stands in for the credentials and the sender for a dry run', () => {
    const setup = twilio.fromEnv({}, spec, { ...options, placeholders: true });
    expect([setup.sender, setup.warnings]).toEqual(['from <TWILIO_FROM>', [NO_CALLBACK]]);
    expect(setup.provider.buildRequest(message).url).toBe('https://api.twilio.com/2010-04-01/Accounts/%3CTWILIO_ACCOUNT_SID%3E/Messages.json');
  });
});
