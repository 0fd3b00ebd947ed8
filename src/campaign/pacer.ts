import type { Clock } from './clock.js';

/**
 * Sets the send rate: never more than `mps` requests in any sliding one-second window (retries
 * included, since every request passes here), and as close to `mps` as that allows.
 *
 * Two rules, both ours (the in-flight cap, p-limit in run-campaign.ts, bounds requests in flight, never the rate):
 * - `acquire`, a grid: the k-th send is due at start + k / rate, so the rate holds over a long run
 *   even when timers fire late (a late send is followed by earlier ones until the grid catches up),
 *   and never before the window (below) will have room for it. The pipeline calls it before writing
 *   a recipient's intent, so that the intent is written only when its request can leave.
 * - `admit`, a window log: the times of the last `mps` requests; a request waits until the oldest
 *   of them is a window old. The pipeline calls it at the last moment, after the intent's fsync,
 *   whose varying delay would otherwise bunch requests that the grid spaced out; requests that
 *   reach it together leave at most four times the rate (a few at once), so a stall upstream does
 *   not become a burst. The window is a second plus 5 ms, for what still lies between here and the
 *   provider (the HTTP client, the network): at most 0.5 % of the rate.
 * A token bucket paced at mps − capacity would give the same guarantee at a lower rate: at 80 MPS
 * with capacity 1 it reaches 98.75 %, short of the 99 % goal.
 *
 * Throttling answers slow the grid down (×0.9 each, down to 1/s) and may pause it (Retry-After);
 * the rate climbs back by 5 % of `mps` for every 5 s without throttling. The steps are small
 * because most throttling at the limit is marginal (a request that arrived a few milliseconds
 * early); repeated answers compound.
 */
const WINDOW_MS = 1005;
const RECOVERY_MS = 5_000;
/** How much faster than `mps` held-back requests may catch up, and how many may leave at once. */
const CATCH_UP = 4;
const SMOOTH_ROOM = 4;

export class Pacer {
  private readonly window: Float64Array;
  private head = 0;
  /** The smoothing schedule: one request per `spacing` ms, with SMOOTH_ROOM of room. */
  private smoothAt = -Infinity;
  private readonly spacing: number;
  private rate: number;
  private next: number | undefined;
  private pausedUntil = 0;
  private lastThrottle = -Infinity;
  private lastRecovery = 0;
  /** Slots taken on the grid whose admission has not come yet (their intents are being written, or wait). */
  private waiting = 0;

  constructor(
    readonly mps: number,
    private readonly clock: Clock,
  ) {
    if (!(mps >= 1)) throw new RangeError('mps must be at least 1');
    this.window = new Float64Array(Math.floor(mps)).fill(-Infinity);
    this.rate = mps;
    this.spacing = 1000 / (mps * CATCH_UP);
  }

  /** The current target rate, in requests per second. */
  get currentRate(): number {
    return this.rate;
  }

  /** Waits for the next slot on the grid. Returns false when `signal` aborted first. */
  async acquire(signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      const now = this.clock.now();
      this.recover(now);
      // A grid far behind (after an idle spell) may catch up by one second's worth, no more.
      const next = Math.max(this.next ?? now, now - 1000);
      let at = Math.max(next, this.pausedUntil);
      // Never ahead of the window: the admission this slot leads to must find room once its intent
      // is on disk. The window is a little longer than the grid's second (WINDOW_MS), so a grid left
      // to run would gain 5 ms a second on it, and after a minute the whole in-flight cap would be
      // attempts waiting in `admit` with their intents written: never sent, yet in doubt should the
      // process be killed.
      if (this.waiting < this.window.length) at = Math.max(at, this.window[(this.head + this.waiting) % this.window.length]! + WINDOW_MS);
      if (at <= now) {
        this.next = next + 1000 / this.rate;
        this.waiting++;
        return true;
      }
      await this.clock.sleep(at - now, signal);
    }
  }

  /** Waits until a request may leave without exceeding `mps` in any window, and counts it. */
  async admit(signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) {
        this.waiting = Math.max(0, this.waiting - 1);
        return false;
      }
      const now = this.clock.now();
      // Requests held back together (by a slow fsync, a pause) leave at CATCH_UP times the rate,
      // not all at once: a burst would come back a window later, every window, since the log
      // then binds each request to the one `mps` before it.
      const smooth = Math.max(this.smoothAt, now - SMOOTH_ROOM * this.spacing);
      const at = Math.max(this.window[this.head]! + WINDOW_MS, smooth);
      if (at <= now) {
        this.window[this.head] = now;
        this.head = (this.head + 1) % this.window.length;
        this.smoothAt = smooth + this.spacing;
        this.waiting = Math.max(0, this.waiting - 1);
        return true;
      }
      await this.clock.sleep(at - now, signal);
    }
  }

  /** A throttling answer: slow down, and wait `retryAfterMs` before the next request if given. */
  slowDown(retryAfterMs?: number): void {
    const now = this.clock.now();
    this.rate = Math.max(1, this.rate * 0.9);
    this.lastThrottle = now;
    this.lastRecovery = now;
    this.next = now + 1000 / this.rate;
    if (retryAfterMs !== undefined) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
  }

  private recover(now: number): void {
    if (this.rate >= this.mps || now - this.lastThrottle < RECOVERY_MS || now - this.lastRecovery < RECOVERY_MS) return;
    this.rate = Math.min(this.mps, this.rate + this.mps * 0.05);
    this.lastRecovery = now;
  }
}
