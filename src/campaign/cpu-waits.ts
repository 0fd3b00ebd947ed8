import { readFileSync } from 'node:fs';
import type { LoopStalls } from './loop-stalls.js';

/** How often the wait is sampled: a wait is seen as the most it grew in one such step. */
const SAMPLE_MS = 10;
/**
 * How long the worst wait is kept whole: a window and its margin at most, since a request stamped
 * late by it binds the one `mps` after it, about a second later (pacer.ts). Then half of it is
 * forgotten every WAIT_HALF_LIFE_MS.
 */
export const WAIT_HOLD_MS = 1200;
export const WAIT_HALF_LIFE_MS = 2000;
/**
 * How late a receiver on this machine may be, in our worst waits: its waits are not ours, only
 * alike (it waits while we run, too), and the worst of another sample of the same spread can be
 * more than ours. Twice ours held the bench's receiver where once ours did not (BENCHMARKS.md,
 * "Pacing at the receiver": 1,007 in a second at 1,000/s on a crowded machine).
 */
export const RECEIVER_WAIT_FACTOR = 2;
/** Linux: the event loop's thread, `<ns on a CPU> <ns runnable, waiting for one> <time slices>`. */
const SCHEDSTAT = '/proc/thread-self/schedstat';

/**
 * How long this process has lately waited for a CPU while it had work (ms): the worst 10 ms step,
 * whole for WAIT_HOLD_MS, then halving every WAIT_HALF_LIFE_MS. That, not how busy the process keeps its own event loop, is what
 * can make a receiver on the same machine stamp a request late: a GC pause or a long callback here
 * delays only the writes, and the window is kept on write times (write-window.ts); other processes
 * taking the cores delay a receiver among them as they delay us. The receiver's waits are not ours,
 * only alike (the same cores, the same competitors), so the worst is kept for seconds, not for the
 * last window: what a machine's contention does is a spread, and one second's sample of it is not
 * its worst. The kernel's count (schedstat's run delay), summed per step: a step's sum is at least
 * its longest single wait. Pure: `sample` is given the times; `watchCpuWaits` feeds it.
 */
export class CpuWaits {
  private last: number | undefined;
  private worst = 0;
  private worstAt = 0;

  /** The cumulative run delay (ms) read at `now`. */
  sample(now: number, cumulativeMs: number): void {
    if (this.last !== undefined) {
      const step = cumulativeMs - this.last;
      if (step > this.worstMs(now)) {
        this.worst = step;
        this.worstAt = now;
      }
    }
    this.last = cumulativeMs;
  }

  worstMs(now: number): number {
    return decayedWait(this.worst, now - this.worstAt);
  }
}

/** What is kept of a wait of `ms` seen `ago` ms ago. */
export function decayedWait(ms: number, ago: number): number {
  return ms * 0.5 ** (Math.max(0, ago - WAIT_HOLD_MS) / WAIT_HALF_LIFE_MS);
}

/** The run delay (ms) in schedstat's text, or undefined when it is not there. */
export function runDelayMs(text: string): number | undefined {
  const field = text.trim().split(/\s+/)[1];
  const ns = field === undefined ? NaN : Number(field);
  return Number.isFinite(ns) ? ns / 1e6 : undefined;
}

/**
 * Watches this thread's waits for a CPU, sampled every SAMPLE_MS on an unref'd timer, and says how
 * late a receiver on the machine may lately have been to stamp: RECEIVER_WAIT_FACTOR times the
 * worst of them (what the pacer's margin adds, pacer.ts); undefined
 * where the kernel does not say (not Linux, schedstats off): the pacer then falls back to the
 * event loop's stalls (loop-stalls.ts), which count these waits and the loop's own busy spells.
 */
export function watchCpuWaits(
  read: () => string = () => readFileSync(SCHEDSTAT, 'utf8'),
  /** Calls `sample` every SAMPLE_MS until the returned function is called (a test calls it by hand). */
  every: (sample: () => void) => () => void = (sample) => {
    const timer = setInterval(sample, SAMPLE_MS);
    timer.unref();
    return () => clearInterval(timer);
  },
): LoopStalls | undefined {
  const now = () => performance.now();
  const cumulative = (): number | undefined => {
    try {
      return runDelayMs(read());
    } catch {
      return undefined;
    }
  };
  const first = cumulative();
  if (first === undefined) return undefined;
  const waits = new CpuWaits();
  waits.sample(now(), first);
  const stop = every(() => {
    const ms = cumulative();
    if (ms !== undefined) waits.sample(now(), ms);
  });
  return { worstMs: () => RECEIVER_WAIT_FACTOR * waits.worstMs(now()), close: stop };
}
