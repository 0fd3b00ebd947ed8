import { ConfigError } from '../../errors.js';
import { makeRedactor } from '../../config/redact.js';
import { cloudApiBody } from '../cloud-api/cloud-api-body.js';
import { cloudApiRoute, DEMO_APP_SECRET } from '../cloud-api/cloud-api-emulator.js';
import { metaCallbacks } from '../cloud-api/meta-callbacks.js';
import { parseCloudApiResponse } from '../cloud-api/parse-cloud-api-response.js';
import { headerOf } from '../emulator-route.js';
import type { HttpRequest, Provider } from '../provider.js';
import { checkBaseUrl, requireVariables, trimSlash } from '../provider-env.js';
import type { ProviderModule } from '../provider-module.js';
import { safeEqual } from '../safe-equal.js';

/** The Graph API version used when WA_API_VERSION is not set (the version of Meta's spec in shared/reference). */
export const DEFAULT_API_VERSION = 'v23.0';

export interface CloudConfig {
  baseUrl: string;
  version: string;
  phoneNumberId: string;
  token: string;
}

/** Meta's WhatsApp Cloud API: `POST {base}/{version}/{phone-number-id}/messages`, bearer token. */
export function cloudProvider(config: CloudConfig): Provider {
  const url = `${trimSlash(config.baseUrl)}/${config.version}/${encodeURIComponent(config.phoneNumberId)}/messages`;
  return {
    name: 'cloud',
    family: 'meta',
    buildRequest: (message): HttpRequest => ({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
      body: cloudApiBody(message),
    }),
    parseResponse: parseCloudApiResponse,
  };
}

const SEND_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/;

/** `--provider cloud`: Meta's WhatsApp Cloud API (SPEC "Providers and credentials"). */
export const cloud = {
  name: 'cloud' as const,
  family: 'meta',
  secrets: { variables: ['WA_TOKEN'] },

  fromEnv(env, _spec, options) {
    const [token, phoneNumberId] = requireVariables('cloud', env, options, 'WA_TOKEN', 'WA_PHONE_NUMBER_ID') as [string, string];
    const baseUrl = checkBaseUrl('WA_API_URL', env.WA_API_URL || 'https://graph.facebook.com', options);
    const version = env.WA_API_VERSION || DEFAULT_API_VERSION;
    if (!/^v\d+\.\d+$/.test(version)) throw new ConfigError(`WA_API_VERSION must look like ${DEFAULT_API_VERSION}`);
    return { provider: cloudProvider({ baseUrl, version, phoneNumberId, token }), baseUrl, sender: `phone-number id ${phoneNumberId}`, redact: makeRedactor([token]) };
  },

  callbacks: metaCallbacks,

  emulator: cloudApiRoute({
    credentials: { WA_TOKEN: 'emulator-token', WA_PHONE_NUMBER_ID: '100000000000001', WA_APP_SECRET: DEMO_APP_SECRET },
    env: (url, credentials) => ({ WA_API_URL: url, WA_TOKEN: credentials.WA_TOKEN!, WA_PHONE_NUMBER_ID: credentials.WA_PHONE_NUMBER_ID! }),
    match: (path) => SEND_PATH.exec(path) ?? undefined,
    authorize: (request, match, credentials) => {
      const token = credentials.WA_TOKEN;
      if (!token || !safeEqual(headerOf(request, 'authorization') ?? '', `Bearer ${token}`)) return { status: 401, code: 190, message: 'Invalid OAuth access token - Cannot parse access token' };
      if (match[2] !== credentials.WA_PHONE_NUMBER_ID) return { status: 400, code: 100, message: `Unsupported post request. Object with ID '${match[2]}' does not exist` };
      return undefined;
    },
    sender: (match) => `cloud:${match[2]}`,
  }),
} satisfies ProviderModule;
