/**
 * Time as the program sees it, for everything that waits or stamps: the campaign's pacing and
 * retries, the ledger's deferred flush, the webhook's deadlines, the emulator's latency and
 * callbacks, the progress ticker, a Retry-After date. Injected (a base module, so fs/ and net/ can
 * take it too) so that tests run on a manual clock (test/manual-clock.ts) instead of sleeping.
 */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Wall-clock time for records. */
  date(): Date;
}

const sleepers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * The sleeps waiting on `signal`, each a wake function, all called when it aborts; a sleep that
 * ends first deletes its own. One abort listener per signal, however many sleep on it: at 1,000
 * MPS a few hundred attempts wait on the campaign's stop signal at once, and a listener each would
 * cost an add and a remove per sleep and make Node warn of a listener leak on stderr
 * (MaxListenersExceededWarning, over 10). Every Clock's sleep uses it (test/manual-clock.ts too).
 */
export function sleepersOf(signal: AbortSignal): Set<() => void> {
  let waiting = sleepers.get(signal);
  if (!waiting) {
    const set = new Set<() => void>();
    signal.addEventListener('abort', () => {
      for (const wake of [...set]) wake();
    }, { once: true });
    sleepers.set(signal, set);
    waiting = set;
  }
  return waiting;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  date: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const waiting = signal ? sleepersOf(signal) : undefined;
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        waiting?.delete(done);
        resolve();
      }
      waiting?.add(done);
    }),
};
