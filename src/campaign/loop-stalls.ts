import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The event-loop delay monitor's timer: a stall shorter than this is not seen. */
const RESOLUTION_MS = 5;
/** The worst stall is kept over two of these spans: the last second or so. */
const SPAN_MS = 600;

/**
 * How long this process has lately been unable to run its event loop (the worst stall of the last
 * second or so, in ms): a GC pause, or the scheduler giving the core to another process. On one
 * loaded machine the provider's stand-in (the emulator, a local mock) is held up as this process
 * is, so its arrival stamps are late by as much, whether or not a request was on its way to the
 * socket just then: the pacer's window widens by it (pacer.ts). Node's event-loop delay histogram,
 * read and reset every SPAN_MS.
 */
export interface LoopStalls {
  /**
   * How late a receiver on this machine may have been to stamp what was written since `since`
   * (clock ms): cpu-waits.ts answers for that span; the loop's histogram knows only the last second
   * or so, which is the span the pacer asks about while it keeps pace.
   */
  worstMs(since: number): number;
  close(): void;
}

/** What `loopStalls` reads of Node's event-loop delay histogram (perf_hooks' IntervalHistogram): delays in ns. */
export interface DelayHistogram {
  readonly count: number;
  readonly max: number;
  enable(): boolean;
  disable(): boolean;
  reset(): void;
}

/**
 * Where `loopStalls` gets its histogram and its time: Node's `monitorEventLoopDelay` and
 * `performance.now()` by default; a test gives its own, which only it fills and moves.
 */
export interface LoopStallsSource {
  monitor?: (options: { resolution: number }) => DelayHistogram;
  /** Milliseconds, never decreasing. */
  now?: () => number;
}

export function loopStalls({ monitor = monitorEventLoopDelay, now = performance.now.bind(performance) }: LoopStallsSource = {}): LoopStalls {
  const histogram = monitor({ resolution: RESOLUTION_MS });
  histogram.enable();
  let spanStart = now();
  let previous = 0;
  const current = () => (histogram.count > 0 ? Math.max(0, histogram.max / 1e6 - RESOLUTION_MS) : 0);
  return {
    worstMs() {
      const at = now();
      if (at - spanStart >= SPAN_MS) {
        previous = current();
        histogram.reset();
        spanStart = at;
      }
      return Math.max(previous, current());
    },
    close: () => histogram.disable(),
  };
}
