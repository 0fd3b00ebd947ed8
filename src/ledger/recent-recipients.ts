import type { LedgerLine } from './read-ledger.js';

export const DAY_MS = 24 * 3600_000;

/** The recipients messaged in the window: for each, when (ms since the epoch) their latest message in it was sent. */
export interface RecentRecipients {
  phones: Set<string>;
  /** Each phone's latest send in the window, oldest first: when the oldest leaves the window, a slot frees. */
  times: number[];
}

/**
 * Who the ledger shows as messaged since `since` (ms since the epoch), for `send --daily-limit`:
 * the messaging limit counts unique users a business messaged in 24 h. A recipient counts when an
 * attempt made in the window was accepted or is in doubt (it may have been delivered); a failed or
 * throttled one did not message anyone. Only intents in the window are kept in memory.
 */
export async function recentRecipients(lines: AsyncIterable<LedgerLine>, since: number): Promise<RecentRecipients> {
  /** Intents in the window with no outcome yet: cid → phone and time. */
  const open = new Map<string, { phone: string; at: number }>();
  const latest = new Map<string, number>();
  const count = (phone: string, at: number) => latest.set(phone, Math.max(at, latest.get(phone) ?? -Infinity));
  for await (const { record } of lines) {
    if (record.type === 'intent') {
      const at = Date.parse(record.at);
      if (at >= since) open.set(record.cid, { phone: record.phone, at });
    } else if (record.type === 'outcome') {
      const intent = open.get(record.cid);
      if (!intent) continue;
      open.delete(record.cid);
      if (record.outcome === 'accepted' || record.outcome === 'in_doubt') count(intent.phone, intent.at);
    }
  }
  // An intent without an outcome is in doubt: the message may have gone.
  for (const { phone, at } of open.values()) count(phone, at);
  return { phones: new Set(latest.keys()), times: [...latest.values()].sort((a, b) => a - b) };
}
