import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('systemClock.sleep', () => {
  it('resolves after its time, and at once for none, leaving no timer', async () => {
    const before = timers();
    const sleep = systemClock.sleep(5);
    expect(timers()).toBe(before + 1);
    await sleep;
    expect(timers()).toBe(before);
    await systemClock.sleep(0);
  });

  it('hundreds of sleeps on one signal: all wake when it aborts, leave no timer, and Node warns of no listener leak', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const before = timers();
      const stop = new AbortController();
      const sleeps = Array.from({ length: 300 }, () => systemClock.sleep(60_000, stop.signal));
      expect(timers()).toBe(before + 300);
      stop.abort();
      await Promise.all(sleeps); // would wait a minute (the test's timeout first) if any slept on
      expect(timers()).toBe(before);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
      // Sleeping on a signal that has aborted returns at once.
      await systemClock.sleep(60_000, stop.signal);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a sleep that ends by itself lets go of the signal: the next abort wakes only those still asleep', async () => {
    const stop = new AbortController();
    await systemClock.sleep(1, stop.signal);
    let woken = 0;
    const asleep = systemClock.sleep(60_000, stop.signal).then(() => woken++);
    stop.abort();
    await asleep;
    expect(woken).toBe(1);
  });
});
