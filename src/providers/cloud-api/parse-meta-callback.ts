import type { StoredCallback } from '../callback-channel.js';
import { signalsOfFacts, type EventFact, type FactsResult, type FactStatus, type StatusFact } from '../event-facts.js';
import { codeOf, type ParsedEvent } from '../status-signal.js';

/** A stored Meta callback's signals, with these opt-out keywords (normalised). Pure. */
export function parseMetaCallback(stored: StoredCallback, keywords: ReadonlySet<string>): ParsedEvent {
  return signalsOfFacts(metaCallbackFacts(stored), 'meta', keywords);
}

/**
 * Reads a stored Meta callback (Cloud API and 360dialog: the WhatsApp Business Account webhook)
 * into facts: message statuses, `user_preferences` (Meta's marketing opt-out and opt-in) and
 * inbound messages' words (opt-out keywords perhaps). Pure. Shapes: api-facts §1.5; Meta's
 * user_preferences webhook reference.
 */
export function metaCallbackFacts({ raw, receivedAt }: StoredCallback): FactsResult {
  let body: { object?: unknown; entry?: unknown };
  try {
    body = JSON.parse(raw);
  } catch {
    return { ok: false, why: 'payload is not JSON' };
  }
  if (body === null || typeof body !== 'object' || !Array.isArray(body.entry)) return { ok: false, why: 'not a WhatsApp Business Account callback (no entry[])' };
  const facts: EventFact[] = [];
  let values = 0;
  for (const entry of body.entry as { changes?: unknown }[]) {
    if (!entry || !Array.isArray(entry.changes)) continue;
    for (const change of entry.changes as { value?: Record<string, unknown> }[]) {
      const value = change?.value;
      if (!value || typeof value !== 'object') continue;
      values++;
      for (const status of arrayOf(value.statuses)) {
        const fact = metaStatus(status, receivedAt);
        if (fact) facts.push(fact);
      }
      for (const preference of arrayOf(value.user_preferences)) {
        const waId = stringOf(preference.wa_id);
        const choice = stringOf(preference.value)?.toLowerCase();
        if (waId && (choice === 'stop' || choice === 'resume') && (preference.category === undefined || preference.category === 'marketing_messages')) {
          facts.push({ preference: choice, via: 'user_preferences', wa_id: waId, at: secondsOr(preference.timestamp, receivedAt) });
        }
      }
      for (const message of arrayOf(value.messages)) {
        const from = stringOf(message.from);
        const words = inboundWords(message);
        if (from && words.length > 0) facts.push({ inbound: words, from, at: secondsOr(message.timestamp, receivedAt) });
      }
    }
  }
  if (values === 0) return { ok: false, why: 'a callback with no changes[].value' };
  return { ok: true, facts };
}

// A Map, not an object literal: the status name is the payload's text, and `constructor` is no status.
const META_STATUSES = new Map<string, FactStatus>([
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['read', 'read'],
  ['played', 'read'],
  ['failed', 'failed'],
]);

function metaStatus(status: Record<string, unknown>, receivedAt: number): StatusFact | undefined {
  const name = stringOf(status.status);
  const known = name === undefined ? undefined : META_STATUSES.get(name);
  if (!known) return undefined; // e.g. `deleted`, `warning`: nothing for reconcile
  const fact: StatusFact = { status: known, at: secondsOr(status.timestamp, receivedAt) };
  const id = stringOf(status.id);
  const cid = stringOf(status.biz_opaque_callback_data);
  if (id !== undefined) fact.id = id;
  if (cid !== undefined) fact.cid = cid;
  const code = known === 'failed' ? codeOf(arrayOf(status.errors)[0]?.code) : -1;
  if (code !== -1) fact.code = code;
  return fact;
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
