import type { Clock } from '../clock.js';
import { PROBE_MS, RateController } from './rate-controller.js';
import { RecentExtreme } from './recent-extreme.js';
import { SortedTimes } from './sorted-times.js';
import { WriteWindow } from './write-window.js';

/**
 * Sets one sender's send rate: never more than `mps` requests reaching the provider in any sliding
 * second (retries included, since every request passes here), as close to `mps` as that allows,
 * and, when the provider throttles, the rate it accepts (rate-controller.ts).
 *
 * Three steps, all ours (the in-flight cap, p-limit in run-campaign.ts, bounds requests in flight, never the rate):
 * - `acquire`, a grid: the k-th send is due at start + k / rate, so the rate holds over a long run
 *   even when timers fire late (a late send is followed by earlier ones until the grid catches up),
 *   and never more than the lead (MIN_ACQUIRE_LEAD_MS, more when intents take longer to reach `admit`)
 *   before the window (below) will have room for it. The
 *   pipeline calls it before writing a recipient's intent, so that the intent is written only when
 *   its request is about to leave, and its fsync is done by the time it may.
 * - `admit`, the window (write-window.ts), kept on when each request's bytes went to the socket:
 *   a request waits until fewer than `mps` requests were written in the last window or are still on
 *   their way to the socket. The pipeline calls it at the last moment, after the intent's fsync;
 *   requests that reach it together leave at most four times the rate (a few at once), so a stall
 *   upstream does not become a burst.
 * - `Sending.written`, from the HTTP client when the request's last byte went to the socket.
 *
 * What lies before the socket the window measures exactly, and it never needs a margin: a request
 * counts from its admission until its write, then from its write, so however late this process is
 * to write (a GC pause, a long callback, the HTTP client's hops) the writes of any window are at
 * most `mps`. What lies beyond the socket (the network, the provider's own process stamping the
 * arrival) the sender cannot see. Two requests `mps` apart land in one receiver second only when
 * the earlier one is stamped later after its write than the later one is, by more than the margin:
 * the window after a write is a second plus, once its answer came, what its round trip says
 * (ROUND_TRIP_SPAN_MS below: the provider had stamped it by then), and until then (an answer
 * slower than the window) WINDOW_MARGIN_MS for that jitter, plus how late a
 * receiver on the machine may have been to stamp it, which is this process's worst wait for a CPU
 * since a little before that write (cpu-waits.ts: on a machine short of cores, a receiver on it is
 * descheduled as this process is; the process's own busy spells delay no receiver), plus what
 * throttling at about the rate sent says was missing (5 ms per such answer, halving with every
 * quiet PROBE_MS). BENCHMARKS.md "Pacing at the receiver" has the figures: the margin was once the
 * worst admit-to-socket delay of the last window, which at 1,000/s is the process's own queue (tens
 * of ms) and cost 4.5 % of the rate without ever being what put two into a second; then the worst
 * CPU wait of the last seconds, whatever write it followed, which kept a start-up spike for ten
 * seconds.
 */
export const WINDOW_MARGIN_MS = 4;
/**
 * Once a request is answered its margin is known rather than guessed (since the sixth round,
 * BENCHMARKS.md): the provider stamped it before it answered, so it arrived at most its round trip
 * (write to the answer's headers) after its write. A receiver on this machine is bounded exactly
 * by that, whatever the CPU waits were; across a network, what counts is how much longer than the
 * shortest recent round trip this one took (the rest is the way there and back, which every request
 * pays). So the margin of an answered write is that excess plus the shortest round trip up to
 * WINDOW_MARGIN_MS: the round trip itself when it is short (a receiver on this machine, under a
 * millisecond quiet), the excess and WINDOW_MARGIN_MS for the provider's own jitter otherwise.
 * What it fixed: the first request on a fresh connection (the connect, the receiver's accept) was
 * stamped 10.5 ms after its write with a margin of 6.4 ms, and a warm request 40 later 0.4 ms after
 * its own; and a receiver's own pauses, which our waits do not see. Until the answer comes (a
 * second after the write, only when the provider is that slow) the waits decide, as below. The
 * shortest round trip is kept over two spans of ROUND_TRIP_SPAN_MS, so that a path that got longer
 * is learnt within seconds (a stale short one only widens the margin).
 */
const ROUND_TRIP_SPAN_MS = 5000;
/** The most the margin may grow to: 10 % of the rate. */
const MAX_MARGIN_MS = 100;
/** Added to the margin by a throttling answer at about the rate sent (jitter, not a limit). */
const THROTTLE_MARGIN_STEP_MS = 5;
/**
 * How long before the window has room a grid slot may be taken (ms), at least: the recipient's
 * intent is written and fsynced between `acquire` and `admit`, and a slot taken only once the room
 * was there added that fsync to every window (5–20 ms a second measured at 40–500/s,
 * BENCHMARKS.md). Short, so that an intent is on disk at most about this long (and its fsync)
 * before its request may leave.
 */
export const MIN_ACQUIRE_LEAD_MS = 20;
/**
 * The most the lead grows to when the way from a slot to its admission takes longer (ms). The
 * lead is the worst time from a slot to its `admit` of the last one to two LEAD_SPAN_MS, between
 * the two bounds: at 1,000/s on a loaded machine that way (the intent's write and fsync, the event
 * loop's queue) took 21–23 ms at the median and 58–155 ms at the 99th percentile (BENCHMARKS.md),
 * so with a fixed 20 ms a quarter of the admissions came after their room and the rate fell to
 * 0.96–0.98 × --mps; a lead that follows the delay admits each when the room is there. Bounded,
 * because an intent written long before its request is in doubt should the process be killed
 * meanwhile: at most this long's worth of slots (100 at 1,000/s) are between the two at once.
 */
export const MAX_ACQUIRE_LEAD_MS = 100;
/** The span the worst slot-to-admission time is kept over (the lead forgets a spike within two). */
const LEAD_SPAN_MS = 1000;
/** How much faster than the rate held-back requests may catch up, and how many may leave at once. */
const CATCH_UP = 4;
const SMOOTH_ROOM = 4;

/** An admitted request: the pacer is told when its bytes went out, and when it was answered. */
export interface Sending {
  /** Clock ms of the admission. */
  readonly at: number;
  /** The request's last byte went to the socket: its place in the window is now. */
  written(): void;
  /**
   * The provider's answer began to arrive (its headers): the provider had stamped the request by
   * then. `heldMs`: how long before now the answer is known to have been waiting to be read (the
   * transport's evidence, http-transport.ts: answers read in one turn of the event loop were all
   * there when the turn began); the provider stamped the request before that. 0 when unknown.
   */
  answered(heldMs?: number): void;
  /** The attempt is over (answered or failed); a request never reported written counts as written now. */
  done(): void;
}

/** What the progress line and the summary say of the pacing. */
export interface PacingState {
  /** `--mps`: the most it will go to. */
  mps: number;
  /** Requests a second the pacer allows now. */
  rate: number;
  /** What the provider accepted a second when it throttled (rate-controller.ts: the median of the seconds settled); undefined before any. */
  providerRate: number | undefined;
  /** Throttling answers the pacer slowed down for. */
  throttleReactions: number;
  /** Whether one showed a limit under the rate sent (not jitter at the rate): the summary's advice needs one. */
  limitFound: boolean;
  /** Milliseconds spent under `--mps` because of throttling. */
  timeBelowMs: number;
}

export class Pacer {
  private readonly window: WriteWindow;
  private readonly control: RateController;
  /** The smoothing schedule: one request per `spacing` ms, with SMOOTH_ROOM of room. */
  private smoothAt = -Infinity;
  private next: number | undefined;
  private pausedUntil = 0;
  /** Slots taken on the grid whose admission has not come yet (their intents are being written, or wait). */
  private waiting = 0;
  /** The calls of `admit` waiting, in the order they came. */
  private readonly admitting: object[] = [];
  /** Wakes those waiting for a pending request's write time. */
  private wakeWriters: (() => void)[] = [];
  /** Their one fallback sleep (a second), while any wait. */
  private fallback: AbortController | undefined;
  /** The signals whose abort wakes them (one listener each, added once). */
  private readonly wakesOnAbort = new WeakSet<AbortSignal>();
  /** The margin throttling at an accepted rate added, as of `throttleMarginAt`. */
  private throttleMargin = 0;
  private throttleMarginAt = 0;
  /** The shortest round trip (write to answer, ms) of this ROUND_TRIP_SPAN_MS and of the one before. */
  private readonly shortest = new RecentExtreme(ROUND_TRIP_SPAN_MS, 'least');
  /** When each slot not yet at `admit` was taken, oldest first: admissions pair with them in order. */
  private readonly slotTimes = new SortedTimes();
  /** The worst slot-to-admission time of this LEAD_SPAN_MS and of the one before. */
  private readonly worstToAdmit = new RecentExtreme(LEAD_SPAN_MS, 'greatest');

  constructor(
    readonly mps: number,
    private readonly clock: Clock,
    /**
     * How late a receiver on this machine may have been to stamp what was written since `since`
     * (clock ms), beyond WINDOW_MARGIN_MS: this process's worst wait for a CPU since then
     * (cpu-waits.ts), or where the kernel does not say, its event loop's worst recent stall
     * (loop-stalls.ts); none in tests on a manual clock.
     */
    private readonly waits: (since: number) => number = () => 0,
  ) {
    if (!(mps >= 1)) throw new RangeError('mps must be at least 1');
    this.window = new WriteWindow(Math.floor(mps), 1000 + MAX_MARGIN_MS);
    this.control = new RateController(mps);
  }

  /** The current target rate, in requests per second. */
  get currentRate(): number {
    return this.control.rate;
  }

  state(): PacingState {
    return { mps: this.mps, rate: this.control.rate, providerRate: this.control.providerRate, throttleReactions: this.control.reactions, limitFound: this.control.limitFound, timeBelowMs: this.control.timeBelowMs(this.clock.now()) };
  }

  /**
   * The window after the write at `stamp`, as of `now` (ms): a second and the margin (see above).
   * The waits asked about begin MAX_MARGIN_MS before the write: a wait that ended earlier delayed
   * only the stamps of requests written before it, over MAX_MARGIN_MS before this one, whose
   * windows end later than this one's by more than any margin allowed.
   */
  windowAfter(stamp: number, now = this.clock.now(), roundTrip?: number): number {
    return this.windows(now)(stamp, roundTrip);
  }

  /** `windowAfter` as of `now`, for the window to ask about each write it looks at. */
  private windows(now: number): (stamp: number, roundTrip: number | undefined) => number {
    const throttle = this.throttleNow(now);
    const shortest = this.shortest.get(now);
    return (stamp, roundTrip) => {
      const margin = roundTrip === undefined ? WINDOW_MARGIN_MS + this.waits(stamp - MAX_MARGIN_MS) : Math.max(0, roundTrip - shortest) + Math.min(WINDOW_MARGIN_MS, shortest);
      return 1000 + Math.min(MAX_MARGIN_MS, margin + throttle);
    };
  }

  /** The margin throttling at about the rate sent added, as of `now`. */
  private throttleNow(now: number): number {
    return this.throttleMargin * 0.5 ** ((now - this.throttleMarginAt) / PROBE_MS);
  }

  /** How long before the window's room a slot may be taken now (MIN_ACQUIRE_LEAD_MS above). */
  lead(now = this.clock.now()): number {
    return Math.min(MAX_ACQUIRE_LEAD_MS, Math.max(MIN_ACQUIRE_LEAD_MS, this.worstToAdmit.get(now)));
  }

  /**
   * A call of `admit` came: it is paired with the oldest slot not yet paired, as slots and
   * admissions mostly come in the same order. Where they do not (one intent's write was slower
   * than the next one's), pairing in order gives each delay a neighbour's, and its worst is at most
   * the true worst: the lead can only be short by that reordering, never longer than needed.
   */
  private reachedAdmit(now: number): void {
    const takenAt = this.slotTimes.shift();
    // undefined: an admission with no slot taken before it (only tests admit without acquiring).
    if (takenAt !== undefined) this.worstToAdmit.add(now, now - takenAt);
  }

  /** Requests a window: the rate, whole. */
  private get limit(): number {
    return Math.max(1, Math.floor(this.control.rate));
  }

  /** Waits for the next slot on the grid. Returns false when `signal` aborted first. */
  async acquire(signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      const now = this.clock.now();
      this.control.recover(now);
      const rate = this.control.rate;
      // A grid far behind (after an idle spell) may catch up by one second's worth, no more.
      const next = Math.max(this.next ?? now, now - 1000);
      // Never ahead of the window by more than the lead: the admission this slot leads to must find
      // room about when its intent is on disk. A grid left to run ahead of it would, after a minute,
      // have the whole in-flight cap waiting in `admit` with their intents written: never sent, yet
      // in doubt should the process be killed.
      const room = this.window.roomAt(this.limit, this.windows(now), this.waiting);
      if (room === undefined) {
        await this.writeOrTimeout(signal);
        continue;
      }
      const at = Math.max(next, this.pausedUntil, room - this.lead(now));
      if (at <= now) {
        this.next = next + 1000 / rate;
        this.waiting++;
        this.slotTimes.push(now);
        return true;
      }
      await this.clock.sleep(at - now, signal);
    }
  }

  /** Waits until a request may leave without exceeding the limit in any window, and counts it. */
  async admit(signal?: AbortSignal): Promise<Sending | undefined> {
    // Each waits for the room left after those that came before it, not all for the first room:
    // with the grid's lead a few wait here at once, and all waking for each room would cost a
    // timer and a pass each per admission.
    const ticket = {};
    this.admitting.push(ticket);
    this.reachedAdmit(this.clock.now());
    try {
      for (;;) {
        if (signal?.aborted) {
          this.waiting = Math.max(0, this.waiting - 1);
          return undefined;
        }
        const now = this.clock.now();
        const room = this.window.roomAt(this.limit, this.windows(now), this.admitting.indexOf(ticket));
        if (room === undefined) {
          await this.writeOrTimeout(signal);
          continue;
        }
        // Requests held back together (by a slow fsync, a pause) leave at CATCH_UP times the rate,
        // not all at once: a burst would come back a window later, every window, since the window
        // then binds each request to the one `limit` before it.
        const spacing = 1000 / (this.control.rate * CATCH_UP);
        const smooth = Math.max(this.smoothAt, now - SMOOTH_ROOM * spacing);
        const at = Math.max(room, smooth, this.pausedUntil);
        if (at <= now) {
          this.window.admitted();
          this.control.sent(now);
          this.smoothAt = smooth + spacing;
          this.waiting = Math.max(0, this.waiting - 1);
          return this.sending(now);
        }
        await this.clock.sleep(at - now, signal);
      }
    } finally {
      this.admitting.splice(this.admitting.indexOf(ticket), 1);
    }
  }

  /**
   * The request admitted at `requestAt` was answered without throttling (accepted, refused for
   * another reason, or failed): what the provider accepted in a throttled second is counted from
   * these once all of that second's answers are in (rate-controller.ts).
   */
  answered(requestAt: number): void {
    this.control.answered(requestAt);
  }

  /**
   * A throttling answer to the request admitted at `requestAt`: the rate drops to what the provider
   * accepted (once per reaction), and nothing leaves before `retryAfterMs` when it asked for a wait.
   */
  throttled(requestAt: number, retryAfterMs?: number): void {
    const now = this.clock.now();
    const kind = this.control.throttled(now, requestAt);
    if (kind !== 'old') this.next = now + 1000 / this.control.rate;
    // Throttled at about the rate sent: a second at the receiver overran all the same, so the
    // margin was short.
    if (kind === 'jitter') {
      this.throttleMargin = this.throttleMargin * 0.5 ** ((now - this.throttleMarginAt) / PROBE_MS) + THROTTLE_MARGIN_STEP_MS;
      this.throttleMarginAt = now;
    }
    if (retryAfterMs !== undefined) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
  }

  private sending(at: number): Sending {
    let seq: number | undefined;
    let writtenAt = 0;
    const close = () => {
      if (seq !== undefined) return;
      writtenAt = this.clock.now();
      seq = this.window.written(writtenAt);
      if (this.wakeWriters.length > 0) this.wakeAll();
    };
    let answered = false;
    return {
      at,
      written: close,
      answered: (heldMs = 0) => {
        if (answered) return;
        answered = true;
        close();
        // Never below 0: an answer held longer than since the write means the write was recorded late.
        const roundTrip = Math.max(0, this.clock.now() - writtenAt - Math.max(0, heldMs));
        this.shortest.add(this.clock.now(), roundTrip);
        this.window.answered(seq!, roundTrip);
      },
      done: close,
    };
  }

  /**
   * Waits for a pending request's write time (or a second: a write that never comes, a request
   * stuck before the socket, would otherwise hold the window shut; its `done` comes with its
   * timeout at the latest), or for `signal` to abort. One fallback sleep and one abort listener
   * for all who wait, not one each: at 40/s a dozen admissions wait here at once, and a listener
   * each on the campaign's stop signal made Node warn of a leak (MaxListenersExceededWarning, 11
   * listeners); an early wake is harmless, since each waiter looks at the window again.
   */
  private writeOrTimeout(signal?: AbortSignal): Promise<void> {
    if (signal && !this.wakesOnAbort.has(signal)) {
      this.wakesOnAbort.add(signal);
      signal.addEventListener('abort', () => this.wakeAll(), { once: true });
    }
    return new Promise<void>((resolve) => {
      this.wakeWriters.push(resolve);
      if (this.fallback !== undefined) return;
      const timer = new AbortController();
      this.fallback = timer;
      void this.clock.sleep(1000, timer.signal).then(() => {
        if (this.fallback === timer) this.wakeAll();
      });
    });
  }

  /** Wakes every waiter of `writeOrTimeout`; the fallback sleep goes with them. */
  private wakeAll(): void {
    const wake = this.wakeWriters;
    this.wakeWriters = [];
    const timer = this.fallback;
    this.fallback = undefined;
    // A reason of our own: abort() without one builds a DOMException with a stack trace.
    timer?.abort(WOKEN);
    for (const resolve of wake) resolve();
  }
}

/** Why the fallback sleep of `writeOrTimeout` is cancelled: its waiters were woken. */
const WOKEN = 'woken';
