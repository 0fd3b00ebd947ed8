import { ConfigError, ProviderStopError } from '../../errors.js';
import { makeRedactor } from '../../config/redact.js';
import { cloudApiBody } from '../cloud-api/cloud-api-body.js';
import { cloudApiRoute, DEMO_APP_SECRET, metaError, metaTemplatesAnswer } from '../cloud-api/cloud-api-emulator.js';
import { metaCallbacks } from '../cloud-api/meta-callbacks.js';
import { MarketingRouter } from '../cloud-api/marketing-router.js';
import type { MarketingApiPolicy } from '../marketing-api-policy.js';
import { parseCloudApiResponse } from '../cloud-api/parse-cloud-api-response.js';
import { readOnboarding, type OnboardingResult } from './read-onboarding.js';
import { wabaIdFromEnv } from './waba-id.js';
import { headerOf } from '../emulator-route.js';
import type { HttpRequest, Provider } from '../provider.js';
import { checkBaseUrl, requireVariables, trimSlash } from '../provider-env.js';
import type { ProviderModule } from '../provider-module.js';
import { cloudTemplates } from './cloud-templates.js';
import { safeEqual } from '../safe-equal.js';

/** The Graph API version used when WA_API_VERSION is not set (the version of Meta's spec in shared/reference). */
export const DEFAULT_API_VERSION = 'v23.0';

export interface CloudConfig {
  baseUrl: string;
  version: string;
  phoneNumberId: string;
  token: string;
}

/**
 * Meta's WhatsApp Cloud API: `POST {base}/{version}/{phone-number-id}/messages`, bearer token; or,
 * for a marketing campaign the router sends through the Marketing Messages API,
 * `…/{phone-number-id}/marketing_messages` with the same body.
 */
export function cloudProvider(config: CloudConfig, router = new MarketingRouter('messages', 'never', false), strict = false): Provider {
  const base = `${trimSlash(config.baseUrl)}/${config.version}/${encodeURIComponent(config.phoneNumberId)}`;
  const urls = { messages: `${base}/messages`, marketing_messages: `${base}/marketing_messages` };
  const headers = { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' };
  return {
    name: 'cloud',
    family: 'meta',
    buildRequest: (message): HttpRequest => {
      const route = router.route;
      return { method: 'POST', url: urls[route], headers, body: cloudApiBody(message, route === 'marketing_messages' && strict ? { product_policy: 'STRICT' } : undefined) };
    },
    parseResponse: (response) => parseCloudApiResponse(response, router),
    route: () => router.route,
  };
}

const SEND_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/(messages|marketing_messages)$/;
const TEMPLATES_PATH = /^\/(v\d+\.\d+)\/([^/]+)\/message_templates$/;
const WABA_PATH = /^\/(v\d+\.\d+)\/(\d+)$/;
/** The onboarding status the emulator reports when the scenario names none. */
const EMULATOR_ONBOARDING = 'ONBOARDED';
/** The emulator's WhatsApp Business Account id (a demo value, like its token). */
const EMULATOR_WABA_ID = '100000000000002';

/**
 * The route of a campaign on the Cloud API (SPEC "Marketing Messages API"): a marketing template
 * through `/marketing_messages` when `--marketing-api` is `always`, or `auto` and the account is
 * onboarded (read once, with WA_WABA_ID, before the first message); everything else through `/messages`.
 */
function planRoute(env: NodeJS.ProcessEnv, marketing: boolean, policy: MarketingApiPolicy, options: { placeholders: boolean; notice?: (line: string) => void }, query: Omit<Parameters<typeof readOnboarding>[0], 'wabaId'>) {
  const notice = options.notice ?? (() => undefined);
  const router = new MarketingRouter('messages', policy, marketing, notice);
  if (!marketing || policy === 'never') return { router, prepare: undefined };
  if (options.placeholders) {
    // A dry run asks nothing of the network: `always` shows the MM API, `auto` /messages.
    if (policy === 'always') router.start('marketing_messages');
    else notice('dry run: the Marketing Messages API onboarding is not read; the requests show /messages');
    return { router, prepare: undefined };
  }
  const wabaId = wabaIdFromEnv(env);
  if (!wabaId) {
    if (policy === 'always') throw new ConfigError('--marketing-api always needs WA_WABA_ID (the WhatsApp Business Account id) to read the onboarding: set it in the environment or in .env');
    notice('marketing messages go through /messages: WA_WABA_ID is not set, so the Marketing Messages API onboarding cannot be read (set it to use the MM API when onboarded)');
    return { router, prepare: undefined };
  }
  const prepare = async () => {
    const result: OnboardingResult = await readOnboarding({ ...query, wabaId });
    if (result.ok && result.status === 'ONBOARDED') {
      router.start('marketing_messages');
      notice('marketing messages go through the Marketing Messages API (/marketing_messages): the account is onboarded');
      return;
    }
    const why = result.ok ? `marketing_messages_onboarding_status is ${result.status}` : `the onboarding could not be read (${result.why})`;
    if (policy === 'always') {
      throw new ProviderStopError(`--marketing-api always: ${why}, not ONBOARDED; nothing was sent. Onboard the account (WhatsApp Manager › Marketing Messages API) or send with --marketing-api auto`);
    }
    notice(`! marketing messages go through /messages: ${why}`);
  };
  return { router, prepare };
}

/** `--provider cloud`: Meta's WhatsApp Cloud API (SPEC "Providers and credentials"). */
export const cloud = {
  name: 'cloud' as const,
  family: 'meta',
  secrets: { variables: ['WA_TOKEN'] },

  fromEnv(env, spec, options) {
    const [token, phoneNumberId] = requireVariables('cloud', env, options, 'WA_TOKEN', 'WA_PHONE_NUMBER_ID') as [string, string];
    const baseUrl = checkBaseUrl('WA_API_URL', env.WA_API_URL || 'https://graph.facebook.com', options);
    const version = env.WA_API_VERSION || DEFAULT_API_VERSION;
    if (!/^v\d+\.\d+$/.test(version)) throw new ConfigError(`WA_API_VERSION must look like ${DEFAULT_API_VERSION}`);
    const policy = options.marketingApi ?? 'auto';
    const { router, prepare } = planRoute(env, spec.category === 'marketing', policy, options, { baseUrl, version, token });
    return { provider: cloudProvider({ baseUrl, version, phoneNumberId, token }, router, policy === 'always'), baseUrl, sender: `phone-number id ${phoneNumberId}`, redact: makeRedactor([token]), prepare };
  },

  callbacks: metaCallbacks,

  emulator: cloudApiRoute({
    credentials: { WA_TOKEN: 'emulator-token', WA_PHONE_NUMBER_ID: '100000000000001', WA_WABA_ID: EMULATOR_WABA_ID, WA_APP_SECRET: DEMO_APP_SECRET },
    env: (url, credentials) => ({ WA_API_URL: url, WA_TOKEN: credentials.WA_TOKEN!, WA_PHONE_NUMBER_ID: credentials.WA_PHONE_NUMBER_ID!, WA_WABA_ID: credentials.WA_WABA_ID ?? EMULATOR_WABA_ID }),
    match: (path) => SEND_PATH.exec(path) ?? undefined,
    authorize: (request, match, credentials) => {
      const token = credentials.WA_TOKEN;
      if (!token || !safeEqual(headerOf(request, 'authorization') ?? '', `Bearer ${token}`)) return { status: 401, code: 190, message: 'Invalid OAuth access token - Cannot parse access token' };
      if (match[2] !== credentials.WA_PHONE_NUMBER_ID) return { status: 400, code: 100, message: `Unsupported post request. Object with ID '${match[2]}' does not exist` };
      return undefined;
    },
    sender: (match) => `cloud:${match[2]}`,
    route: (match) => (match[3] === 'marketing_messages' ? 'marketing_messages' : 'messages'),
    // The WABA's Marketing Messages API onboarding (GET /{version}/{waba-id}?fields=…).
    serve: (request, credentials, account) => {
      const match = request.method === 'GET' ? WABA_PATH.exec(request.path) : null;
      if (!match) return undefined;
      const token = credentials.WA_TOKEN;
      if (!token || !safeEqual(headerOf(request, 'authorization') ?? '', `Bearer ${token}`)) return { status: 401, body: metaError(190, 'Invalid OAuth access token - Cannot parse access token') };
      if (match[2] !== (credentials.WA_WABA_ID ?? EMULATOR_WABA_ID)) return { status: 400, body: metaError(100, `Unsupported get request. Object with ID '${match[2]}' does not exist`) };
      const fields = (request.query.get('fields') ?? '').split(',');
      return { status: 200, body: { id: match[2], ...(fields.includes('marketing_messages_onboarding_status') ? { marketing_messages_onboarding_status: account.onboarding ?? EMULATOR_ONBOARDING } : {}) } };
    },
    lookup: {
      match: (path) => TEMPLATES_PATH.exec(path) ?? undefined,
      authorize: (request, match, credentials) => {
        const token = credentials.WA_TOKEN;
        const header = request.headers.authorization;
        if (!token || !safeEqual((Array.isArray(header) ? header[0] : header) ?? '', `Bearer ${token}`)) return { status: 401, code: 190, message: 'Invalid OAuth access token - Cannot parse access token' };
        if (match[2] !== (credentials.WA_WABA_ID ?? EMULATOR_WABA_ID)) return { status: 400, code: 100, message: `Unsupported get request. Object with ID '${match[2]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation` };
        return undefined;
      },
      answer: metaTemplatesAnswer,
    },
  }),
  templates: cloudTemplates,
} satisfies ProviderModule;
