import { isRecord } from '../template-lookup.js';

/**
 * The message of a Graph error body (`{"error": {"message", "code"}}`), and 360dialog's own
 * (`{"meta": {"developerMessage"}}`, also seen in snake case: templates-facts.md §3), for the
 * line that says a look-up failed.
 */
export function metaErrorMessage(json: unknown): string | undefined {
  if (!isRecord(json)) return undefined;
  const error = isRecord(json.error) ? json.error : isRecord(json.detail) && isRecord(json.detail.error) ? json.detail.error : undefined;
  if (error && typeof error.message === 'string') return typeof error.code === 'number' && !error.message.includes(`#${error.code}`) ? `${error.message} (${error.code})` : error.message;
  const meta = isRecord(json.meta) ? json.meta : undefined;
  const developer = meta?.developerMessage ?? meta?.developer_message;
  return typeof developer === 'string' ? developer : undefined;
}

/** What to do about a failed Cloud API look-up, by HTTP status. */
export function META_LOOKUP_FIX(status: number): string {
  if (status === 401) return 'check WA_TOKEN: a system-user token with the whatsapp_business_management permission';
  if (status === 403) return 'give the token the whatsapp_business_management permission for this WhatsApp Business Account';
  if (status === 400 || status === 404) return 'check WA_WABA_ID (the WhatsApp Business Account id, not the phone-number id) and WA_API_VERSION';
  if (status === 429) return 'too many calls to this account just now: try again in a minute';
  return 'try again later';
}
