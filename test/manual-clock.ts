import { sleepersOf, type Clock } from '../src/clock.js';

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
   * test that simulates five minutes). `'promises'`: for code that waits on nothing but this clock
   * and promises (the pacer, its simulations): before each jump, one turn of the event loop, which
   * runs every promise callback queued, and those they queue, before it ends. The default's five
   * turns are for code with a callback or two of real I/O between its promises; a simulation
   * fires a timer hundreds of thousands of times, and the four turns more were most of its time
   * (pacer.test.ts: the same 891,548 timer fires, in the same order at the same times, and its
   * tests' time 7.4–8.6 s → 2.8–3.1 s, measured in commit 0111854).
   */
  constructor(private readonly settle: number | 'files' | 'promises' = 0) {}

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
      const waiting = signal === undefined ? undefined : sleepersOf(signal);
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      };
      // Fired or aborted, the timer lets go of the signal (a campaign sleeps on one signal thousands of times).
      const timer: Timer = {
        at: this.t + ms,
        resolve: () => {
          waiting?.delete(onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      waiting?.add(onAbort);
    });
  }

  /** Moves time forward by `ms`, firing the timers due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    for (;;) {
      await this.idle();
      const next = this.nextTimer();
      if (!next || next.at > until) break;
      this.fire(next);
    }
    this.t = until;
    await this.idle();
  }

  /** Runs until `promise` settles, jumping to the next timer whenever nothing else can happen. */
  async run<T>(promise: Promise<T>, limitMs = 24 * 3600_000): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    while (!settled) {
      await this.idle();
      if (settled) break;
      if (this.held.size > 0) {
        await Promise.race(this.held);
        continue;
      }
      const settle = this.settle;
      if (settle === 'files') {
        await filesSettled();
        if (settled) break;
      } else if (settle !== 'promises' && settle > 0) {
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

  /** Lets what is pending run before time moves: one turn of the event loop in `'promises'` mode, five otherwise. */
  private idle(): Promise<void> {
    return this.settle === 'promises' ? oneTurn() : idle();
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

/** One turn of the event loop: every promise callback queued runs (and those they queue) before a check-phase callback. */
function oneTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Lets every pending promise callback and I/O callback run. */
async function idle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
