import type { StoredCallback } from '../callback-channel.js';
import { signalsOfFacts, type FactsResult, type FactStatus, type StatusFact } from '../event-facts.js';
import { codeOf, type ParsedEvent } from '../status-signal.js';

// A Map: the status is the payload's text, and `constructor` is no status.
const TWILIO_STATUSES = new Map<string, FactStatus>([
  ['queued', 'queued'],
  ['accepted', 'queued'],
  ['sending', 'queued'],
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['read', 'read'],
  ['failed', 'failed'],
  ['undelivered', 'failed'],
]);

/** A stored Twilio callback's signals, with these opt-out keywords (normalised). Pure. */
export function parseTwilioCallback(stored: StoredCallback, keywords: ReadonlySet<string>): ParsedEvent {
  return signalsOfFacts(twilioCallbackFacts(stored), 'twilio', keywords);
}

/**
 * Reads a stored Twilio StatusCallback form (api-facts §2.4) into facts, with our correlation id
 * from the callback URL's `cid`; and, when an inbound webhook is pointed at the receiver too,
 * Advanced Opt-Out's `OptOutType`, else the inbound `Body` (an opt-out when it is a keyword). Pure.
 */
export function twilioCallbackFacts({ raw, path, receivedAt }: StoredCallback): FactsResult {
  const form = new URLSearchParams(raw);
  const messageId = form.get('MessageSid') ?? form.get('SmsSid') ?? undefined;
  const status = (form.get('MessageStatus') ?? form.get('SmsStatus') ?? '').toLowerCase();
  const from = (form.get('From') ?? '').replace(/^whatsapp:/, '').replace(/^\+/, '');
  if (status === 'received' || (!status && form.has('Body'))) {
    const optOut = form.get('OptOutType')?.toUpperCase();
    if (!from) return { ok: true, facts: [] };
    if (optOut === 'STOP') return { ok: true, facts: [{ preference: 'stop', via: 'twilio_opt_out', wa_id: from, at: receivedAt }] };
    if (optOut === 'START') return { ok: true, facts: [{ preference: 'resume', via: 'twilio_opt_out', wa_id: from, at: receivedAt }] };
    return { ok: true, facts: [{ inbound: [form.get('Body') ?? ''], from, at: receivedAt }] };
  }
  if (!messageId || !status) return { ok: false, why: 'a Twilio form without MessageSid and MessageStatus' };
  const known = TWILIO_STATUSES.get(status);
  if (!known) return { ok: true, facts: [] };
  const fact: StatusFact = { status: known, id: messageId, at: receivedAt };
  const query = path.indexOf('?');
  const cid = query >= 0 ? new URLSearchParams(path.slice(query + 1)).get('cid') : null;
  if (cid) fact.cid = cid;
  const code = known === 'failed' ? codeOf(form.get('ErrorCode')) : -1;
  if (code !== -1) fact.code = code;
  return { ok: true, facts: [fact] };
}
