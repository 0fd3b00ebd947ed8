import type { StoredCallback } from '../callback-channel.js';
import { codeOf, normaliseKeyword, StatusRank, type ParsedEvent, type Signal } from '../status-signal.js';

// A Map: the status is the payload's text, and `constructor` is no status.
const TWILIO_RANKS = new Map<string, number>([
  ['queued', StatusRank.none],
  ['accepted', StatusRank.none],
  ['sending', StatusRank.none],
  ['sent', StatusRank.sent],
  ['delivered', StatusRank.delivered],
  ['read', StatusRank.read],
]);

/**
 * Reads a stored Twilio StatusCallback form (api-facts §2.4) into signals, with our correlation id
 * from the callback URL's `cid`; and, when an inbound webhook is pointed at the receiver too,
 * Advanced Opt-Out's `OptOutType` and inbound `Body` keywords. Pure.
 */
export function parseTwilioCallback({ raw, path, receivedAt }: StoredCallback, keywords: ReadonlySet<string>): ParsedEvent {
  const form = new URLSearchParams(raw);
  const messageId = form.get('MessageSid') ?? form.get('SmsSid') ?? undefined;
  const status = (form.get('MessageStatus') ?? form.get('SmsStatus') ?? '').toLowerCase();
  const from = (form.get('From') ?? '').replace(/^whatsapp:/, '').replace(/^\+/, '');
  if (status === 'received' || (!status && form.has('Body'))) {
    // An inbound message: an opt-out when Twilio's Advanced Opt-Out says so or the body is a keyword.
    const optOut = form.get('OptOutType')?.toUpperCase();
    const signals: Signal[] = [];
    if (from && optOut === 'STOP') signals.push({ kind: 'preference', value: 'stop', via: 'twilio_opt_out', waId: from, at: receivedAt });
    else if (from && optOut === 'START') signals.push({ kind: 'preference', value: 'resume', via: 'twilio_opt_out', waId: from, at: receivedAt });
    else if (from && keywords.has(normaliseKeyword(form.get('Body') ?? ''))) signals.push({ kind: 'preference', value: 'stop', via: 'keyword', waId: from, at: receivedAt });
    return { ok: true, signals };
  }
  if (!messageId || !status) return { ok: false, why: 'a Twilio form without MessageSid and MessageStatus' };
  const failed = status === 'failed' || status === 'undelivered';
  const rank = TWILIO_RANKS.get(status);
  if (!failed && rank === undefined) return { ok: true, signals: [] };
  let cid: string | undefined;
  const query = path.indexOf('?');
  if (query >= 0) cid = new URLSearchParams(path.slice(query + 1)).get('cid') ?? undefined;
  return {
    ok: true,
    signals: [{ kind: 'status', family: 'twilio', messageId, cid, rank: failed ? 0 : rank!, failed, code: failed ? codeOf(form.get('ErrorCode')) : -1, at: receivedAt }],
  };
}
