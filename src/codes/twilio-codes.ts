import { codeRows, type CodeTable } from './code-info.js';

/*
 * Twilio's error codes: https://www.twilio.com/docs/api/errors (per-code pages cited in
 * api-facts.md §2.2). Checked row by row against ../shared/docs/api-facts.md §2.2 and DESIGN.md.
 * A REST error body carries the HTTP status itself (`status`); channel errors (63xxx) arrive in
 * status callbacks.
 */

const ROWS = codeRows({
  20429: { class: 'throttle', title: 'Too many requests', httpStatus: 429 },
  20003: { class: 'stop_campaign', title: 'Authentication error', fix: 'check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN', httpStatus: 401 },
  20404: { class: 'stop_campaign', title: 'Resource not found', fix: 'check TWILIO_ACCOUNT_SID, TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID' },
  // Template errors (https://www.twilio.com/docs/api/errors/21655, /63027, /63028): every recipient would fail alike.
  21655: { class: 'stop_campaign', title: 'The ContentSid is Invalid', fix: 'check twilio.contentSid in the spec: it must be a Content template of this account (Content Template Builder shows it)' },
  63027: { class: 'stop_campaign', title: 'Template does not exist for a language and locale', fix: 'the Content template is not approved for WhatsApp in that language: check its approval in the Content Template Builder' },
  63028: { class: 'stop_campaign', title: 'Number of parameters provided does not match the expected number of parameters', fix: 'the spec’s twilio.variables do not match the Content template’s variables: run wa-broadcast validate --online' },
  63016: { class: 'stop_campaign', title: 'Outside messaging window: use a message template', fix: 'send through an approved Content template: set twilio.contentSid in the spec' },
  63018: { class: 'stop_campaign', title: 'Rate limit exceeded for channel', fix: 'the sender hit its messaging limit: wait 24 hours or raise the limit' },
  63020: { class: 'stop_campaign', title: 'Business eligibility (payment)', fix: 'fix the WhatsApp Business Account’s payment method with Meta' },
  21656: { class: 'row_rejected', title: 'The ContentVariables Parameter is invalid' },
  21211: { class: 'row_rejected', title: "Invalid 'To' phone number" },
  21408: { class: 'row_rejected', title: 'Permission to send to this region is not enabled' },
  63049: { class: 'retry_later', title: 'Meta chose not to deliver this marketing message' },
  63032: { class: 'sms_fallback', title: "User's number is part of an experiment", reason: 'experiment' },
  63003: { class: 'sms_fallback', title: 'Channel could not find To address', reason: 'not_on_whatsapp' },
  63024: { class: 'sms_fallback', title: 'Invalid message recipient', reason: 'not_on_whatsapp' },
  21610: { class: 'opted_out', title: 'Attempt to send to unsubscribed recipient' },
});

export const TWILIO_CODES: CodeTable = {
  rows: ROWS,
  // Twilio documents no code for its own server errors; 20500 is its generic internal error, and
  // the 205xx codes are answered with a 5xx.
  defaultHttpStatus: (code) => (code >= 20500 && code < 20600 ? 500 : 400),
};
