import { channelOfTag } from '../providers/index.js';
import type { ParsedEvent } from '../providers/status-signal.js';

export { normaliseKeyword, StatusRank, type ParsedEvent, type Signal } from '../providers/status-signal.js';

/** Default opt-out keywords (whole message, case-insensitive); `reconcile --opt-out-keywords` replaces them. */
export const DEFAULT_OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT OUT', 'STOP PROMOTIONS'];

/**
 * Reads one line of an events file (written by `webhook`: `{type:'event', received_at, provider,
 * path, raw}`) into the signals reconcile folds. Pure: a line in, values out. The line's
 * `provider` names the callback channel that stored it, and that channel (in its provider's
 * folder) reads the payload.
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
  const channel = channelOfTag(record.provider);
  if (!channel) return { ok: false, why: `unknown provider ${JSON.stringify(record.provider)}` };
  return channel.parse({ raw: record.raw, path: typeof record.path === 'string' ? record.path : '', receivedAt }, keywords);
}
