import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

// The test clock itself: sleeps on an abort signal (the campaign's stop signal) end when it aborts,
// through one listener however many sleep on it, as src/clock.ts's systemClock does.
describe('ManualClock: sleeps on an abort signal', () => {
  it('twelve sleeps on one signal: one abort listener, every sleep woken at once when it aborts', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const woken: number[] = [];
    const sleeps = Array.from({ length: 12 }, (_, i) => clock.sleep(1000 * (i + 1), stop.signal).then(() => woken.push(i)));
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    stop.abort();
    await Promise.all(sleeps);
    expect(woken).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(clock.now()).toBe(0);
    // The aborted sleeps' timers are gone: time runs to its limit with nothing to fire.
    let fired = false;
    await clock.run(clock.sleep(20_000).then(() => (fired = true)));
    expect(fired).toBe(true);
    expect(clock.now()).toBe(20_000);
  });

  it('after one sleep ends on time, an abort still wakes the one asleep, at that moment', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    const ends: string[] = [];
    const short = clock.sleep(100, stop.signal).then(() => ends.push(`short at ${clock.now()}`));
    const long = clock.sleep(10_000, stop.signal).then(() => ends.push(`long at ${clock.now()}`));
    await clock.advance(100);
    await short;
    stop.abort();
    await long;
    expect(ends).toEqual(['short at 100', 'long at 100']);
  });

  it('a signal already aborted: the sleep ends at once and adds no listener', async () => {
    const clock = new ManualClock();
    const stop = new AbortController();
    stop.abort();
    await clock.sleep(5000, stop.signal);
    expect(clock.now()).toBe(0);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});
