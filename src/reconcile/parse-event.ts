import type { ProviderFamily } from '../codes/error-codes.js';

/** A message status, in the lattice's order: a later rank never loses to an earlier one. */
export const StatusRank = { none: 0, sent: 1, delivered: 2, read: 3 } as const;

/** One thing an events line says about a message we sent, or about a person. */
export type Signal =
  | {
      kind: 'status';
      family: ProviderFamily;
      /** Provider message id (`wamid.…`, `SM…`), when the payload names it. */
      messageId: string | undefined;
      /** Our correlation id (`biz_opaque_callback_data`, Twilio `StatusCallback?cid=`), when present. */
      cid: string | undefined;
      /** 1 sent, 2 delivered, 3 read; 0 for `failed` (which carries `code`). */
      rank: number;
      failed: boolean;
      /** The error code of a failure (-1 when a failure names none). */
      code: number;
      /** When it happened (ms since the epoch): the payload's timestamp, else the receive time. */
      at: number;
    }
  | {
      /** The person stopped (`stop`) or resumed (`resume`) marketing messages, or sent an opt-out keyword. */
      kind: 'preference';
      value: 'stop' | 'resume';
      via: 'user_preferences' | 'keyword' | 'twilio_opt_out';
      /** WhatsApp id (Meta) or E.164 digits (Twilio `From`), without `+`. */
      waId: string;
      at: number;
    };

export type ParsedEvent =
  | { ok: true; signals: Signal[] }
  /** Not a callback we know: counted and named, never fatal. */
  | { ok: false; why: string };

/** Default opt-out keywords (whole message, case-insensitive); `reconcile --opt-out-keywords` replaces them. */
export const DEFAULT_OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT OUT', 'STOP PROMOTIONS'];

/**
 * Reads one line of an events file (written by `webhook`: `{type:'event', received_at, provider,
 * path, raw}`) into the signals reconcile folds. Pure: a line in, values out.
 *
 * Shapes: Meta statuses, inbound messages and `user_preferences` (api-facts §1.5; Meta's
 * user_preferences webhook reference); Twilio StatusCallback forms (§2.4), with Advanced Opt-Out's
 * `OptOutType` and inbound `Body` when an inbound webhook is pointed at the receiver too.
 */
export function parseEventLine(text: string, keywords: ReadonlySet<string>): ParsedEvent {
  let record: { type?: unknown; received_at?: unknown; provider?: unknown; path?: unknown; raw?: unknown };
  try {
    record = JSON.parse(text);
  } catch {
    return { ok: false, why: 'not JSON' };
  }
  if (record === null || typeof record !== 'object' || record.type !== 'event' || typeof record.raw !== 'string') {
    return { ok: false, why: 'not an event record written by `webhook`' };
  }
  const receivedAt = typeof record.received_at === 'string' ? Date.parse(record.received_at) : NaN;
  if (Number.isNaN(receivedAt)) return { ok: false, why: 'event without a valid received_at' };
  if (record.provider === 'twilio') return parseTwilio(record.raw, typeof record.path === 'string' ? record.path : '', receivedAt, keywords);
  if (record.provider === 'meta' || record.provider === 'unsigned') return parseMeta(record.raw, receivedAt, keywords);
  return { ok: false, why: `unknown provider ${JSON.stringify(record.provider)}` };
}

function parseMeta(raw: string, receivedAt: number, keywords: ReadonlySet<string>): ParsedEvent {
  let body: { object?: unknown; entry?: unknown };
  try {
    body = JSON.parse(raw);
  } catch {
    return { ok: false, why: 'payload is not JSON' };
  }
  if (body === null || typeof body !== 'object' || !Array.isArray(body.entry)) return { ok: false, why: 'not a WhatsApp Business Account callback (no entry[])' };
  const signals: Signal[] = [];
  let values = 0;
  for (const entry of body.entry as { changes?: unknown }[]) {
    if (!entry || !Array.isArray(entry.changes)) continue;
    for (const change of entry.changes as { value?: Record<string, unknown> }[]) {
      const value = change?.value;
      if (!value || typeof value !== 'object') continue;
      values++;
      for (const status of arrayOf(value.statuses)) {
        const signal = metaStatus(status, receivedAt);
        if (signal) signals.push(signal);
      }
      for (const preference of arrayOf(value.user_preferences)) {
        const waId = stringOf(preference.wa_id);
        const choice = stringOf(preference.value)?.toLowerCase();
        if (waId && (choice === 'stop' || choice === 'resume') && (preference.category === undefined || preference.category === 'marketing_messages')) {
          signals.push({ kind: 'preference', value: choice, via: 'user_preferences', waId, at: secondsOr(preference.timestamp, receivedAt) });
        }
      }
      for (const message of arrayOf(value.messages)) {
        const from = stringOf(message.from);
        const words = inboundWords(message);
        if (from && words.some((word) => keywords.has(normaliseKeyword(word)))) {
          signals.push({ kind: 'preference', value: 'stop', via: 'keyword', waId: from, at: secondsOr(message.timestamp, receivedAt) });
        }
      }
    }
  }
  if (values === 0) return { ok: false, why: 'a callback with no changes[].value' };
  return { ok: true, signals };
}

// Maps, not object literals: the status name is the payload's text, and `constructor` is no status.
const META_RANKS = new Map<string, number>([
  ['sent', StatusRank.sent],
  ['delivered', StatusRank.delivered],
  ['read', StatusRank.read],
  ['played', StatusRank.read],
]);

function metaStatus(status: Record<string, unknown>, receivedAt: number): Signal | undefined {
  const name = stringOf(status.status);
  if (!name) return undefined;
  const failed = name === 'failed';
  const rank = META_RANKS.get(name);
  if (!failed && rank === undefined) return undefined; // e.g. `deleted`, `warning`: nothing for reconcile
  const error = arrayOf(status.errors)[0];
  return {
    kind: 'status',
    family: 'meta',
    messageId: stringOf(status.id),
    cid: stringOf(status.biz_opaque_callback_data),
    rank: failed ? 0 : rank!,
    failed,
    code: failed ? codeOf(error?.code) : -1,
    at: secondsOr(status.timestamp, receivedAt),
  };
}

/** The text a person sent: a text body, a quick-reply button's text and payload, an interactive reply's title and id. */
function inboundWords(message: Record<string, unknown>): string[] {
  const words: string[] = [];
  const text = message.text as { body?: unknown } | undefined;
  if (typeof text?.body === 'string') words.push(text.body);
  const button = message.button as { text?: unknown; payload?: unknown } | undefined;
  if (typeof button?.text === 'string') words.push(button.text);
  if (typeof button?.payload === 'string') words.push(button.payload);
  const interactive = message.interactive as { button_reply?: { id?: unknown; title?: unknown } } | undefined;
  if (typeof interactive?.button_reply?.title === 'string') words.push(interactive.button_reply.title);
  if (typeof interactive?.button_reply?.id === 'string') words.push(interactive.button_reply.id);
  return words;
}

const TWILIO_RANKS = new Map<string, number>([
  ['queued', StatusRank.none],
  ['accepted', StatusRank.none],
  ['sending', StatusRank.none],
  ['sent', StatusRank.sent],
  ['delivered', StatusRank.delivered],
  ['read', StatusRank.read],
]);

function parseTwilio(raw: string, path: string, receivedAt: number, keywords: ReadonlySet<string>): ParsedEvent {
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

export function normaliseKeyword(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toUpperCase();
}

function arrayOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object') : [];
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function codeOf(value: unknown): number {
  const code = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(code) ? code : -1;
}

/** Meta's timestamps are Unix seconds as strings. */
function secondsOr(value: unknown, fallback: number): number {
  const seconds = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallback;
}
