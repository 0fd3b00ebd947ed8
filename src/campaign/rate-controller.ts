import { SortedTimes } from './sorted-times.js';

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
export const PROBE_MS = 4_000;
/** The second before a throttled request, over which what the provider accepted is counted. */
const WINDOW_MS = 1_000;

export class RateController {
  private current: number;
  /** The most the provider was seen to accept in a second when it throttled: the figure the summary gives. */
  private accepted: number | undefined;
  /** When the run's first request was sent (clock ms): the estimate's span in its first second. */
  private firstSentAt: number | undefined;
  /** Requests sent after the first (clock ms), and those answered throttled, for the last WINDOW_MS or so. */
  private readonly sentAt = new SortedTimes();
  private readonly throttledAt = new SortedTimes();
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
    if (this.firstSentAt === undefined) this.firstSentAt = at;
    else this.sentAt.push(at);
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
    this.throttledAt.insert(requestAt);
    if (requestAt <= this.droppedAt) return 'old';
    const from = requestAt - WINDOW_MS;
    const first = this.firstSentAt;
    const sent = this.sentAt.countIn(from, requestAt) + (first !== undefined && first > from && first <= requestAt ? 1 : 0);
    // Over the second before it, or since the first request when the run is younger than that.
    const span = Math.max(1, Math.min(WINDOW_MS, requestAt - (first ?? requestAt)));
    const sendingRate = (sent * 1000) / span;
    const accepted = sent - this.throttledAt.countIn(from, requestAt);
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

  /**
   * Keeps a little over a window of request times: the estimate needs no more. The first request's
   * time is kept apart (it is when the run's sending began); the others are forgotten once there
   * are more than 4,096 (answers come late, so a short run forgets nothing).
   */
  private forget(now: number): void {
    const before = now - 2 * WINDOW_MS;
    if (this.sentAt.length >= 4096 && this.sentAt.first! < before) this.sentAt.forgetBefore(before);
    this.throttledAt.forgetBefore(before);
  }
}
