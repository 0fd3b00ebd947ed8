import type { Outcome } from '../providers/provider.js';

/** Meta's pair rate: about one message every 6 s to the same user (131056). We never go faster. */
export const PAIR_GAP_MS = 6_000;
/** Transient failures retried in the run before the recipient is recorded as failed. */
export const MAX_TRANSIENT_RETRIES = 3;
/**
 * The longest pause a throttling answer's Retry-After may impose. Throughput limits are per second
 * (130429, 20429: "until back under the limit") and a throughput upgrade takes about a minute
 * (131057), so an honest wait is seconds; "Retry-After: 99999" (a misconfigured proxy, a hostile
 * server) would otherwise stall the campaign for 27 hours without a word. After the cap one
 * request tries again; if the provider still throttles, the campaign waits again, and the rule
 * below ends it.
 */
export const MAX_THROTTLE_WAIT_MS = 60_000;
/**
 * Throttling answers without a single acceptance for this long stop the campaign (exit 3): the
 * provider is not going to take the campaign at this rate now (five capped waits in a row). The
 * throttled recipients stay `retry` in the ledger; resuming sends them.
 */
export const THROTTLE_STOP_MS = 5 * 60_000;

export interface AttemptHistory {
  transientRetries: number;
  pairRateRetries: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/** The pause a throttling answer imposes: what it asked for, at most MAX_THROTTLE_WAIT_MS. */
export function throttleWaitMs(retryAfterMs: number | undefined): number | undefined {
  return retryAfterMs === undefined ? undefined : Math.min(retryAfterMs, MAX_THROTTLE_WAIT_MS);
}

/**
 * Whether, and how soon, to try the same recipient again in this run after `outcome`. Pure.
 *
 * A throttled recipient is tried again as soon as the rate allows (the pacer decides when; a
 * Retry-After is waited out): a throttled request was refused, not delivered, so it does not count
 * toward the pair rate, which limits messages to a user (api-facts.md §5: Meta's 130429 answers and
 * its error webhook say "Message failed to send because there were too many messages sent from
 * this phone number"; Twilio: "Requests that receive 429 responses aren't processed and are safe to
 * retry"; the emulator counts only accepted messages toward 131056). It is always tried again: how
 * long throttling may go on is the campaign's decision (THROTTLE_STOP_MS), not the recipient's.
 *
 * Every other delay is at least the pair gap, so a retry after a message that may have reached the
 * user (a transient error's, a pair-rate refusal's) can never trip 131056 by itself.
 */
export function nextRetry(outcome: Outcome, history: AttemptHistory): RetryDecision {
  switch (outcome.kind) {
    case 'throttled':
      return { retry: true, delayMs: throttleWaitMs(outcome.retryAfterMs) ?? 0 };
    case 'pair_rate':
      // Meta: retry after 4^X seconds, X from 0, +1 after each failure.
      if (history.pairRateRetries >= 5) return { retry: false };
      return { retry: true, delayMs: Math.max(PAIR_GAP_MS, 4 ** history.pairRateRetries * 1000) };
    case 'transient':
      if (history.transientRetries >= MAX_TRANSIENT_RETRIES) return { retry: false };
      // The code's own wait, from the table (131057 maintenance: a minute; 134101 template sync: ten minutes).
      if (outcome.retryDelayMs !== undefined) return { retry: true, delayMs: Math.max(PAIR_GAP_MS, outcome.retryDelayMs) };
      return { retry: true, delayMs: PAIR_GAP_MS * 2 ** history.transientRetries };
    default:
      return { retry: false };
  }
}
