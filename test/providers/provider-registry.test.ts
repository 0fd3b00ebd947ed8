import { describe, expect, it } from 'vitest';
import { dialog360 } from '../../src/providers/360dialog/index.js';
import { cloud } from '../../src/providers/cloud/index.js';
import { metaCallbacks } from '../../src/providers/cloud-api/meta-callbacks.js';
import {
  callbackChannels,
  channelOfTag,
  environmentRedactor,
  familyOf,
  PROVIDER_MODULES,
  PROVIDER_NAMES,
  providerFromEnv,
  providerModule,
  providersOf,
  templateLookupFromEnv,
  usesDemoCredentials,
} from '../../src/providers/index.js';
import type { TemplateSpec } from '../../src/template/template-spec.js';
import { specOf } from '../template-builders.js';
import { twilio } from '../../src/providers/twilio/index.js';
import { twilioCallbacks } from '../../src/providers/twilio/twilio-callbacks.js';

const spec: TemplateSpec = specOf([], { file: 'spring.yaml', name: 'spring_sale', category: 'utility', ttlSeconds: 3600, lines: { components: [], parameterFormat: undefined, twilio: undefined, category: undefined } });

describe('the provider registry', () => {
  it('registers cloud (the default), 360dialog and twilio', () => {
    expect(PROVIDER_MODULES).toEqual([cloud, dialog360, twilio]);
    expect(PROVIDER_NAMES).toEqual(['cloud', '360dialog', 'twilio']);
    expect([providerModule('cloud'), providerModule('360dialog'), providerModule('twilio')]).toEqual([cloud, dialog360, twilio]);
    expect([providerModule('constructor'), providerModule('Cloud'), providerModule('')]).toEqual([undefined, undefined, undefined]);
  });

  it("builds the named provider from the environment with its module's fromEnv", () => {
    const setup = providerFromEnv('360dialog', { D360_API_KEY: 'd360-secret-key' }, spec, { allowInsecureHttp: false, statusCallbackUrl: undefined, placeholders: false });
    expect([setup.provider.name, setup.baseUrl]).toEqual(['360dialog', 'https://waba-v2.360dialog.io']);
  });

  it("gives the named provider's template look-up from the environment", () => {
    expect(templateLookupFromEnv('cloud', { WA_TOKEN: 'EAAG-token' }, { allowInsecureHttp: false })).toEqual({
      ok: false,
      reason: 'WA_WABA_ID is not set: set WA_WABA_ID to the WhatsApp Business Account id (WhatsApp Manager › Account tools, or Business Settings › Accounts › WhatsApp accounts)',
    });
    const twilioLookup = templateLookupFromEnv('twilio', { TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 'twilio-token' }, { allowInsecureHttp: false });
    expect(twilioLookup.ok && twilioLookup.lookup.where).toBe('Twilio Content');
  });

  it('tells the demo credentials by the secret ones, all of them', () => {
    expect(usesDemoCredentials('cloud', { WA_TOKEN: 'emulator-token', WA_PHONE_NUMBER_ID: '123' })).toBe(true);
    expect(usesDemoCredentials('cloud', { WA_TOKEN: 'a-real-token', WA_PHONE_NUMBER_ID: '100000000000001' })).toBe(false);
    expect(usesDemoCredentials('cloud', {})).toBe(false);
    expect(usesDemoCredentials('360dialog', { D360_API_KEY: 'emulator-360dialog-key' })).toBe(true);
    expect(usesDemoCredentials('twilio', { TWILIO_AUTH_TOKEN: 'emulator-twilio-token', TWILIO_ACCOUNT_SID: 'AC-real' })).toBe(true);
    expect(usesDemoCredentials('twilio', { TWILIO_AUTH_TOKEN: 'real', TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}` })).toBe(false);
  });

  it("gives a ledger's code table by its provider, the default provider's for another or none", () => {
    expect([familyOf('cloud'), familyOf('360dialog'), familyOf('twilio'), familyOf('smsco'), familyOf(undefined), familyOf('constructor')]).toEqual(['meta', 'meta', 'twilio', 'meta', 'meta', 'meta']);
  });

  it("lists each receiver channel once, with the providers whose callbacks arrive on it", () => {
    expect(callbackChannels()).toEqual([metaCallbacks, twilioCallbacks]);
    expect(providersOf(metaCallbacks)).toEqual(['cloud', '360dialog']);
    expect(providersOf(twilioCallbacks)).toEqual(['twilio']);
  });

  it('finds the channel of an events tag', () => {
    expect([channelOfTag('meta'), channelOfTag('unsigned'), channelOfTag('twilio')]).toEqual([metaCallbacks, metaCallbacks, twilioCallbacks]);
    expect([channelOfTag('cloud'), channelOfTag(undefined), channelOfTag(7), channelOfTag('constructor')]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('redacts every secret any provider or channel reads, and the Basic pair of Twilio', () => {
    const env = {
      WA_TOKEN: 'EAAG-token-111111',
      D360_API_KEY: 'd360-key-222222',
      TWILIO_ACCOUNT_SID: 'AC3333333333',
      TWILIO_AUTH_TOKEN: 'twilio-token-444444',
      WA_APP_SECRET: 'app-secret-555555',
      WA_VERIFY_TOKEN: 'verify-666666',
      WA_PHONE_NUMBER_ID: '100000000000001',
    };
    const redact = environmentRedactor(env);
    const text = [env.WA_TOKEN, env.D360_API_KEY, env.TWILIO_AUTH_TOKEN, env.WA_APP_SECRET, env.WA_VERIFY_TOKEN, Buffer.from(`${env.TWILIO_ACCOUNT_SID}:${env.TWILIO_AUTH_TOKEN}`).toString('base64')].join(' ');
    const redacted = redact(text);
    for (const secret of [env.WA_TOKEN, env.D360_API_KEY, env.TWILIO_AUTH_TOKEN, env.WA_APP_SECRET, env.WA_VERIFY_TOKEN, Buffer.from(`${env.TWILIO_ACCOUNT_SID}:${env.TWILIO_AUTH_TOKEN}`).toString('base64')]) {
      expect(redacted).not.toContain(secret);
    }
    expect(redact('phone 100000000000001')).toBe('phone 100000000000001');
    expect(environmentRedactor({})('EAAG-token-111111')).toBe('EAAG-token-111111');
  });

  it('redacts the Basic pair only when both halves are set', () => {
    const pair = Buffer.from('AC3333333333:twilio-token-444444').toString('base64');
    expect(environmentRedactor({ TWILIO_ACCOUNT_SID: 'AC3333333333', TWILIO_AUTH_TOKEN: 'twilio-token-444444' })(pair)).not.toContain(pair);
    expect(environmentRedactor({ TWILIO_ACCOUNT_SID: 'AC3333333333' })(pair)).toBe(pair);
  });
});
