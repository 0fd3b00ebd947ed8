import { checkedFacts, signalsOfFacts } from '../providers/event-facts.js';
import { channelOfTag } from '../providers/index.js';
import type { ParsedEvent } from '../providers/status-signal.js';

export { normaliseKeyword, StatusRank, type ParsedEvent, type Signal } from '../providers/status-signal.js';

/** Default opt-out keywords (whole message, case-insensitive); `reconcile --opt-out-keywords` replaces them. */
export const DEFAULT_OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT OUT', 'STOP PROMOTIONS'];

/**
 * Reads one line of an events file (written by `webhook`: `{type:'event', received_at, provider,
 * path, facts?, raw}`) into the signals reconcile folds. Pure: a line in, values out. The line's
 * `provider` names the callback channel that stored it; its `facts`, when they are of this
 * version and well-formed, are what that channel read from `raw` when it was stored, and are
 * used as they are; otherwise (a line written before facts were) the channel reads `raw`.
 */
export function parseEventLine(text: string, keywords: ReadonlySet<string>): ParsedEvent {
  let record: { type?: unknown; received_at?: unknown; provider?: unknown; path?: unknown; raw?: unknown; facts?: unknown };
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
  const channel = channelOfTag(record.provider);
  if (!channel) return { ok: false, why: `unknown provider ${JSON.stringify(record.provider)}` };
  const facts = checkedFacts(record.facts);
  const read = facts ? { ok: true as const, facts } : channel.facts({ raw: record.raw, path: typeof record.path === 'string' ? record.path : '', receivedAt });
  return signalsOfFacts(read, channel.family, keywords);
}

const HEAD = Buffer.from('{"type":"event","received_at":"');
const RAW = Buffer.from(',"raw":"');
const CLOSE = 0x7d; // }
/**
 * What `webhook` writes before `raw`, in its fixed key order: a receive time as toISOString
 * writes it (a shape Date.parse always reads), a tag, the path (a JSON string, read as JSON reads
 * one: no raw control character, only JSON's escapes), then the facts.
 */
const BEFORE_RAW = /^\{"type":"event","received_at":"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z","provider":"([a-z0-9_]+)","path":"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*","facts":/;

/**
 * The fast reading of an events line as `webhook` writes it (bytes `start` to `end` of `buffer`):
 * only the part before `raw` is decoded, and only the facts are parsed. Undefined for any line
 * that is not exactly so (an older line without facts, another key order, facts of another
 * version or malformed): the caller then reads it with parseEventLine, so this never gives an
 * answer that parseEventLine would not. What it does not look at is `raw` itself (and any key
 * after it), which the facts were read from.
 *
 * `,"raw":"` cannot occur inside a JSON string (its quote would be escaped) and the facts have no
 * key of that name, so its first occurrence is the line's own `raw` key.
 */
export function parseStoredFacts(buffer: Buffer, start: number, end: number, keywords: ReadonlySet<string>): ParsedEvent | undefined {
  if (end - start < HEAD.length + RAW.length || buffer[end - 1] !== CLOSE || buffer.compare(HEAD, 0, HEAD.length, start, start + HEAD.length) !== 0) return undefined;
  const raw = buffer.indexOf(RAW, start + HEAD.length);
  if (raw < 0 || raw >= end) return undefined;
  const head = buffer.toString('utf8', start, raw);
  const match = BEFORE_RAW.exec(head);
  if (!match) return undefined;
  const channel = channelOfTag(match[1]);
  if (!channel) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(head.slice(match[0].length));
  } catch {
    return undefined;
  }
  const facts = checkedFacts(value);
  return facts ? signalsOfFacts({ ok: true, facts }, channel.family, keywords) : undefined;
}
