import { codeRows, type CodeInfo, type CodeTable } from './code-info.js';

/*
 * Meta's error codes, for the Cloud API and 360dialog (which passes Meta's codes through):
 *   https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
 * Checked row by row against ../shared/docs/api-facts.md §2.1 and DESIGN.md. HTTP statuses are
 * the error-code page's (Dec 2025): throttling codes are 400 there, not 429.
 */

const TOKEN_FIX = 'create a new system-user token with whatsapp_business_messaging permission and set WA_TOKEN (or D360_API_KEY)';
const PERMISSION_FIX = 'give the token whatsapp_business_messaging and whatsapp_business_management permissions for this WABA';

const ROWS = codeRows({
  // Throttling (api-facts §2.1, §5)
  4: { class: 'throttle', title: 'API too many calls' },
  80007: { class: 'throttle', title: 'Rate limit issues' },
  130429: { class: 'throttle', title: 'Rate limit hit' },
  131056: { class: 'pair_rate', title: 'Pair rate limit hit' },
  // Transient
  1: { class: 'transient', title: 'API unknown', httpStatus: 500 },
  2: { class: 'transient', title: 'API service', httpStatus: 503 },
  131000: { class: 'transient', title: 'Something went wrong', httpStatus: 500 },
  131016: { class: 'transient', title: 'Service unavailable', httpStatus: 500 },
  // Maintenance, e.g. a throughput upgrade, which lasts about a minute.
  131057: { class: 'transient', title: 'Account in maintenance mode', httpStatus: 500, retryDelayMs: 60_000 },
  // Stop the campaign: every recipient would fail the same way
  0: { class: 'stop_campaign', title: 'AuthException', fix: TOKEN_FIX, httpStatus: 401 },
  3: { class: 'stop_campaign', title: 'API method', fix: PERMISSION_FIX },
  10: { class: 'stop_campaign', title: 'Permission denied', fix: PERMISSION_FIX, httpStatus: 403 },
  190: { class: 'stop_campaign', title: 'Access token has expired', fix: TOKEN_FIX, httpStatus: 401 },
  368: { class: 'stop_campaign', title: 'Temporarily blocked for policy violations', fix: 'check Account Quality in WhatsApp Manager; the account is restricted', httpStatus: 403 },
  131005: { class: 'stop_campaign', title: 'Access denied', fix: PERMISSION_FIX, httpStatus: 403 },
  131030: { class: 'stop_campaign', title: 'Recipient phone number not in allowed list', fix: 'a test number can only message the numbers added to its allowed list: add them, or send from a production number' },
  131031: { class: 'stop_campaign', title: 'Account has been locked', fix: 'the business account is locked or restricted: check its Health Status in WhatsApp Manager', httpStatus: 403 },
  131042: { class: 'stop_campaign', title: 'Business eligibility payment issue', fix: 'fix the payment method or credit line in Business Settings › Payments' },
  131045: { class: 'stop_campaign', title: 'Incorrect certificate', fix: 'register the phone number again (POST /{phone-number-id}/register)', httpStatus: 500 },
  131048: { class: 'stop_campaign', title: 'Spam rate limit hit', fix: 'too many messages were blocked or reported: check the number’s quality in WhatsApp Manager before sending more' },
  132000: { class: 'stop_campaign', title: 'Template param count mismatch', fix: 'the spec’s parameters do not match the approved template: compare components with WhatsApp Manager' },
  132001: { class: 'stop_campaign', title: 'Template does not exist', fix: 'check the template name and language in WhatsApp Manager (it must be approved in that language)', httpStatus: 404 },
  // In the send answer the template is paused for everyone; in a status callback it is one held
  // message of a paused template being dropped: retry it once the template is fixed.
  132015: { class: 'stop_campaign', inCallback: 'template_paused', title: 'Template is paused', fix: 'the template was paused for low quality: edit it in WhatsApp Manager, or use another template', equivalent: { twilio: 63016 } },
  132016: { class: 'stop_campaign', title: 'Template is disabled', fix: 'the template was paused too often and is disabled for good: create a new template' },
  133010: { class: 'stop_campaign', title: 'Phone number not registered', fix: 'register the business phone number (POST /{phone-number-id}/register)' },
  // One recipient's request refused for good
  100: { class: 'row_rejected', title: 'Invalid parameter' },
  131008: { class: 'row_rejected', title: 'Required parameter is missing' },
  131009: { class: 'row_rejected', title: 'Parameter value is not valid' },
  131021: { class: 'row_rejected', title: 'Recipient cannot be sender' },
  131051: { class: 'row_rejected', title: 'Unsupported message type' },
  131053: { class: 'row_rejected', title: 'Media upload error' },
  132005: { class: 'row_rejected', title: 'Template hydrated text too long' },
  132012: { class: 'row_rejected', title: 'Template parameter format mismatch' },
  132018: { class: 'row_rejected', title: 'Template parameter issue' },
  135000: { class: 'row_rejected', title: 'Generic user error' },
  // Decided later by reconcile (these usually arrive in status callbacks, sometimes in the answer).
  // `equivalent.twilio`: what Twilio reports when Meta reports this (api-facts.md §2.2).
  131049: { class: 'retry_later', title: 'Meta chose not to deliver', equivalent: { twilio: 63049 } },
  130472: { class: 'sms_fallback', title: "User's number is part of an experiment", reason: 'experiment', equivalent: { twilio: 63032 } },
  131026: { class: 'sms_fallback', title: 'Message undeliverable', reason: 'not_on_whatsapp', equivalent: { twilio: 63024 } },
  131050: { class: 'opted_out', title: 'User stopped receiving marketing messages', equivalent: { twilio: 21610 } },
});

const API_PERMISSION: CodeInfo = { class: 'stop_campaign', title: 'API permission', fix: PERMISSION_FIX, httpStatus: 403 };

export const META_CODES: CodeTable = {
  rows: ROWS,
  // 200–299: "API permission", one meaning for the whole range.
  range: (code) => (code >= 200 && code <= 299 ? API_PERMISSION : undefined),
  defaultHttpStatus: () => 400,
};
