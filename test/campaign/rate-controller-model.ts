// The rate controller as it was before its forgetting was made amortised O(1) (commit 294f815),
// kept as the model the new one must match answer for answer: test/campaign/rate-controller.test.ts.
/**
 * Finds the rate a provider accepts when `--mps` is more than it allows, and keeps the campaign
 * just under it. Pure: every time is passed in (clock ms).
 *
 * On a throttling answer the rate drops to what the provider accepted just before it: the requests
 * sent in the second before the throttled one, less those throttled (at the limit a provider accepts
 * its limit's worth a second and throttles the rest), one under. Once per reaction: answers to
 * requests sent before the last drop say nothing new (at 200 MPS against an 80/s limit, the first
 * second sends 120 too many, and reacting to each, as ×0.9 per answer did, collapsed the rate to
 * 37/s). Then it probes upward, additively at first (+1/s after PROBE_MS without throttling) and
 * doubling the step with each quiet interval, so that a number upgraded meanwhile (80 → 1,000
 * MPS) is found in under a minute, never above `ceiling` (`--mps`).
 */
const PROBE_MS = 4_000;
/** The second before a throttled request, over which what the provider accepted is counted. */
const WINDOW_MS = 1_000;

export class RateControllerModel {
  private current: number;
  /** The most the provider was seen to accept in a second when it throttled: the figure the summary gives. */
  private accepted: number | undefined;
  /** Requests sent (clock ms), with whether each was answered throttled, for the last WINDOW_MS or so. */
  private sentAt: number[] = [];
  private throttledAt: number[] = [];
  /** When the rate was last lowered: answers to earlier requests are not reacted to again. */
  private droppedAt = -Infinity;
  private lastChange = -Infinity;
  private step = 1;
  /** Time spent under `ceiling` because of throttling, and since when (undefined: at the ceiling). */
  private belowMs = 0;
  private belowSince: number | undefined;
  private throttles = 0;
  private found = false;

  constructor(readonly ceiling: number) {
    this.current = ceiling;
  }

  /** Requests a second, now. */
  get rate(): number {
    return this.current;
  }

  /** The most the provider was seen to accept a second when it throttled; undefined before any. */
  get providerRate(): number | undefined {
    return this.accepted;
  }

  /** Throttling answers reacted to (a lowered rate each). */
  get reactions(): number {
    return this.throttles;
  }

  /** Milliseconds spent under the ceiling because of throttling, up to `now`. */
  timeBelowMs(now: number): number {
    return this.belowMs + (this.belowSince === undefined ? 0 : now - this.belowSince);
  }

  /** A request left at `at`. */
  sent(at: number): void {
    this.sentAt.push(at);
    this.forget(at);
  }

  /**
   * A throttling answer to the request sent at `requestAt`, seen at `now`: `old` when it was sent
   * before the last reaction (nothing new); `limit` when the provider accepted clearly less than we
   * sent (the rate drops to what it accepted, one under); `jitter` when it accepted about all we
   * sent: the rate is right and a second at the receiver still overran, so the margin was short
   * (the pacer widens it) and the rate steps down by one only.
   */
  throttled(now: number, requestAt: number): 'old' | 'jitter' | 'limit' {
    insertSorted(this.throttledAt, requestAt);
    if (requestAt <= this.droppedAt) return 'old';
    const from = requestAt - WINDOW_MS;
    const sent = countIn(this.sentAt, from, requestAt);
    // Over the second before it, or since the first request when the run is younger than that.
    const span = Math.max(1, Math.min(WINDOW_MS, requestAt - (this.sentAt[0] ?? requestAt)));
    const sendingRate = (sent * 1000) / span;
    const accepted = sent - countIn(this.throttledAt, from, requestAt);
    // A limit: the provider refused a tenth or more of what was sent in that second, or, sending at
    // about our rate, accepted clearly less than it (the first answer knows only of itself).
    const atRate = sendingRate >= 0.9 * this.current;
    const kind = accepted < 0.9 * sent || (atRate && accepted < 0.9 * this.current) ? 'limit' : 'jitter';
    if (kind === 'limit') {
      this.found = true;
      this.current = Math.max(1, Math.min(this.current, accepted) - 1);
    } else {
      this.current = Math.max(1, this.current - 1);
    }
    // The provider's window was full when it throttled, so it takes at least this many a second;
    // the most seen is the estimate (a loaded sender's count of its own second runs low). Not
    // while the sender was stalled: its second then says nothing of the provider.
    if (kind === 'limit' || atRate) this.accepted = Math.max(this.accepted ?? 1, accepted);
    this.droppedAt = now;
    this.lastChange = now;
    this.step = 1;
    this.throttles++;
    this.belowSince ??= now;
    return kind;
  }

  /** Whether a throttling answer showed a limit under the rate sent (not jitter at the rate). */
  get limitFound(): boolean {
    return this.found;
  }

  /** Probes upward after PROBE_MS without a throttling answer. */
  recover(now: number): void {
    if (this.current >= this.ceiling || now - this.lastChange < PROBE_MS) return;
    this.current = Math.min(this.ceiling, this.current + this.step);
    this.step *= 2;
    this.lastChange = now;
    if (this.current >= this.ceiling && this.belowSince !== undefined) {
      this.belowMs += now - this.belowSince;
      this.belowSince = undefined;
    }
  }

  /** Keeps a little over a window of request times: the estimate needs no more. */
  private forget(now: number): void {
    const before = now - 2 * WINDOW_MS;
    // The oldest is kept: it is when the run's sending began.
    if (this.sentAt.length > 4096 && this.sentAt[1]! < before) this.sentAt = [this.sentAt[0]!, ...this.sentAt.filter((t) => t >= before)];
    if (this.throttledAt.length > 0 && this.throttledAt[0]! < before) this.throttledAt = this.throttledAt.filter((t) => t >= before);
  }
}

/** Entries of a sorted array in (from, to]. */
function countIn(sorted: readonly number[], from: number, to: number): number {
  return upperBound(sorted, to) - upperBound(sorted, from);
}

/** The index of the first entry greater than `value`. */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: number[], value: number): void {
  sorted.splice(upperBound(sorted, value), 0, value);
}
