import type { StoredCallback } from '../callback-channel.js';
import { codeOf, normaliseKeyword, StatusRank, type ParsedEvent, type Signal } from '../status-signal.js';

/**
 * Reads a stored Meta callback (Cloud API and 360dialog: the WhatsApp Business Account webhook)
 * into signals: message statuses, `user_preferences` (Meta's marketing opt-out and opt-in) and
 * inbound messages that are opt-out keywords. Pure. Shapes: api-facts §1.5; Meta's
 * user_preferences webhook reference.
 */
export function parseMetaCallback({ raw, receivedAt }: StoredCallback, keywords: ReadonlySet<string>): ParsedEvent {
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

function arrayOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => item !== null && typeof item === 'object') : [];
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Meta's timestamps are Unix seconds as strings. */
function secondsOr(value: unknown, fallback: number): number {
  const seconds = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : fallback;
}
