import type { Clock } from '../../src/clock.js';
import { Pacer } from '../../src/campaign/pacer.js';
import { ManualClock } from '../manual-clock.js';

/**
 * A campaign's path from the pacer to a provider, on the manual clock: a dispatcher as
 * run-campaign's (grid slot, the intent's fsync, admission, up to `concurrency` in flight), then
 * what lies between `admit` and the socket (`beforeSocket`: the HTTP client, the event loop, a
 * loaded machine), then the network (`network`), then a receiver that stamps each request on
 * arrival and, with a `limit`, throttles as the emulator does: over `limit` accepted in the
 * sliding second (`countThrottled`: every arrival counts, a stricter provider). Throttled
 * recipients are sent again as soon as the pacer allows.
 *
 * A machine's pauses, as spans of time [from, to): `senderStalls`, when the sending process cannot
 * run (a GC pause, a long callback: nothing it would do then happens before `to`, its timers fire
 * late, its writes and the answers it reads wait); `receiverStalls`, when the receiver cannot stamp
 * (what reaches it then is stamped at `to`). Both at once is contention: other processes holding
 * the cores. `measuredWaits` says which of the sender's stalls its CPU-wait watch (cpu-waits.ts) sees:
 * asked about the time since a write, the pacer is told the worst of those that ended since then,
 * as the watch reports a wait by the sample taken once the process runs again (and once, not more:
 * the receiver here is late by exactly the sender's wait).
 */
export interface SimOptions {
  mps: number;
  /** Recipients. */
  count: number;
  concurrency?: number;
  /** Delay (ms) between admission and the socket write, for the i-th request. */
  beforeSocket?: (i: number) => number;
  /** Delay (ms) between the socket write and the receiver's stamp. */
  network?: (i: number) => number;
  /** The intent's fsync before admission, for the i-th slot. */
  fsync?: (i: number) => number;
  /** The receiver's limit a sliding second (undefined: never throttles). */
  limit?: number | ((now: number) => number);
  countThrottled?: boolean;
  /** Answer time after arrival: fixed, or for the i-th request, as it was accepted or throttled (answers then come out of order). */
  latencyMs?: number | ((i: number, accepted: boolean) => number);
  /** Retry-After (ms) sent with each throttling answer. */
  retryAfterMs?: number;
  senderStalls?: readonly (readonly [number, number])[];
  receiverStalls?: readonly (readonly [number, number])[];
  /** Whether the pacer is told when each answer came (`Sending.answered`); default yes. */
  tellAnswers?: boolean;
  /**
   * The i-th answer is read this long (ms) after it could be, and the pacer is told it was held
   * `told` (0–1) of the time it really waited (the transport's evidence is a lower bound): default
   * read at once, nothing told.
   */
  readLate?: (i: number) => { ms: number; told: number };
  /** Which sender stalls were waits for a CPU (the pacer hears of them); default none. */
  measuredWaits?: readonly (readonly [number, number])[];
}

/** `clock`, as a process paused during `stalls` sees it: a sleep that would end inside one ends at its end. */
export function stallingClock(clock: Clock, stalls: readonly (readonly [number, number])[]): Clock {
  const after = (t: number) => {
    for (const [from, to] of stalls) if (t >= from && t < to) return to;
    return t;
  };
  return {
    now: () => clock.now(),
    date: () => clock.date(),
    sleep: (ms, signal) => clock.sleep(after(clock.now() + Math.max(0, ms)) - clock.now(), signal),
  };
}

/** What a CPU-wait watch would report at `now` of the waits in `spans` since `since`: the worst of those that ended in between. */
export function reportedWaits(spans: readonly (readonly [number, number])[], since: number, now: number): number {
  let worst = 0;
  for (const [from, to] of spans) if (to >= since && to <= now) worst = Math.max(worst, to - from);
  return worst;
}

export interface SimResult {
  /** Arrival times at the receiver of every request, in order. */
  arrivals: number[];
  /** Arrival times of the accepted requests. */
  acceptedAt: number[];
  throttled: number;
  requests: number;
  /** The pacer's rate after each answer, in the order they came. */
  rates: number[];
  pacer: Pacer;
  clock: ManualClock;
}

export async function simulate(options: SimOptions, clock = new ManualClock('promises')): Promise<SimResult> {
  // The sender's side runs on its own view of the clock: its pauses delay it, not the receiver.
  const sender = options.senderStalls ? stallingClock(clock, options.senderStalls) : clock;
  const waits = options.measuredWaits;
  const pacer = new Pacer(options.mps, sender, waits && ((since) => reportedWaits(waits, since, clock.now())));
  const arrivals: number[] = [];
  const acceptedAt: number[] = [];
  const window: number[] = [];
  const rates: number[] = [];
  let throttled = 0;
  let requests = 0;
  let inFlight = 0;
  let slot = 0;
  let left = options.count;
  let retries = 0;
  const concurrency = options.concurrency ?? Math.max(16, Math.ceil(options.mps / 2));
  const limitAt = (now: number) => (typeof options.limit === 'function' ? options.limit(now) : options.limit);

  const receive = (at: number): boolean => {
    arrivals.push(at);
    const limit = limitAt(at);
    if (limit === undefined) return true;
    while (window.length > 0 && window[0]! <= at - 1000) window.shift();
    const over = window.length >= limit;
    if (!over || options.countThrottled) window.push(at);
    return !over;
  };

  const receiverLate = (t: number) => {
    for (const [from, to] of options.receiverStalls ?? []) if (t >= from && t < to) return to - t;
    return 0;
  };

  const attempt = async (i: number) => {
    await sender.sleep(options.fsync?.(i) ?? 0);
    const sending = await pacer.admit();
    if (!sending) throw new Error('admit refused without a signal');
    const n = requests++;
    await sender.sleep(options.beforeSocket?.(n) ?? 0);
    sending.written();
    await clock.sleep(options.network?.(n) ?? 0);
    await clock.sleep(receiverLate(clock.now()));
    const ok = receive(clock.now());
    const latency = options.latencyMs ?? 2;
    await clock.sleep(typeof latency === 'function' ? latency(n, ok) : latency);
    // The answer is read by the sender: not while it is paused, and perhaps later still.
    const readable = clock.now();
    const late = options.readLate?.(n);
    if (late) await clock.sleep(late.ms);
    await sender.sleep(0);
    if (options.tellAnswers !== false) sending.answered(late ? late.told * (clock.now() - readable) : 0);
    sending.done();
    if (ok) {
      acceptedAt.push(arrivals[n]!);
      pacer.answered(sending.at);
    } else {
      throttled++;
      pacer.throttled(sending.at, options.retryAfterMs);
      retries++;
    }
    rates.push(pacer.currentRate);
    inFlight--;
  };

  await clock.run(
    (async () => {
      const running: Promise<void>[] = [];
      while (left > 0 || retries > 0 || inFlight > 0) {
        if (inFlight >= concurrency || (left === 0 && retries === 0)) {
          await sender.sleep(1);
          continue;
        }
        await pacer.acquire();
        if (retries > 0) retries--;
        else left--;
        inFlight++;
        running.push(attempt(slot++));
      }
      await Promise.all(running);
    })(),
  );
  return { arrivals, acceptedAt, throttled, requests, rates, pacer, clock };
}

/** The most times in any window [t, t + 1000): what a provider counting arrivals sees at worst. */
export function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= 1000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** The rate from the 100th time to the 100th-last (so start-up and retry tails do not count), per second. */
export function innerRate(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const from = 99;
  const to = sorted.length - 100;
  if (to <= from) throw new Error(`too few times for the inner rate: ${sorted.length}`);
  return ((to - from) * 1000) / (sorted[to]! - sorted[from]!);
}

/** A seeded generator (mulberry32): the same jitter every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
