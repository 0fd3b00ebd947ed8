import { readFileSync } from 'node:fs';
import type { LoopStalls } from './loop-stalls.js';

/** How often the wait is sampled: a wait is seen as the most it grew in one such step. */
const SAMPLE_MS = 10;
/**
 * How long samples are kept (ms): longer than any window the pacer asks about (a second, its margin
 * and the lateness of a sender too loaded to admit on time). Asked about earlier, the watch says
 * the worst it kept.
 */
export const WAIT_KEEP_MS = 5000;
/**
 * How late a receiver on this machine may be, in our worst wait: its waits are not ours, only alike
 * (it waits while we run, too), and the worst of another sample of the same spread can be more than
 * ours. Measured (BENCHMARKS.md, "Pacing at the receiver"): over 22,680 pairs of requests `mps`
 * apart at 40–1,000/s on a crowded machine, how much closer the receiver stamped two requests than
 * they were written never exceeded 4 ms plus once the worst wait since the earlier one's write; half
 * as much again is the room for what that sample did not see. Once (1 ×) was tried on main: a point
 * of rate better at 80–1,000/s, but its first run at 40/s put 41 into a receiver second (2
 * throttled) on an idle machine, which 1.5 × never did in some fifty runs (BENCHMARKS.md, "Fifth
 * round"): the receiver's own pauses are not in our waits, and the half is their room. Since the
 * sixth round the waits count only for a write not yet answered (pacer.ts: an answer bounds when
 * the provider stamped the request, exactly for a receiver on this machine), so this factor now
 * decides only for a provider slower to answer than the window.
 */
export const RECEIVER_WAIT_FACTOR = 1.5;
/** Linux: the event loop's thread, `<ns on a CPU> <ns runnable, waiting for one> <time slices>`. */
const SCHEDSTAT = '/proc/thread-self/schedstat';

/**
 * How long this process has waited for a CPU while it had work (ms) since a given time: the worst
 * 10 ms step sampled since then. That, not how busy the process keeps its own event loop, is what
 * can make a receiver on the same machine stamp a request late: a GC pause or a long callback here
 * delays only the writes, and the window is kept on write times (write-window.ts); other processes
 * taking the cores delay a receiver among them as they delay us. The pacer asks about the time
 * since the write that binds its window (pacer.ts): a receiver late to stamp that request was late
 * after it was written, and the watch saw the wait by the step that ended it. Keyed to that write,
 * not to a fixed hold, the wait is kept exactly as long as a request it may have delayed binds the
 * window, however late a loaded sender comes to the next one, and forgotten as soon as none does
 * (a fixed hold with a decaying tail kept a start-up spike for ten seconds and cost 1–2 % of the
 * rate; one without a tail expired before the pair it protected when the sender ran late).
 * The kernel's count (schedstat's run delay), summed per step: a step's sum is at least its longest
 * single wait. Pure: `sample` is given the times; `watchCpuWaits` feeds it.
 */
export class CpuWaits {
  private last: number | undefined;
  /** Steps (time sampled, ms waited), each larger than every one after it: the worst since any time is the first at or after it. */
  private at: number[] = [];
  private ms: number[] = [];

  /** The cumulative run delay (ms) read at `now` (times never decreasing). */
  sample(now: number, cumulativeMs: number): void {
    if (this.last !== undefined) {
      const step = cumulativeMs - this.last;
      // A step no larger than this one, sampled before it, is never the worst since any time again.
      while (this.ms.length > 0 && this.ms[this.ms.length - 1]! <= step) {
        this.ms.pop();
        this.at.pop();
      }
      if (step > 0) {
        this.at.push(now);
        this.ms.push(step);
      }
      let drop = 0;
      while (drop < this.at.length && this.at[drop]! < now - WAIT_KEEP_MS) drop++;
      if (drop > 0) {
        this.at.splice(0, drop);
        this.ms.splice(0, drop);
      }
    }
    this.last = cumulativeMs;
  }

  /** The worst step sampled at or after `since` (0 when none waited). */
  worstSince(since: number): number {
    // The pacer asks once per admission: the first step at or after `since`, by binary search (`at` ascends).
    let lo = 0;
    let hi = this.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at[mid]! < since) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.ms.length ? this.ms[lo]! : 0;
  }
}

/** The run delay (ms) in schedstat's text, or undefined when it is not there. */
export function runDelayMs(text: string): number | undefined {
  const field = text.trim().split(/\s+/)[1];
  const ns = field === undefined ? NaN : Number(field);
  return Number.isFinite(ns) ? ns / 1e6 : undefined;
}

/**
 * Watches this thread's waits for a CPU, sampled every SAMPLE_MS on an unref'd timer, and says how
 * late a receiver on the machine may have been to stamp what was written since a time:
 * RECEIVER_WAIT_FACTOR times the worst of them (what the pacer's margin adds, pacer.ts); undefined
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
  now: () => number = () => performance.now(),
): LoopStalls | undefined {
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
  return { worstMs: (since) => RECEIVER_WAIT_FACTOR * waits.worstSince(since), close: stop };
}
