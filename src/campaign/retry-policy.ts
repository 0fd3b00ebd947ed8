import type { Outcome } from '../providers/provider.js';

/** Meta's pair rate: about one message every 6 s to the same user (131056). We never go faster. */
export const PAIR_GAP_MS = 6_000;
/** Transient failures retried in the run before the recipient is recorded as failed. */
export const MAX_TRANSIENT_RETRIES = 3;
/** Throttled attempts of one recipient before giving up on it in this run (it is retried on resume). */
export const MAX_THROTTLED_ATTEMPTS = 20;

export interface AttemptHistory {
  transientRetries: number;
  pairRateRetries: number;
  throttled: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * Whether, and how soon, to try the same recipient again in this run after `outcome`. Pure.
 * Every delay is at least the pair gap, so a retry can never trip 131056 by itself.
 */
export function nextRetry(outcome: Outcome, history: AttemptHistory): RetryDecision {
  switch (outcome.kind) {
    case 'throttled':
      if (history.throttled >= MAX_THROTTLED_ATTEMPTS) return { retry: false };
      return { retry: true, delayMs: Math.max(PAIR_GAP_MS, outcome.retryAfterMs ?? 0) };
    case 'pair_rate':
      // Meta: retry after 4^X seconds, X from 0, +1 after each failure.
      if (history.pairRateRetries >= 5) return { retry: false };
      return { retry: true, delayMs: Math.max(PAIR_GAP_MS, 4 ** history.pairRateRetries * 1000) };
    case 'transient':
      if (history.transientRetries >= MAX_TRANSIENT_RETRIES) return { retry: false };
      // 131057 (maintenance, e.g. a throughput upgrade) lasts about a minute.
      if (outcome.code === '131057') return { retry: true, delayMs: 60_000 };
      return { retry: true, delayMs: PAIR_GAP_MS * 2 ** history.transientRetries };
    default:
      return { retry: false };
  }
}
