import { makeRedactor } from '../../config/redact.js';
import { cloudApiBody } from '../cloud-api/cloud-api-body.js';
import { cloudApiRoute, DEMO_APP_SECRET, dialog360TemplatesAnswer } from '../cloud-api/cloud-api-emulator.js';
import { metaCallbacks } from '../cloud-api/meta-callbacks.js';
import { MarketingRouter } from '../cloud-api/marketing-router.js';
import { parseCloudApiResponse } from '../cloud-api/parse-cloud-api-response.js';
import { headerOf } from '../emulator-route.js';
import type { HttpRequest, Provider } from '../provider.js';
import { checkBaseUrl, requireVariables, trimSlash } from '../provider-env.js';
import type { ProviderModule } from '../provider-module.js';
import { dialog360Templates } from './dialog360-templates.js';
import { safeEqual } from '../safe-equal.js';

export interface Dialog360Config {
  baseUrl: string;
  apiKey: string;
}

/**
 * 360dialog: `POST {base}/messages` with the Cloud API body and a `D360-API-KEY` header, or
 * `POST {base}/marketing_messages` (the Marketing Messages API, same body) when the router says so.
 */
export function dialog360Provider(config: Dialog360Config, router = new MarketingRouter('messages', 'never', false)): Provider {
  const base = trimSlash(config.baseUrl);
  const urls = { messages: `${base}/messages`, marketing_messages: `${base}/marketing_messages` };
  const headers = { 'd360-api-key': config.apiKey, 'content-type': 'application/json' };
  return {
    name: '360dialog',
    family: 'meta',
    buildRequest: (message): HttpRequest => ({ method: 'POST', url: urls[router.route], headers, body: cloudApiBody(message) }),
    parseResponse: (response) => parseCloudApiResponse(response, router),
    route: () => router.route,
  };
}

/**
 * `--provider 360dialog`: the Cloud API through 360dialog, which takes Meta's body and answers
 * and passes Meta's callbacks and codes on (SPEC "Providers and credentials").
 */
export const dialog360 = {
  name: '360dialog' as const,
  family: 'meta',
  secrets: { variables: ['D360_API_KEY'] },

  fromEnv(env, spec, options) {
    const [apiKey] = requireVariables('360dialog', env, options, 'D360_API_KEY') as [string];
    const baseUrl = checkBaseUrl('D360_API_URL', env.D360_API_URL || 'https://waba-v2.360dialog.io', options);
    // The API key names the number; which one is not in the environment.
    // SPEC: under auto 360dialog routes on its side (/messages); always: /marketing_messages. An
    // answer asking for the other route (131063, 131055) still switches once under auto.
    const policy = options.marketingApi ?? 'auto';
    const marketing = spec.category === 'marketing';
    const router = new MarketingRouter(marketing && policy === 'always' ? 'marketing_messages' : 'messages', policy, marketing, options.notice);
    return { provider: dialog360Provider({ baseUrl, apiKey }, router), baseUrl, sender: 'the number of D360_API_KEY', redact: makeRedactor([apiKey]) };
  },

  callbacks: metaCallbacks,

  emulator: cloudApiRoute({
    credentials: { D360_API_KEY: 'emulator-360dialog-key', WA_APP_SECRET: DEMO_APP_SECRET },
    env: (url, credentials) => ({ D360_API_URL: url, D360_API_KEY: credentials.D360_API_KEY! }),
    match: (path) => /^\/(messages|marketing_messages)$/.exec(path) ?? undefined,
    authorize: (request, _match, credentials) => {
      const key = credentials.D360_API_KEY;
      return key && safeEqual(headerOf(request, 'd360-api-key') ?? '', key) ? undefined : { status: 401, code: 0, message: 'Invalid api_key' };
    },
    sender: () => '360dialog',
    route: (match) => (match[1] === 'marketing_messages' ? 'marketing_messages' : 'messages'),
    lookup: {
      match: (path) => (path === '/v1/configs/templates' ? /^\/v1\/configs\/templates$/.exec(path)! : undefined),
      authorize: (request, _match, credentials) => {
        const key = credentials.D360_API_KEY;
        const header = request.headers['d360-api-key'];
        return key && safeEqual((Array.isArray(header) ? header[0] : header) ?? '', key) ? undefined : { status: 401, code: 0, message: 'Invalid api_key' };
      },
      answer: dialog360TemplatesAnswer,
    },
  }),
  templates: dialog360Templates,
} satisfies ProviderModule;
