import { SortedTimes } from './sorted-times.js';

/**
 * Finds the rate a provider accepts when `--mps` is more than it allows, and keeps the campaign
 * just under it. Pure: every time is passed in (clock ms).
 *
 * At the limit a provider accepts its limit's worth a second and throttles the rest, so when it
 * throttles a request, what it accepted is the requests sent in the second before that one that
 * were answered without throttling. That is known only once every request of that second has been
 * answered: answers come out of order (several connections, a loaded machine reading them late),
 * and counting the sent less the throttling answers already in, as this once did, counted those
 * still on their way as accepted (on a loaded machine, "use --mps 164" against an 80/s limit).
 * So a throttling answer reacts at once with what is sure, and its second is settled later:
 * - at once, the rate drops to at most the sent less the throttled known, one under (an upper
 *   bound on what was accepted: answers still on their way can only lower it, never raise it);
 * - once every request of that second is answered, to what it accepted exactly, one under, and
 *   that figure, from a second sent at about the rate, is one sample of the provider's rate;
 *   the summary's figure is their median (a second's count at the sender differs from the
 *   provider's by the requests whose delays moved them across its edge: noise either way, which
 *   a maximum over the run only ever added up).
 * A second the sender was not sending at about its rate (stalled: under nine tenths of it) counts
 * few sent and so few accepted: it lowers the rate no further than the provider's rate as settled
 * so far, one under, and its settled count lowers it no further.
 *
 * Once per reaction: answers to requests sent before the last drop say nothing new (at 200 MPS
 * against an 80/s limit, the first second sends 120 too many, and reacting to each, as ×0.9 per
 * answer did, collapsed the rate to 37/s). Then it probes upward, additively at first (+1/s after
 * PROBE_MS without throttling) and doubling the step with each quiet interval, so that a number
 * upgraded meanwhile (80 → 1,000 MPS) is found in under a minute, never above `ceiling` (`--mps`).
 */
export const PROBE_MS = 4_000;
/** The second before a throttled request, over which what the provider accepted is counted. */
const WINDOW_MS = 1_000;

/** A throttled request's second, waiting for all its answers. */
interface Unsettled {
  /** The throttled request's send time: the second is (requestAt − WINDOW_MS, requestAt]. */
  requestAt: number;
  /** The rate when it was reacted to. */
  rate: number;
  /** Whether the sender was sending at about that rate in that second. */
  atRate: boolean;
}

export class RateController {
  private current: number;
  /** Each settled second's accepted count, in order (one per reaction at most): their median is the summary's figure. */
  private readonly samples = new SortedTimes();
  private accepted: number | undefined;
  /** When the run's first request was sent (clock ms): the estimate's span in its first second. */
  private firstSentAt: number | undefined;
  /** Send times (clock ms) of the requests, of those answered without throttling and of those throttled, for the last 2 × WINDOW_MS or so. */
  private readonly sentAt = new SortedTimes();
  private readonly answeredAt = new SortedTimes();
  private readonly throttledAt = new SortedTimes();
  /** Throttled requests' seconds reacted to and not yet settled, oldest first (a few: one per reaction). */
  private readonly unsettled: Unsettled[] = [];
  /** Times before this were forgotten: a second reaching back before it cannot be settled. */
  private forgotten = -Infinity;
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

  /** What the provider accepted a second when it throttled (the median of the seconds settled); undefined before any. */
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
    this.firstSentAt ??= at;
    this.sentAt.push(at);
    this.forget(at);
  }

  /** The request sent at `requestAt` was answered without throttling (accepted, refused for another reason, or failed). */
  answered(requestAt: number): void {
    this.answeredAt.insert(requestAt);
    this.settle();
  }

  /**
   * A throttling answer to the request sent at `requestAt`, seen at `now`: `old` when it was sent
   * before the last reaction (nothing new); `limit` when the provider surely accepted clearly less
   * than we sent (the rate drops to at most what it accepted, one under); `jitter` when, as far as
   * is known yet, it accepted about all we sent: the rate is right and a second at the receiver
   * still overran, so the margin was short (the pacer widens it) and the rate steps down by one
   * only. Either way the second is settled once all its answers are in (see above).
   */
  throttled(now: number, requestAt: number): 'old' | 'jitter' | 'limit' {
    this.throttledAt.insert(requestAt);
    if (requestAt <= this.droppedAt) {
      this.settle();
      return 'old';
    }
    const { sent, throttled } = this.second(requestAt);
    const atRate = this.sendingRate(requestAt, sent) >= 0.9 * this.current;
    // At most this many were accepted: those not yet answered may still be throttled.
    const atMost = sent - throttled;
    // A limit: the provider refused a tenth or more of what was sent in that second, or, sending at
    // about our rate, accepted clearly less than it (the first answer knows only of itself).
    const kind = throttled > 0.1 * sent || (atRate && atMost < 0.9 * this.current) ? 'limit' : 'jitter';
    const rate = this.current;
    if (kind === 'limit') this.found = true;
    if (kind === 'jitter') this.current = Math.max(1, this.current - 1);
    else {
      // A second the sender was stalled in counts few sent, and so few accepted: not under the
      // provider's rate as settled so far (the trial's drop to 15/s against 80/s).
      const floor = atRate || this.accepted === undefined ? 1 : this.accepted - 1;
      this.current = Math.max(1, Math.min(this.current, Math.max(floor, atMost - 1)));
    }
    // The provider's window was full when it throttled, so what it accepted then is its rate. Not
    // while the sender was stalled: its second then says nothing of the provider.
    if (kind === 'limit' || atRate) this.unsettled.push({ requestAt, rate, atRate });
    this.droppedAt = now;
    this.lastChange = now;
    this.step = 1;
    this.throttles++;
    this.belowSince ??= now;
    this.settle();
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

  /** The requests sent in the second before `requestAt` (it included), and those of them answered so far. */
  private second(requestAt: number): { sent: number; answered: number; throttled: number } {
    const from = requestAt - WINDOW_MS;
    return { sent: this.sentAt.countIn(from, requestAt), answered: this.answeredAt.countIn(from, requestAt), throttled: this.throttledAt.countIn(from, requestAt) };
  }

  /** The rate sent over the second before `requestAt`, or since the first request when the run is younger than that. */
  private sendingRate(requestAt: number, sent: number): number {
    const span = Math.max(1, Math.min(WINDOW_MS, requestAt - (this.firstSentAt ?? requestAt)));
    return (sent * 1000) / span;
  }

  /**
   * Settles the oldest seconds whose requests have all been answered: the rate drops to what the
   * provider accepted in one, one under, when that was clearly less than was sent; and it is a
   * sample of the provider's rate. Only the oldest is looked at (each answer costs a few binary
   * searches); one whose requests were forgotten unanswered (a request never answered: the
   * campaign stopped after admitting it) is dropped.
   */
  private settle(): void {
    while (this.unsettled.length > 0) {
      const second = this.unsettled[0]!;
      if (second.requestAt - WINDOW_MS < this.forgotten) {
        this.unsettled.shift();
        continue;
      }
      const { sent, answered, throttled } = this.second(second.requestAt);
      if (answered + throttled < sent) return;
      this.unsettled.shift();
      const accepted = answered;
      if (accepted < 0.9 * sent || (second.atRate && accepted < 0.9 * second.rate)) {
        this.found = true;
        if (second.atRate) this.current = Math.max(1, Math.min(this.current, accepted - 1));
      }
      if (second.atRate) this.sample(accepted);
      // A stalled sender's second counts few accepted: the figure only until a second at the rate says better.
      else if (this.samples.length === 0) this.accepted = Math.max(this.accepted ?? 1, accepted);
    }
  }

  /** Adds a settled second's accepted count (1..ceiling) to the samples and takes their (lower) median. */
  private sample(accepted: number): void {
    this.samples.insert(Math.max(1, Math.min(Math.floor(this.ceiling), accepted)));
    this.accepted = this.samples.at(Math.ceil(this.samples.length / 2) - 1);
  }

  /**
   * Keeps a little over a window of request times: the estimate needs no more. The first request's
   * time is kept apart too (it is when the run's sending began); the others are forgotten once
   * there are 4,096 or more (answers come late, so a short run forgets nothing).
   */
  private forget(now: number): void {
    const before = now - 2 * WINDOW_MS;
    if (this.sentAt.length >= 4096 && this.sentAt.first! < before) {
      this.sentAt.forgetBefore(before);
      this.answeredAt.forgetBefore(before);
      this.throttledAt.forgetBefore(before);
      this.forgotten = before;
    }
  }
}
