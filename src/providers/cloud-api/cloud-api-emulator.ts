import { randomBytes } from 'node:crypto';
import { httpStatusOf, lookupCode } from '../../codes/error-codes.js';
import { parseJson } from '../classify-answer.js';
import { DEFAULT_ACCOUNT, type EmulatedAccount } from '../emulator-route.js';
import type { CallbackContext, EmulatedLookup, EmulatedMessage, EmulatedRequest, EmulatedSend, EmulatedTemplate, EmulatorAnswer, EmulatorRoute, OutgoingCallback, PlannedStatus } from '../emulator-route.js';
import { enforceTemplate } from './enforce-template.js';
import { HELD_STATUS } from '../held-status.js';
import { escapeNonAscii, metaSignature } from './meta-signature.js';

/** The app secret Meta-shaped callbacks are signed with when WA_APP_SECRET is not set (a demo value, not a secret). */
export const DEMO_APP_SECRET = 'emulator-app-secret';
const DEMO_PHONE_NUMBER_ID = '100000000000001';

export interface CloudApiRouteOptions {
  credentials: Readonly<Record<string, string>>;
  env(url: string, credentials: Readonly<Record<string, string>>): Record<string, string>;
  /** The send path's match, or undefined when the path is not this provider's. */
  match(path: string): RegExpExecArray | undefined;
  /** Refuses a request without this provider's credentials: the Meta error code and status, or undefined when allowed. */
  authorize(request: EmulatedRequest, match: RegExpExecArray, credentials: Readonly<Record<string, string>>): { status: number; code: number; message: string } | undefined;
  /** Whose throughput a send counts against. */
  sender(match: RegExpExecArray): string;
  /** Which API the send path is: `/messages` or the Marketing Messages API's `/marketing_messages`. */
  route(match: RegExpExecArray): 'messages' | 'marketing_messages';
  /** Answers another request of this platform (the WABA's onboarding field), or undefined. */
  serve?: EmulatorRoute['serve'];
  /** Its template look-up, if it has one (ProviderModule's `templates`): the path's match, the auth check (as for sends), and the answer's shape. */
  lookup?: {
    match(path: string): RegExpExecArray | undefined;
    authorize(request: EmulatedLookup, match: RegExpExecArray, credentials: Readonly<Record<string, string>>): { status: number; code: number; message: string } | undefined;
    answer(templates: readonly EmulatedTemplate[], query: URLSearchParams): unknown;
  };
}

/**
 * The emulated Cloud API send (Meta's, and 360dialog's, which answers with Meta's shapes): the
 * Cloud API body checked, Meta's answers and error bodies (`code`, `fbtrace_id`), Meta's pair
 * rate (131056), held messages, and Meta-shaped status callbacks to `--webhook-url`, signed with
 * WA_APP_SECRET, echoing `biz_opaque_callback_data`. Providers differ in path and auth only.
 */
export function cloudApiRoute(options: CloudApiRouteOptions): EmulatorRoute {
  return {
    credentials: options.credentials,
    env: options.env,
    matches: (method, path) => method === 'POST' && options.match(path) !== undefined,
    read: (request, credentials, account = DEFAULT_ACCOUNT) => readCloudApiSend(request, options, credentials, account),
    serve: options.serve,
    lookup: (request, credentials, templates) => {
      const { lookup } = options;
      const match = lookup?.match(request.path);
      if (!lookup || !match) return undefined;
      const refusal = lookup.authorize(request, match, credentials);
      if (refusal) return { status: refusal.status, body: metaError(refusal.code, refusal.message) };
      return { status: 200, body: lookup.answer(templates, request.query) };
    },
    holds: true,
    throttled: () => ({ code: 130429, answer: { status: 400, body: metaError(130429, 'Rate limit hit', 'Cloud API message throughput has been reached.') } }),
    pairRateLimited: () => ({ code: 131056, answer: { status: 400, body: metaError(131056, '(Business Account, Consumer Account) pair rate limit hit') } }),
    transientCode: 131000,
    error: (code) => ({ status: httpStatusOf('meta', code), body: metaError(code, lookupCode('meta', code)?.title ?? 'Error') }),
    newMessageId: () => `wamid.${randomBytes(24).toString('base64url')}`,
    statusCallback: metaStatusCallback,
  };
}

function readCloudApiSend(
  request: EmulatedRequest,
  options: CloudApiRouteOptions,
  credentials: Readonly<Record<string, string>>,
  account: EmulatedAccount,
): EmulatedSend {
  const refuse = (status: number, code: number, message: string): EmulatedSend => ({ ok: false, code, answer: { status, body: metaError(code, message) } });
  const match = options.match(request.path)!;
  const refusal = options.authorize(request, match, credentials);
  if (refusal) return refuse(refusal.status, refusal.code, refusal.message);
  const message = parseJson(request.body) as
    | { messaging_product?: unknown; to?: unknown; type?: unknown; template?: { name?: unknown; language?: { code?: unknown }; components?: unknown }; biz_opaque_callback_data?: unknown; product_policy?: unknown }
    | undefined;
  if (!message || message.messaging_product !== 'whatsapp' || typeof message.to !== 'string' || message.type !== 'template' || typeof message.template?.name !== 'string' || typeof message.template.language?.code !== 'string') {
    return refuse(400, 100, 'Invalid parameter');
  }
  // The template as the account holds it first (it must exist, be approved and fit), then the route.
  if (account.templates) {
    const refusal = enforceTemplate({ name: message.template.name, language: message.template.language.code, components: message.template.components }, account.templates);
    if (refusal) return { ok: false, code: refusal.code, answer: { status: httpStatusOf('meta', refusal.code), body: metaError(refusal.code, refusal.title, refusal.details) } };
  }
  // The Marketing Messages API takes marketing templates only; an account that disabled marketing
  // on Cloud API takes them only there; a STRICT send from an account not onboarded is refused
  // (without STRICT, Meta sends it through Cloud API: priced `marketing`, not `marketing_lite`).
  const route = options.route(match);
  const marketing = account.categoryOf(message.template.name) === 'marketing';
  let pricingCategory: string | undefined;
  if (route === 'marketing_messages') {
    if (!marketing) return refuse(400, 131055, 'Method not allowed');
    if (account.onboarding === 'ONBOARDED') pricingCategory = 'marketing_lite';
    else if (message.product_policy === 'STRICT') return refuse(500, 134102, 'Template unavailable for use');
  } else if (marketing && !account.marketingOnCloudApi) {
    return refuse(400, 131063, 'Marketing templates disabled for Cloud API');
  }
  const input = message.to;
  return {
    ...(pricingCategory ? { pricingCategory } : {}),
    ok: true,
    to: input.startsWith('+') ? input : `+${input}`,
    correlationId: typeof message.biz_opaque_callback_data === 'string' ? message.biz_opaque_callback_data : undefined,
    statusCallback: undefined,
    sender: options.sender(match),
    answer: ({ messageId, waId, held }): EmulatorAnswer => ({
      status: 200,
      body: { messaging_product: 'whatsapp', contacts: [{ input, wa_id: waId }], messages: [{ id: messageId, message_status: held ? HELD_STATUS : 'accepted' }] },
    }),
  };
}

/** A Graph API error body. */
export function metaError(code: number, title: string, details?: string) {
  return {
    error: {
      message: `(#${code}) ${title}`,
      type: 'OAuthException',
      code,
      error_data: { messaging_product: 'whatsapp', details: details ?? title },
      fbtrace_id: randomBytes(12).toString('base64url'),
    },
  };
}

/**
 * A Meta `statuses` callback for one status (api-facts §1.5): `recipient_id` the WhatsApp id,
 * `errors[]` on a failure, pricing until read; posted to `--webhook-url`.
 */
function metaStatusCallback(message: EmulatedMessage, planned: PlannedStatus, { webhookUrl, credentials, at }: CallbackContext): OutgoingCallback | undefined {
  if (!webhookUrl) return undefined;
  const status: Record<string, unknown> = {
    id: message.messageId,
    status: planned.status,
    timestamp: String(Math.floor(at / 1000)),
    recipient_id: message.waId,
    ...(message.correlationId ? { biz_opaque_callback_data: message.correlationId } : {}),
  };
  if (planned.status === 'failed') {
    const title = lookupCode('meta', planned.code!)?.title ?? 'Error';
    status.errors = [{ code: planned.code, title, message: title, error_data: { details: title }, href: '/documentation/business-messaging/whatsapp/support/error-codes' }];
  } else if (planned.status !== 'read') {
    status.pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: message.pricingCategory ?? 'marketing' };
  }
  const phoneNumberId = credentials.WA_PHONE_NUMBER_ID ?? DEMO_PHONE_NUMBER_ID;
  // Meta sends its JSON with non-ASCII characters escaped, and signs exactly those bytes.
  const body = escapeNonAscii(
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: 'emulator-waba', changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId }, statuses: [status] }, field: 'messages' }] }],
    }),
  );
  const appSecret = credentials.WA_APP_SECRET ?? DEMO_APP_SECRET;
  return { url: webhookUrl, body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body, appSecret) } };
}

/** Meta's `GET /{WABA-ID}/message_templates` answer: `data` and cursor `paging`, `name` matched as part of a name (as Meta may), `language` exactly. */
export function metaTemplatesAnswer(templates: readonly EmulatedTemplate[], query: URLSearchParams): unknown {
  const name = query.get('name');
  const language = query.get('language');
  const all = templates.filter((t) => (!name || t.template.name.includes(name)) && (!language || t.template.language === language));
  const limit = Math.max(1, Math.min(Number(query.get('limit')) || 25, 1000));
  const offset = Number(Buffer.from(query.get('after') ?? '', 'base64url').toString() || 0) || 0;
  const page = all.slice(offset, offset + limit);
  const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
  const more = offset + limit < all.length;
  return {
    data: page.map((t) => t.meta),
    paging: { cursors: { before: cursor(offset), after: cursor(offset + page.length) }, ...(more ? { next: `https://graph.facebook.com/next?after=${cursor(offset + page.length)}` } : {}) },
  };
}

/** 360dialog's `GET /v1/configs/templates` answer: `waba_templates` with lower-case statuses, paged by `limit` and `offset`. */
export function dialog360TemplatesAnswer(templates: readonly EmulatedTemplate[], query: URLSearchParams): unknown {
  const limit = Math.max(1, Math.min(Number(query.get('limit')) || 1000, 1000));
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const page = templates.slice(offset, offset + limit);
  return {
    count: page.length,
    filters: {},
    limit,
    offset,
    sort: ['id'],
    total: templates.length,
    waba_templates: page.map((t) => ({ ...t.meta, status: String(t.meta.status).toLowerCase(), namespace: 'emulator_namespace', waba_account_id: 'emulator' })),
  };
}
