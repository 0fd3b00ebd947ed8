import type { RejectReason } from '../recipients/audience.js';

/** What a campaign run did so far: the summary's counts, and what the progress line shows. */
export interface CampaignStats {
  accepted: number;
  /** Accepted but held by Meta for quality assessment (template pacing); counted in accepted too. */
  held: number;
  failed: number;
  in_doubt: number;
  /** Already done in the ledger (accepted or failed), not sent again. */
  skipped: number;
  /** In doubt in the ledger from an earlier run: skipped, never re-sent automatically. */
  skipped_in_doubt: number;
  /** Rows of a retry list whose `due_at` has not come yet: skipped, sent by a later run. */
  skipped_not_due: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Attempts answered with an error, by provider error code: every one, whatever became of it (send --json's `errors`). */
  errors: Record<string, number>;
  /**
   * The same attempts by what became of them: `failed` (for good), `in_doubt` (the answer was lost:
   * ECONNRESET, a timeout…), `retry` (the recipient is sent again: throttled, transient, the pair
   * rate), so that the summary shows an in-doubt or retried code under those, not under failed.
   */
  errorsByOutcome: { failed: Record<string, number>; in_doubt: Record<string, number>; retry: Record<string, number> };
  retries: number;
  /** Retries scheduled and not yet made (throttled, transient, a pair gap to wait out), as the progress line last saw them. */
  retries_waiting: number;
  /** Answers repeating a message id already returned for another recipient (counted in in_doubt too). */
  duplicate_message_ids: number;
  /**
   * Attempts whose outcome the ledger could not record (it failed, and the last try after the run
   * failed too), by what the outcome was: the ledger shows each of them in doubt (an intent with no
   * outcome), so they are counted in `in_doubt`, not in `accepted` or `failed`. `not_sent`: stopped
   * before the request; `retry`: answered throttled or not reached (not sent either).
   */
  unrecorded: { accepted: number; failed: number; not_sent: number; retry: number };
  /** Requests made. */
  requests: number;
  /** Clock times (ms) of the first and the last request, for the rate. */
  firstRequestAt: number | undefined;
  lastRequestAt: number | undefined;
  /**
   * The last throttling answer, while no acceptance has come since: what it asked to wait
   * (Retry-After) and what the campaign waits (capped), for the progress line.
   */
  throttle: { askedMs: number | undefined; waitMs: number | undefined } | undefined;
  /**
   * The pacing once the provider has throttled (undefined before): the rate the pacer settled at,
   * what the provider accepted a second when it throttled (the median of the seconds settled), how many times it slowed
   * down, and how long the campaign spent under `--mps` for it.
   */
  pacing: { mps: number; rate: number; providerRate: number | undefined; throttleReactions: number; limitFound: boolean; timeBelowMs: number } | undefined;
}

/** The counts of a run that has not started. */
export function emptyStats(): CampaignStats {
  return { accepted: 0, held: 0, failed: 0, in_doubt: 0, skipped: 0, skipped_in_doubt: 0, skipped_not_due: 0, rejected: {}, errors: {}, errorsByOutcome: { failed: {}, in_doubt: {}, retry: {} }, retries: 0, retries_waiting: 0, duplicate_message_ids: 0, unrecorded: { accepted: 0, failed: 0, not_sent: 0, retry: 0 }, requests: 0, firstRequestAt: undefined, lastRequestAt: undefined, throttle: undefined, pacing: undefined };
}

/** Requests per second between the first request and the last; 0 with fewer than two. */
export function requestRate(stats: CampaignStats): number {
  const { firstRequestAt: first, lastRequestAt: last, requests } = stats;
  if (first === undefined || last === undefined || requests < 2 || last <= first) return 0;
  return ((requests - 1) * 1000) / (last - first);
}
