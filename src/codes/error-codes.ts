/**
 * The one table of provider error codes: what `send` does in the run and what `reconcile` does
 * afterwards. Both read it; nothing else decides by code.
 *
 * Meta (Cloud API and 360dialog, which passes Meta's codes through):
 *   https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
 * Twilio: https://www.twilio.com/docs/api/errors (per-code pages cited in api-facts.md §2.2)
 * Checked row by row against ../shared/docs/api-facts.md §2 and DESIGN.md.
 */

export type ErrorClass =
  /** Over the sender's throughput: slow the whole campaign down and retry the recipient. */
  | 'throttle'
  /** Too many messages to one user: retry that recipient after 4^n seconds. */
  | 'pair_rate'
  /** Temporary trouble on the provider's side: retry in the run with backoff, a bounded number of times. */
  | 'transient'
  /** Would fail every recipient (token, template, account, payment): stop the campaign, exit 3. */
  | 'stop_campaign'
  /** This recipient's request was refused for good; no retry, counted in the summary. */
  | 'row_rejected'
  /** Meta chose not to deliver (per-user marketing limit): retry no sooner than 24 h later. */
  | 'retry_later'
  /** WhatsApp cannot reach this person: reach them by SMS. */
  | 'sms_fallback'
  /** The person opted out: never message again. */
  | 'opted_out'
  /** A held message of a paused template was dropped: retry after the template is fixed. */
  | 'template_paused';

export type ProviderFamily = 'meta' | 'twilio';

export interface CodeInfo {
  class: ErrorClass;
  title: string;
  /** For stop_campaign: what the operator should do. */
  fix?: string;
  /** For sms_fallback: the `reason` reconcile writes in sms-fallback.csv. */
  reason?: 'experiment' | 'not_on_whatsapp';
}

const TOKEN_FIX = 'create a new system-user token with whatsapp_business_messaging permission and set WA_TOKEN (or D360_API_KEY)';
const PERMISSION_FIX = 'give the token whatsapp_business_messaging and whatsapp_business_management permissions for this WABA';

const META = table({
  // Throttling (api-facts §2.1, §5)
  4: { class: 'throttle', title: 'API too many calls' },
  80007: { class: 'throttle', title: 'Rate limit issues' },
  130429: { class: 'throttle', title: 'Rate limit hit' },
  131056: { class: 'pair_rate', title: 'Pair rate limit hit' },
  // Transient
  1: { class: 'transient', title: 'API unknown' },
  2: { class: 'transient', title: 'API service' },
  131000: { class: 'transient', title: 'Something went wrong' },
  131016: { class: 'transient', title: 'Service unavailable' },
  131057: { class: 'transient', title: 'Account in maintenance mode' },
  // Stop the campaign: every recipient would fail the same way
  0: { class: 'stop_campaign', title: 'AuthException', fix: TOKEN_FIX },
  3: { class: 'stop_campaign', title: 'API method', fix: PERMISSION_FIX },
  10: { class: 'stop_campaign', title: 'Permission denied', fix: PERMISSION_FIX },
  190: { class: 'stop_campaign', title: 'Access token has expired', fix: TOKEN_FIX },
  368: { class: 'stop_campaign', title: 'Temporarily blocked for policy violations', fix: 'check Account Quality in WhatsApp Manager; the account is restricted' },
  131005: { class: 'stop_campaign', title: 'Access denied', fix: PERMISSION_FIX },
  131030: { class: 'stop_campaign', title: 'Recipient phone number not in allowed list', fix: 'a test number can only message the numbers added to its allowed list: add them, or send from a production number' },
  131031: { class: 'stop_campaign', title: 'Account has been locked', fix: 'the business account is locked or restricted: check its Health Status in WhatsApp Manager' },
  131042: { class: 'stop_campaign', title: 'Business eligibility payment issue', fix: 'fix the payment method or credit line in Business Settings › Payments' },
  131045: { class: 'stop_campaign', title: 'Incorrect certificate', fix: 'register the phone number again (POST /{phone-number-id}/register)' },
  131048: { class: 'stop_campaign', title: 'Spam rate limit hit', fix: 'too many messages were blocked or reported: check the number’s quality in WhatsApp Manager before sending more' },
  132000: { class: 'stop_campaign', title: 'Template param count mismatch', fix: 'the spec’s parameters do not match the approved template: compare components with WhatsApp Manager' },
  132001: { class: 'stop_campaign', title: 'Template does not exist', fix: 'check the template name and language in WhatsApp Manager (it must be approved in that language)' },
  132015: { class: 'stop_campaign', title: 'Template is paused', fix: 'the template was paused for low quality: edit it in WhatsApp Manager, or use another template' },
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
  // Decided later by reconcile (these usually arrive in status callbacks, sometimes in the answer)
  131049: { class: 'retry_later', title: 'Meta chose not to deliver' },
  130472: { class: 'sms_fallback', title: "User's number is part of an experiment", reason: 'experiment' },
  131026: { class: 'sms_fallback', title: 'Message undeliverable', reason: 'not_on_whatsapp' },
  131050: { class: 'opted_out', title: 'User stopped receiving marketing messages' },
});

const TWILIO = table({
  20429: { class: 'throttle', title: 'Too many requests' },
  20003: { class: 'stop_campaign', title: 'Authentication error', fix: 'check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN' },
  20404: { class: 'stop_campaign', title: 'Resource not found', fix: 'check TWILIO_ACCOUNT_SID, TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID' },
  63016: { class: 'stop_campaign', title: 'Outside messaging window: use a message template', fix: 'send through an approved Content template: set twilio.contentSid in the spec' },
  63018: { class: 'stop_campaign', title: 'Rate limit exceeded for channel', fix: 'the sender hit its messaging limit: wait 24 hours or raise the limit' },
  63020: { class: 'stop_campaign', title: 'Business eligibility (payment)', fix: 'fix the WhatsApp Business Account’s payment method with Meta' },
  21211: { class: 'row_rejected', title: "Invalid 'To' phone number" },
  21408: { class: 'row_rejected', title: 'Permission to send to this region is not enabled' },
  63049: { class: 'retry_later', title: 'Meta chose not to deliver this marketing message' },
  63032: { class: 'sms_fallback', title: "User's number is part of an experiment", reason: 'experiment' },
  63003: { class: 'sms_fallback', title: 'Channel could not find To address', reason: 'not_on_whatsapp' },
  63024: { class: 'sms_fallback', title: 'Invalid message recipient', reason: 'not_on_whatsapp' },
  21610: { class: 'opted_out', title: 'Attempt to send to unsubscribed recipient' },
});

/**
 * A table as a Map keyed by number: the code comes from a provider's answer or a callback, and an
 * object's own keys are not all it answers to (`table["constructor"]`).
 */
function table(rows: Record<number, CodeInfo>): ReadonlyMap<number, CodeInfo> {
  return new Map(Object.entries(rows).map(([code, info]) => [Number(code), info]));
}

/** What a provider error code means, or undefined for a code not in the table. */
export function lookupCode(family: ProviderFamily, code: number): CodeInfo | undefined {
  if (family === 'meta' && code >= 200 && code <= 299) {
    return { class: 'stop_campaign', title: 'API permission', fix: PERMISSION_FIX };
  }
  return (family === 'meta' ? META : TWILIO).get(code);
}
