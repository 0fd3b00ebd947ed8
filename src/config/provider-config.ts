import { ConfigError, InputError } from '../errors.js';
import { cloudApiProvider, dialog360Provider } from '../providers/cloud-api.js';
import type { Provider, ProviderName } from '../providers/provider.js';
import { twilioProvider } from '../providers/twilio.js';
import type { TemplateSpec } from '../template/template-spec.js';
import { makeRedactor } from './redact.js';

/** The Graph API version used when WA_API_VERSION is not set (the version of Meta's spec in shared/reference). */
export const DEFAULT_API_VERSION = 'v23.0';

export interface ProviderSetup {
  provider: Provider;
  baseUrl: string;
  /** Removes every credential of this provider from text, in any encoding they travel in. */
  redact: (text: string) => string;
}

export interface ProviderSetupOptions {
  /** Allow plain http:// to a host other than this machine. */
  allowInsecureHttp: boolean;
  /** Twilio StatusCallback URL (the correlation id is added to it). */
  statusCallbackUrl: string | undefined;
  /** For --dry-run: stand-ins for missing credentials instead of an error. */
  placeholders: boolean;
}

/**
 * Builds the chosen provider from the environment (SPEC.md "Providers and credentials"). Missing
 * credentials are a ConfigError naming the variables; a non-loopback http:// base URL is refused
 * unless allowed explicitly, since the token would cross the network in clear text.
 */
export function providerFromEnv(name: ProviderName, env: NodeJS.ProcessEnv, spec: TemplateSpec, options: ProviderSetupOptions): ProviderSetup {
  const need = (...names: string[]) => {
    const missing = names.filter((n) => !env[n]);
    if (missing.length > 0 && !options.placeholders) {
      throw new ConfigError(`--provider ${name} needs ${missing.join(' and ')}: set them in the environment or in .env`);
    }
    return names.map((n) => env[n] || `<${n}>`);
  };
  switch (name) {
    case 'cloud': {
      const [token, phoneNumberId] = need('WA_TOKEN', 'WA_PHONE_NUMBER_ID') as [string, string];
      const baseUrl = checkBaseUrl('WA_API_URL', env.WA_API_URL || 'https://graph.facebook.com', options);
      const version = env.WA_API_VERSION || DEFAULT_API_VERSION;
      if (!/^v\d+\.\d+$/.test(version)) throw new ConfigError(`WA_API_VERSION must look like ${DEFAULT_API_VERSION}`);
      return { provider: cloudApiProvider({ baseUrl, version, phoneNumberId, token }), baseUrl, redact: makeRedactor([token]) };
    }
    case '360dialog': {
      const [apiKey] = need('D360_API_KEY') as [string];
      const baseUrl = checkBaseUrl('D360_API_URL', env.D360_API_URL || 'https://waba-v2.360dialog.io', options);
      return { provider: dialog360Provider({ baseUrl, apiKey }), baseUrl, redact: makeRedactor([apiKey]) };
    }
    case 'twilio': {
      const [accountSid, authToken] = need('TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN') as [string, string];
      if (!env.TWILIO_FROM && !env.TWILIO_MESSAGING_SERVICE_SID && !options.placeholders) {
        throw new ConfigError('--provider twilio needs TWILIO_FROM (+E.164 or whatsapp:+E.164) or TWILIO_MESSAGING_SERVICE_SID');
      }
      if (!spec.twilio) {
        throw new InputError('--provider twilio needs a twilio block (contentSid, variables) in the template spec', { file: spec.file });
      }
      const from = env.TWILIO_FROM ? `whatsapp:${env.TWILIO_FROM.replace(/^whatsapp:/, '')}` : env.TWILIO_MESSAGING_SERVICE_SID ? undefined : '<TWILIO_FROM>';
      const baseUrl = checkBaseUrl('TWILIO_API_URL', env.TWILIO_API_URL || 'https://api.twilio.com', options);
      const statusCallbackUrl = options.statusCallbackUrl || env.TWILIO_STATUS_CALLBACK_URL || undefined;
      if (statusCallbackUrl) checkUrl('the status callback URL', statusCallbackUrl);
      return {
        provider: twilioProvider({
          baseUrl,
          accountSid,
          authToken,
          from,
          messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
          statusCallbackUrl,
          contentSid: spec.twilio.contentSid,
        }),
        baseUrl,
        redact: makeRedactor([authToken], [[accountSid, authToken]]),
      };
    }
  }
}

function checkBaseUrl(variable: string, value: string, options: ProviderSetupOptions): string {
  const url = checkUrl(variable, value);
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !options.allowInsecureHttp) {
    throw new ConfigError(`${variable} is plain http:// to ${url.hostname}: credentials would cross the network unencrypted; use https://, or pass --allow-insecure-http`);
  }
  return value;
}

function checkUrl(what: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${what} is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${what} must be an http(s) URL`);
  return url;
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
