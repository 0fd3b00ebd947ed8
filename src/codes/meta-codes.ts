import { codeRows, type CodeInfo, type CodeTable } from './code-info.js';

/*
 * Meta's error codes, for the Cloud API, the Marketing Messages API and 360dialog (which passes
 * Meta's codes through). Every row names its source; the research behind them, with the lines of
 * each page, is in ../shared/docs/api-facts.md §2.1 and the codes notes (corrections to api-facts
 * included). HTTP statuses are the error-code page's (Dec 2025): throttling codes are 400 there,
 * not 429.
 */

/** Meta "Error codes" (Dec 2025 copy read in full; EN page updated Jun 2026). */
const M_ERR = 'https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes';
/** Meta's changelog (v23 additions, On-Premises 2061/2062). */
const M_CHG = 'https://developers.facebook.com/documentation/business-messaging/whatsapp/changelog';
/** Meta "Business-scoped user IDs". */
const M_BSUID = 'https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids';
/** Meta "Send marketing messages" (Marketing Messages API). */
const M_MM_SEND = 'https://developers.facebook.com/documentation/business-messaging/whatsapp/marketing-messages/send-marketing-messages';
/** pywa's error classes (david-lev/pywa@0bcf2f19 pywa/errors.py), whose docstrings copy Meta's text: for codes newer than the error page. */
const PYWA = 'https://github.com/david-lev/pywa/blob/0bcf2f19/pywa/errors.py';

const TOKEN_FIX = 'create a new system-user token with whatsapp_business_messaging permission and set WA_TOKEN (or D360_API_KEY)';
const PERMISSION_FIX = 'give the token whatsapp_business_messaging and whatsapp_business_management permissions for this WABA';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const ROWS = codeRows({
  // Throttling (api-facts §2.1, §5)
  4: { class: 'throttle', title: 'API too many calls', source: M_ERR },
  80007: { class: 'throttle', title: 'Rate limit issues', source: M_ERR },
  130429: { class: 'throttle', title: 'Rate limit hit', source: M_ERR, uncertain: 'older copies of the page answer it with HTTP 429' },
  131056: { class: 'pair_rate', title: 'Pair rate limit hit', source: M_ERR },
  // Transient
  1: { class: 'transient', title: 'API unknown', httpStatus: 500, source: M_ERR },
  2: { class: 'transient', title: 'API service', httpStatus: 503, source: M_ERR },
  131000: { class: 'transient', title: 'Something went wrong', httpStatus: 500, source: M_ERR },
  131016: { class: 'transient', title: 'Service unavailable', httpStatus: 500, source: M_ERR },
  // Maintenance, e.g. a throughput upgrade, which lasts about a minute.
  131057: { class: 'transient', title: 'Account in maintenance mode', httpStatus: 500, retryDelayMs: MINUTE, source: M_ERR },
  // Marketing Messages API, v23.0+: a new (or 7 days idle) template syncs with the ad account for up to 10 minutes.
  134101: { class: 'transient', title: 'Your template is still syncing', retryDelayMs: 10 * MINUTE, source: `${M_ERR} ; ${M_MM_SEND}` },
  // Stop the campaign: every recipient would fail the same way
  0: { class: 'stop_campaign', title: 'AuthException', fix: TOKEN_FIX, httpStatus: 401, source: M_ERR },
  3: { class: 'stop_campaign', title: 'API method', fix: PERMISSION_FIX, source: M_ERR },
  10: { class: 'stop_campaign', title: 'Permission denied', fix: PERMISSION_FIX, httpStatus: 403, source: M_ERR },
  190: { class: 'stop_campaign', title: 'Access token has expired', fix: TOKEN_FIX, httpStatus: 401, source: M_ERR },
  368: { class: 'stop_campaign', title: 'Temporarily blocked for policy violations', fix: 'check Account Quality in WhatsApp Manager; the account is restricted', httpStatus: 403, source: M_ERR },
  131005: { class: 'stop_campaign', title: 'Access denied', fix: PERMISSION_FIX, httpStatus: 403, source: M_ERR },
  131030: { class: 'stop_campaign', title: 'Recipient phone number not in allowed list', fix: 'a test number can only message the numbers added to its allowed list: add them, or send from a production number', source: M_ERR },
  131031: { class: 'stop_campaign', title: 'Account has been locked', fix: 'the business account is locked or restricted: check its Health Status in WhatsApp Manager', httpStatus: 403, equivalent: { twilio: 63051 }, source: M_ERR },
  131037: { class: 'stop_campaign', title: 'WhatsApp-provided number needs display name approval before message can be sent', fix: 'the display name of this number is not approved yet: have it approved in WhatsApp Manager (Phone numbers)', source: M_ERR },
  131042: { class: 'stop_campaign', title: 'Business eligibility payment issue', fix: 'fix the payment method or credit line in Business Settings › Payments', source: M_ERR },
  131045: { class: 'stop_campaign', title: 'Incorrect certificate', fix: 'register the phone number again (POST /{phone-number-id}/register)', httpStatus: 500, source: M_ERR },
  // Sending restricted: too many earlier messages were blocked or reported. In a callback the
  // recipient is tried again a day later, once the number's quality has recovered.
  131048: {
    class: 'stop_campaign',
    title: 'Spam rate limit hit',
    fix: 'too many messages were blocked or reported: check the number’s quality in WhatsApp Manager before sending more',
    laterRetry: { reason: 'spam_rate_limit', afterMs: 24 * HOUR },
    equivalent: { twilio: 63018 },
    source: M_ERR,
    uncertain: 'the page lists it as a send answer; it is reported in status callbacks too',
  },
  131064: {
    class: 'stop_campaign',
    title: 'Messaging limit reached due to template classification violations',
    fix: 'the account reached its messaging limit because templates were miscategorised: check WhatsApp Manager’s notifications and wait for the limit to lift',
    laterRetry: { reason: 'messaging_limit', afterMs: 24 * HOUR },
    source: PYWA,
    uncertain: 'no official title or HTTP status found (pywa MessageFailedToReachMessagingLimit)',
  },
  132000: { class: 'stop_campaign', title: 'Template param count mismatch', fix: 'the spec’s parameters do not match the approved template: compare components with WhatsApp Manager', equivalent: { twilio: 63028 }, source: M_ERR },
  132001: { class: 'stop_campaign', title: 'Template does not exist', fix: 'check the template name and language in WhatsApp Manager (it must be approved in that language)', httpStatus: 404, equivalent: { twilio: 63027 }, source: M_ERR },
  132007: { class: 'stop_campaign', title: 'Template format character policy violated', fix: 'the template’s content violates a WhatsApp policy: edit it in WhatsApp Manager or use another template', source: M_ERR },
  // In the send answer the template is paused for everyone; in a status callback it is one held
  // message of a paused template being dropped: retry it once the template is fixed.
  132015: { class: 'stop_campaign', inCallback: 'template_paused', title: 'Template is paused', fix: 'the template was paused for low quality: edit it in WhatsApp Manager, or use another template', equivalent: { twilio: 63041 }, source: `${M_ERR} ; seeds/002_529f23168fadc9ad.txt:80` },
  132016: { class: 'stop_campaign', title: 'Template is disabled', fix: 'the template was paused too often and is disabled for good: create a new template', equivalent: { twilio: 63042 }, source: M_ERR },
  132068: { class: 'stop_campaign', title: 'Flow is blocked', fix: 'the template’s flow is blocked: fix the flow in WhatsApp Manager', source: M_ERR },
  // A throttled flow: 10 messages with it were already sent in the last hour.
  132069: { class: 'stop_campaign', title: 'Flow is throttled', fix: 'the template’s flow is throttled (10 messages an hour): fix the flow, or wait an hour', laterRetry: { reason: 'flow_throttled', afterMs: HOUR }, source: M_ERR },
  133010: { class: 'stop_campaign', title: 'Phone number not registered', fix: 'register the business phone number (POST /{phone-number-id}/register)', source: M_ERR },
  // Marketing Messages API, v23.0+: ad sync failed or the WABA is not eligible.
  134102: {
    class: 'stop_campaign',
    title: 'Template unavailable for use',
    fix: 'the Marketing Messages API cannot send this template: check that marketing_messages_onboarding_status is ONBOARDED, or send with --marketing-api never',
    httpStatus: 500,
    equivalent: { twilio: 63054 },
    source: M_ERR,
  },
  // The On-Premises API's numbers for a paused and a disabled template (Meta changelog 2023-05-23).
  2061: { class: 'stop_campaign', inCallback: 'template_paused', title: 'Template is paused (On-Premises API)', fix: 'the template was paused for low quality: edit it in WhatsApp Manager, or use another template', source: `${M_CHG} (2023-05-23) ; seeds/002_529f23168fadc9ad.txt:80`, uncertain: 'no HTTP status documented' },
  2062: { class: 'stop_campaign', title: 'Template is disabled (On-Premises API)', fix: 'the template was paused too often and is disabled for good: create a new template', source: `${M_CHG} (2023-05-23)`, uncertain: 'no HTTP status documented' },
  // Routes: the account's marketing goes through one API, and the MM API takes marketing only.
  131063: { class: 'route_marketing', title: 'Marketing templates disabled for Cloud API', source: PYWA, uncertain: 'not on the Dec 2025 error page; HTTP status unknown' },
  131055: { class: 'route_messages', title: 'Method not allowed', source: `${M_ERR} ; ${M_MM_SEND}`, uncertain: 'also answered to SIP-enabled numbers, and by 360dialog when the MM API terms are not accepted' },
  134100: { class: 'route_messages', title: 'Only marketing messages supported', source: M_ERR },
  // One recipient's request refused for good
  100: { class: 'row_rejected', title: 'Invalid parameter', source: M_ERR },
  131008: { class: 'row_rejected', title: 'Required parameter is missing', source: M_ERR },
  // On the Marketing Messages API it also means the template's ad sync is not done yet (right after
  // onboarding, or for a template idle a week): wait ten minutes and try again.
  131009: { class: 'row_rejected', title: 'Parameter value is not valid', onMarketingApi: { class: 'transient', title: 'Parameter value is not valid (ad sync may be incomplete)', retryDelayMs: 10 * MINUTE }, source: M_ERR },
  131021: { class: 'row_rejected', title: 'Recipient cannot be sender', equivalent: { twilio: 63031 }, source: M_ERR },
  131047: { class: 'row_rejected', title: 'Re-engagement message', source: M_ERR, uncertain: 'for free-form messages outside the 24 h window; a template should never get it' },
  131051: { class: 'row_rejected', title: 'Unsupported message type', source: M_ERR },
  // About media a user sent us (inbound); should a send ever get it, a person must look.
  131052: { class: 'row_rejected', title: 'Media download error', source: M_ERR },
  131053: { class: 'row_rejected', title: 'Media upload error', source: M_ERR },
  131061: { class: 'row_rejected', title: 'Undocumented error 131061', source: 'uncertain', uncertain: 'no page, library or issue found for 131061: kept for a person to look at (failed.csv)' },
  131062: { class: 'row_rejected', title: 'BSUID recipients not supported', source: `${M_BSUID} ; ${PYWA}` },
  132005: { class: 'row_rejected', title: 'Template hydrated text too long', source: M_ERR },
  132008: { class: 'row_rejected', title: 'Template param value invalid', source: PYWA, uncertain: 'not on the Dec 2025 error page' },
  132012: { class: 'row_rejected', title: 'Template parameter format mismatch', source: M_ERR },
  132018: { class: 'row_rejected', title: 'Template parameter issue', source: `${M_CHG} (2025-05-29, v23.0)`, uncertain: 'title from a third-party page' },
  135000: { class: 'row_rejected', title: 'Generic user error', source: M_ERR },
  // Decided later by reconcile (these usually arrive in status callbacks, sometimes in the answer).
  // `equivalent.twilio`: what Twilio reports when Meta reports this (api-facts.md §2.2).
  131049: { class: 'retry_later', title: 'Meta chose not to deliver', equivalent: { twilio: 63049 }, source: M_ERR },
  130472: { class: 'sms_fallback', title: "User's number is part of an experiment", reason: 'experiment', equivalent: { twilio: 63032 }, source: M_ERR },
  131026: { class: 'sms_fallback', title: 'Message undeliverable', reason: 'not_on_whatsapp', equivalent: { twilio: 63024 }, source: `${M_ERR} ; seeds/004_c850f9cff0803c0a.txt:247` },
  131050: { class: 'opted_out', title: 'User stopped receiving marketing messages', equivalent: { twilio: 21610 }, source: M_ERR },
} satisfies Record<number, CodeInfo>);

const API_PERMISSION: CodeInfo = { class: 'stop_campaign', title: 'API permission', fix: PERMISSION_FIX, httpStatus: 403, source: M_ERR };

export const META_CODES: CodeTable = {
  rows: ROWS,
  // 200–299: "API permission", one meaning for the whole range.
  range: (code) => (code >= 200 && code <= 299 ? API_PERMISSION : undefined),
  defaultHttpStatus: () => 400,
};
