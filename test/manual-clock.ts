import type { Clock } from '../src/clock.js';

interface Timer {
  at: number;
  resolve: () => void;
}

/**
 * A clock that moves only when told: `sleep` registers a timer, and `run(promise)` advances time
 * to the next timer whenever everything else is idle. Tests of pacing and retries take no real time.
 */
export class ManualClock implements Clock {
  private t = 0;
  private timers: Timer[] = [];
  private held = new Set<Promise<unknown>>();

  /**
   * `settle`: for code that also waits on real I/O (a ledger's fsync, a CSV being read), without
   * which time could jump while a write is still on its way. A number: real milliseconds to let
   * pass before each jump to the next timer (a guess, for sockets, which stay open between
   * requests). `'files'`: before each jump, wait until no file-system request of this process is
   * pending (process.getActiveResourcesInfo), however long it takes, and no longer: for code whose
   * only real I/O is files (a fixed 3 ms before each of a campaign's thousand jumps was 3 s of a
   * test that simulates five minutes).
   */
  constructor(private readonly settle: number | 'files' = 0) {}

  /**
   * Real I/O that time must not jump over (a ledger write or fsync, wrapped by the test): while
   * `promise` is pending, `run` waits for it instead of moving to the next timer, however long a
   * loaded machine takes. (A `settle` in ms only guesses how long I/O takes; under load a write outlasts
   * the guess and time jumps in the middle of it.) Returns `promise`.
   */
  hold<T>(promise: Promise<T>): Promise<T> {
    const tracked: Promise<unknown> = promise.then(
      () => this.held.delete(tracked),
      () => this.held.delete(tracked),
    );
    this.held.add(tracked);
    return promise;
  }

  now(): number {
    return this.t;
  }

  date(): Date {
    return new Date(Date.UTC(2026, 10, 24) + this.t);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0 || signal?.aborted) return resolve();
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      };
      // Fired or aborted, the timer lets go of the signal (a campaign sleeps on one signal thousands of times).
      const timer: Timer = {
        at: this.t + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves time forward by `ms`, firing the timers due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    for (;;) {
      await idle();
      const next = this.nextTimer();
      if (!next || next.at > until) break;
      this.fire(next);
    }
    this.t = until;
    await idle();
  }

  /** Runs until `promise` settles, jumping to the next timer whenever nothing else can happen. */
  async run<T>(promise: Promise<T>, limitMs = 24 * 3600_000): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    while (!settled) {
      await idle();
      if (settled) break;
      if (this.held.size > 0) {
        await Promise.race(this.held);
        continue;
      }
      const settle = this.settle;
      if (settle === 'files') {
        await filesSettled();
        if (settled) break;
      } else if (settle > 0) {
        await new Promise((resolve) => setTimeout(resolve, settle));
        await idle();
        if (settled) break;
      }
      const next = this.nextTimer();
      if (next) {
        if (next.at > limitMs) throw new Error(`manual clock: still waiting at ${limitMs} ms`);
        this.fire(next);
      } else {
        // Waiting on real I/O (files, sockets): let it happen.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    return watched;
  }

  private nextTimer(): Timer | undefined {
    return this.timers.reduce<Timer | undefined>((min, timer) => (!min || timer.at < min.at ? timer : min), undefined);
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((x) => x !== timer);
    this.t = Math.max(this.t, timer.at);
    timer.resolve();
  }
}

/** Resolves once no file-system request of this process is pending, and the callbacks of the last have run. */
async function filesSettled(): Promise<void> {
  for (;;) {
    await idle();
    if (!process.getActiveResourcesInfo().some((name) => name.startsWith('FSReq'))) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Lets every pending promise callback and I/O callback run. */
async function idle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
