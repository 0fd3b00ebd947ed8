import { randomBytes, randomUUID } from 'node:crypto';
import { equivalentCode, httpStatusOf, lookupCode } from '../../codes/error-codes.js';
import { headerOf, type EmulatedLookup, type EmulatedSend, type EmulatedTemplate, type EmulatorAnswer, type EmulatorRoute } from '../emulator-route.js';
import { safeEqual } from '../safe-equal.js';
import { twilioSignature } from './twilio-signature.js';

const SEND_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

function twilioError(code: number, message: string, status: number) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

const answer = (status: number, code: number, message: string): EmulatorAnswer => ({ status, body: twilioError(code, message, status) });

/**
 * Twilio's Messages.json in the emulator: HTTP Basic, the form's To, From or MessagingServiceSid
 * and ContentSid checked, the 201 message resource or a REST error body; status callbacks as
 * forms to each message's StatusCallback, signed with the auth token, with Twilio's numbers for
 * the failures a scenario names in Meta's.
 */
export const twilioEmulator: EmulatorRoute = {
  credentials: { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'emulator-twilio-token' },
  env: (url, credentials) => ({
    TWILIO_API_URL: url,
    TWILIO_CONTENT_URL: url,
    TWILIO_ACCOUNT_SID: credentials.TWILIO_ACCOUNT_SID!,
    TWILIO_AUTH_TOKEN: credentials.TWILIO_AUTH_TOKEN!,
    TWILIO_FROM: '+15550001111',
  }),
  matches: (method, path) => method === 'POST' && SEND_PATH.test(path),

  read(request, credentials, account): EmulatedSend {
    const refuse = (status: number, code: number, message: string): EmulatedSend => ({ ok: false, code, answer: answer(status, code, message) });
    const accountSid = SEND_PATH.exec(request.path)![1]!;
    const sid = credentials.TWILIO_ACCOUNT_SID;
    const token = credentials.TWILIO_AUTH_TOKEN;
    const expected = `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
    if (!sid || !token || !safeEqual(headerOf(request, 'authorization') ?? '', expected) || accountSid !== sid) return refuse(401, 20003, 'Authenticate');
    const form = new URLSearchParams(request.body);
    const toField = form.get('To') ?? '';
    if (!/^whatsapp:\+\d{6,15}$/.test(toField)) return refuse(400, 21211, `The 'To' number ${toField} is not a valid phone number.`);
    if (!form.get('From') && !form.get('MessagingServiceSid')) return refuse(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message");
    if (!/^HX[0-9a-fA-F]{32}$/.test(form.get('ContentSid') ?? '')) return refuse(400, 21619, 'A text message body, media URL or content SID is required');
    if (account?.templates) {
      const refusal = enforceContent(form, account.templates);
      if (refusal) return refuse(400, refusal.code, refusal.message);
    }
    const statusCallback = form.get('StatusCallback') ?? undefined;
    const service = form.get('MessagingServiceSid');
    return {
      ok: true,
      to: toField.slice('whatsapp:'.length),
      correlationId: statusCallback ? (new URL(statusCallback).searchParams.get('cid') ?? undefined) : undefined,
      statusCallback,
      sender: `twilio:${form.get('From') ?? service}`,
      answer: ({ messageId, now }) => {
        const date = new Date(now).toUTCString().replace('GMT', '+0000');
        return {
          status: 201,
          body: {
            account_sid: accountSid,
            api_version: '2010-04-01',
            body: '',
            date_created: date,
            date_sent: null,
            date_updated: date,
            direction: 'outbound-api',
            error_code: null,
            error_message: null,
            from: form.get('From'),
            messaging_service_sid: service,
            num_media: '0',
            num_segments: '1',
            price: null,
            price_unit: null,
            sid: messageId,
            status: service ? 'accepted' : 'queued',
            subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${messageId}/Media.json` },
            to: toField,
            uri: `/2010-04-01/Accounts/${accountSid}/Messages/${messageId}.json`,
          },
        };
      },
    };
  },

  lookup(request, credentials, templates) {
    const content = CONTENT_PATH.exec(request.path);
    if (!content && request.path !== '/v1/ContentAndApprovals') return undefined;
    if (!authorized(request, credentials)) return answer(401, 20003, 'Authenticate');
    if (!content) return listAnswer(templates, request.query);
    const entry = templates.find((t) => t.contentSid === content[1]);
    if (!entry) return answer(404, 20404, `The requested resource /v1/Content/${content[1]} was not found`);
    return { status: 200, body: content[2] ? approvalOf(entry) : contentOf(entry) };
  },

  // Twilio queues what Meta holds: its answer says `queued` either way.
  holds: false,
  throttled: () => ({ code: 20429, answer: answer(429, 20429, 'Too Many Requests') }),
  // Twilio has no documented code for its own 5xx; 20500 is its generic internal error.
  transientCode: 20500,
  error: (code) => answer(httpStatusOf('twilio', code), code, lookupCode('twilio', code)?.title ?? 'Error'),
  newMessageId: () => `SM${randomBytes(16).toString('hex')}`,

  statusCallback(message, planned, { credentials }) {
    if (!message.statusCallback) return undefined;
    const status = planned.status === 'failed' ? 'undelivered' : planned.status;
    const form = new URLSearchParams({
      AccountSid: credentials.TWILIO_ACCOUNT_SID ?? '',
      ApiVersion: '2010-04-01',
      ChannelPrefix: 'whatsapp',
      From: 'whatsapp:+15550000000',
      MessageSid: message.messageId,
      MessageStatus: status,
      SmsSid: message.messageId,
      SmsStatus: status,
      To: `whatsapp:${message.to}`,
    });
    if (planned.status === 'failed') form.set('ErrorCode', String(equivalentCode('meta', planned.code!, 'twilio')));
    return {
      url: message.statusCallback,
      body: form.toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(message.statusCallback, form, credentials.TWILIO_AUTH_TOKEN ?? ''),
        'i-twilio-idempotency-token': randomUUID(),
      },
    };
  },
};

const CONTENT_PATH = /^\/v1\/Content\/([^/]+)(\/ApprovalRequests)?$/;

function authorized(request: EmulatedLookup, credentials: Readonly<Record<string, string>>): boolean {
  const sid = credentials.TWILIO_ACCOUNT_SID;
  const token = credentials.TWILIO_AUTH_TOKEN;
  const header = request.headers.authorization;
  return Boolean(sid && token) && safeEqual((Array.isArray(header) ? header[0] : header) ?? '', `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`);
}

/**
 * A template of the emulated account as a Twilio Content resource (twilio_content_v1.json
 * `content.v1.content`): the body under `twilio/text` (or `twilio/media` with a media header),
 * and `variables` with the approved examples, keyed `1`, `2`… or by name.
 */
function contentOf(entry: EmulatedTemplate) {
  const t = entry.template;
  const variables = Object.fromEntries((t.body?.parameters ?? []).map((p) => [p.name, p.example ?? p.name]));
  const body = t.body?.text ?? '';
  const media = t.header && t.header.format !== 'TEXT' && t.header.example ? [t.header.example] : undefined;
  return {
    sid: entry.contentSid,
    account_sid: `AC${'0'.repeat(32)}`,
    friendly_name: t.name,
    language: t.language,
    variables,
    types: media ? { 'twilio/media': { body, media } } : { 'twilio/text': { body } },
    url: `https://content.twilio.com/v1/Content/${entry.contentSid}`,
    date_created: '2026-01-05T10:00:00Z',
    date_updated: '2026-01-05T10:00:00Z',
    links: { approval_create: `https://content.twilio.com/v1/Content/${entry.contentSid}/ApprovalRequests/whatsapp`, approval_fetch: `https://content.twilio.com/v1/Content/${entry.contentSid}/ApprovalRequests` },
  };
}

/** Its WhatsApp approval (`content.v1.content.approval_fetch`): Meta's name, category and status, in Twilio's lower case. */
function approvalObject(entry: EmulatedTemplate) {
  const t = entry.template;
  return { name: t.name, category: t.category ?? 'UTILITY', content_type: t.header && t.header.format !== 'TEXT' ? 'twilio/media' : 'twilio/text', status: t.status.toLowerCase(), rejection_reason: t.rejectedReason ?? '', allow_category_change: true };
}

function approvalOf(entry: EmulatedTemplate) {
  return { sid: entry.contentSid, account_sid: `AC${'0'.repeat(32)}`, whatsapp: { type: 'whatsapp', ...approvalObject(entry), flows: null }, url: `https://content.twilio.com/v1/Content/${entry.contentSid}/ApprovalRequests` };
}

/** `GET /v1/ContentAndApprovals`: `contents` with `approval_requests`, paged by `PageSize` and `Page`, `meta.next_page_url` absolute as Twilio writes it. */
function listAnswer(templates: readonly EmulatedTemplate[], query: URLSearchParams): EmulatorAnswer {
  const size = Math.max(1, Math.min(Number(query.get('PageSize')) || 50, 1000));
  const page = Math.max(0, Number(query.get('Page')) || 0);
  const withSid = templates.filter((t) => t.contentSid);
  const slice = withSid.slice(page * size, (page + 1) * size);
  const url = (n: number) => `https://content.twilio.com/v1/ContentAndApprovals?PageSize=${size}&Page=${n}`;
  return {
    status: 200,
    body: {
      contents: slice.map((t) => {
        const { sid, account_sid, friendly_name, language, variables, types, date_created, date_updated } = contentOf(t);
        return { sid, account_sid, friendly_name, language, variables, types, date_created, date_updated, approval_requests: approvalObject(t) };
      }),
      meta: { page, page_size: size, first_page_url: url(0), previous_page_url: page > 0 ? url(page - 1) : null, next_page_url: (page + 1) * size < withSid.length ? url(page + 1) : null, url: url(page), key: 'contents' },
    },
  };
}

/**
 * The emulator's Twilio on a Content send: an unknown ContentSid 21655, a template WhatsApp has
 * not approved 63027 (Twilio reports it in the message's status; answered at once here),
 * ContentVariables that are not a JSON object or hold an empty value 21656, a variable the
 * template does not have 63028. A variable left out is filled with its sample, as Twilio does.
 */
function enforceContent(form: URLSearchParams, templates: readonly EmulatedTemplate[]): { code: number; message: string } | undefined {
  const sid = form.get('ContentSid');
  const entry = templates.find((t) => t.contentSid === sid);
  if (!entry) return { code: 21655, message: 'The ContentSid is Invalid' };
  if (entry.template.status !== 'APPROVED') return { code: 63027, message: 'Template does not exist for a language and locale' };
  const raw = form.get('ContentVariables');
  if (raw === null) return undefined;
  let variables: unknown;
  try {
    variables = JSON.parse(raw);
  } catch {
    return { code: 21656, message: 'The ContentVariables Parameter is invalid' };
  }
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return { code: 21656, message: 'The ContentVariables Parameter is invalid' };
  const keys = new Set((entry.template.body?.parameters ?? []).map((p) => p.name));
  for (const [key, value] of Object.entries(variables)) {
    if (value === null || value === '') return { code: 21656, message: 'The ContentVariables Parameter is invalid' };
    if (!keys.has(key)) return { code: 63028, message: 'Number of parameters provided does not match the expected number of parameters' };
  }
  return undefined;
}
