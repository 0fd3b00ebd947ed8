import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { checkBaseUrl, checkUrl, isLoopback, requireVariables, trimSlash } from '../../src/providers/provider-env.js';
import type { ProviderSetupOptions } from '../../src/providers/provider-module.js';

const strict: ProviderSetupOptions = { allowInsecureHttp: false, statusCallbackUrl: undefined, placeholders: false };

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('requireVariables', () => {
  it('gives the values in the order asked', () => {
    expect(requireVariables('twilio', { B: 'b', A: 'a' }, strict, 'A', 'B')).toEqual(['a', 'b']);
  });

  it('names every missing or empty variable', () => {
    const error = thrown(() => requireVariables('twilio', { TWILIO_AUTH_TOKEN: '' }, strict, 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('--provider twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set them in the environment or in .env');
    expect(() => requireVariables('cloud', { WA_TOKEN: 't' }, strict, 'WA_TOKEN', 'WA_PHONE_NUMBER_ID')).toThrow(
      new ConfigError('--provider cloud needs WA_PHONE_NUMBER_ID: set them in the environment or in .env'),
    );
  });

  it('stands in <NAME> for a missing one for a dry run', () => {
    expect(requireVariables('cloud', { WA_TOKEN: 't', WA_PHONE_NUMBER_ID: '' }, { ...strict, placeholders: true }, 'WA_TOKEN', 'WA_PHONE_NUMBER_ID')).toEqual(['t', '<WA_PHONE_NUMBER_ID>']);
  });
});

describe('checkUrl', () => {
  it('gives the URL of an http(s) value', () => {
    expect(checkUrl('WA_API_URL', 'https://graph.facebook.com/').href).toBe('https://graph.facebook.com/');
    expect(checkUrl('WA_API_URL', 'http://127.0.0.1:4010').port).toBe('4010');
  });

  it('refuses what is not a URL, or not http(s)', () => {
    expect(() => checkUrl('the status callback URL', 'hooks.example.test/twilio')).toThrow(new ConfigError('the status callback URL is not a URL: hooks.example.test/twilio'));
    expect(() => checkUrl('WA_API_URL', 'ftp://graph.facebook.com')).toThrow(new ConfigError('WA_API_URL must be an http(s) URL'));
    expect(thrown(() => checkUrl('WA_API_URL', 'file:///etc/passwd'))).toBeInstanceOf(ConfigError);
  });
});

describe('checkBaseUrl', () => {
  it('takes https anywhere and plain http on this machine, and gives the value as written', () => {
    expect(checkBaseUrl('WA_API_URL', 'https://graph.facebook.com//', strict)).toBe('https://graph.facebook.com//');
    for (const url of ['http://localhost:4010', 'http://127.0.0.1:4010', 'http://127.1.2.3', 'http://[::1]:4010/']) {
      expect(checkBaseUrl('WA_API_URL', url, strict)).toBe(url);
    }
  });

  it('refuses plain http to another host unless allowed', () => {
    expect(() => checkBaseUrl('TWILIO_API_URL', 'http://api.twilio.example', strict)).toThrow(
      new ConfigError('TWILIO_API_URL is plain http:// to api.twilio.example: credentials would cross the network unencrypted; use https://, or pass --allow-insecure-http'),
    );
    expect(checkBaseUrl('TWILIO_API_URL', 'http://api.twilio.example', { ...strict, allowInsecureHttp: true })).toBe('http://api.twilio.example');
  });

  it('checks it is a URL first', () => {
    expect(() => checkBaseUrl('WA_API_URL', 'graph', { ...strict, allowInsecureHttp: true })).toThrow(new ConfigError('WA_API_URL is not a URL: graph'));
  });
});

describe('isLoopback', () => {
  it('is localhost, ::1 (bracketed or not) and 127.x.y.z', () => {
    expect(['localhost', '::1', '[::1]', '127.0.0.1', '127.255.0.9', '127.0.10.10'].map(isLoopback)).toEqual([true, true, true, true, true, true]);
  });

  it('is nothing else', () => {
    expect(['localhost.example', 'x127.0.0.1', '127.0.0.1.example', '127.0.0', '10.0.0.1', '::2', '0.0.0.0', ''].map(isLoopback)).toEqual([false, false, false, false, false, false, false, false]);
  });
});

describe('trimSlash', () => {
  it('drops every trailing slash, and only those', () => {
    expect(trimSlash('https://graph.facebook.com///')).toBe('https://graph.facebook.com');
    expect(trimSlash('https://graph.facebook.com/v1/x')).toBe('https://graph.facebook.com/v1/x');
    expect(trimSlash('/')).toBe('');
  });
});
