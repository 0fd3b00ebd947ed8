import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/campaign/pacer.js';
import { ManualClock } from '../manual-clock.js';

/** Sends `count` requests as fast as the pacer allows; returns their start times. */
async function sendTimes(mps: number, count: number, clock = new ManualClock(), pacer = new Pacer(mps, clock)) {
  const times: number[] = [];
  await clock.run(
    (async () => {
      for (let i = 0; i < count; i++) {
        await pacer.acquire();
        await pacer.admit();
        times.push(clock.now());
      }
    })(),
  );
  return times;
}

/** The most requests started in any window [t, t + 1000). */
function busiestSecond(times: number[]): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= 1000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('Pacer', () => {
  it.each([80, 400, 1000])('at %i MPS: never over the limit in any sliding second, and at least 99 percent of it over a long run', async (mps) => {
    const count = mps * 60;
    const times = await sendTimes(mps, count);
    expect(busiestSecond(times)).toBeLessThanOrEqual(mps);
    const achieved = (count - 1) / ((times.at(-1)! - times[0]!) / 1000);
    expect(achieved / mps).toBeGreaterThanOrEqual(0.99);
  });

  it('catches up after late wake-ups without breaking the window', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(100, clock);
    const times: number[] = [];
    await clock.run(
      (async () => {
        for (let i = 0; i < 1000; i++) {
          await pacer.acquire();
          await pacer.admit();
          times.push(clock.now());
          // Every tenth send the process stalls for 50 ms (a GC pause, a slow fsync).
          if (i % 10 === 9) await clock.sleep(50);
        }
      })(),
    );
    expect(busiestSecond(times)).toBeLessThanOrEqual(100);
    expect(999 / ((times.at(-1)! - times[0]!) / 1000)).toBeGreaterThanOrEqual(99);
  });

  it('lets requests held back by a stall leave at no more than four times the rate, and no burst comes back a window later', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(400, clock);
    const times: number[] = [];
    await clock.run(
      (async () => {
        for (let i = 0; i < 4000; i++) {
          await pacer.acquire();
          // A slow fsync between the grid and the window, once: 150 ms.
          if (i === 800) await clock.sleep(150);
          await pacer.admit();
          times.push(clock.now());
        }
      })(),
    );
    // The most in any 10 ms: at 4 × 400/s that is 16, plus the 4 that may leave at once.
    let most = 0;
    for (let end = 0, start = 0; end < times.length; end++) {
      while (times[end]! - times[start]! >= 10) start++;
      most = Math.max(most, end - start + 1);
    }
    expect(most).toBeLessThanOrEqual(20);
    expect(busiestSecond(times)).toBeLessThanOrEqual(400);
    expect(3999 / ((times.at(-1)! - times[0]!) / 1000)).toBeGreaterThanOrEqual(396);
  });

  it('the grid never runs ahead of the window: over a long run, attempts between the two stay few (intents are not written long before their request)', async () => {
    // A dispatcher as run-campaign's: slots taken on the grid one after another, up to 150 attempts
    // at once, each writing its intent (1 ms), waiting for admission, then in flight for 20 ms.
    const clock = new ManualClock();
    const pacer = new Pacer(300, clock);
    let attempts = 0;
    let between = 0;
    let mostBetween = 0;
    const times: number[] = [];
    const attempt = async () => {
      between++;
      await clock.sleep(1);
      if (clock.now() > 5_000) mostBetween = Math.max(mostBetween, between);
      await pacer.admit();
      between--;
      times.push(clock.now());
      await clock.sleep(20);
      attempts--;
    };
    await clock.run(
      (async () => {
        const running: Promise<void>[] = [];
        for (let i = 0; i < 300 * 20; i++) {
          while (attempts >= 150) await clock.sleep(1);
          await pacer.acquire();
          attempts++;
          running.push(attempt());
        }
        await Promise.all(running);
      })(),
    );
    expect(mostBetween).toBeLessThanOrEqual(5);
    expect(busiestSecond(times)).toBeLessThanOrEqual(300);
    expect((times.length - 1) / ((times.at(-1)! - times[0]!) / 1000) / 300).toBeGreaterThanOrEqual(0.99);
  });

  it('admits no more than mps requests in any second even when they come bunched', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(50, clock);
    const times: number[] = [];
    // 200 requests all ready at once (their intents' fsyncs finished together).
    await clock.run(Promise.all(Array.from({ length: 200 }, async () => {
      await pacer.admit();
      times.push(clock.now());
    })));
    times.sort((a, b) => a - b);
    expect(busiestSecond(times)).toBeLessThanOrEqual(50);
    expect(busiestSecond(times.map((t) => t))).toBe(50);
  });

  it('slows down on throttling, waits out Retry-After, and recovers', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(80, clock);
    await sendTimes(80, 10, clock, pacer);
    pacer.slowDown(2000);
    expect(pacer.currentRate).toBe(72);
    const before = clock.now();
    const [first] = await sendTimes(80, 1, clock, pacer);
    expect(first! - before).toBeGreaterThanOrEqual(2000);
    // 5 s per step of 5 % of 80 (4/s): back to 80 after two quiet steps.
    await sendTimes(80, 80 * 60, clock, pacer);
    expect(pacer.currentRate).toBe(80);
  });

  it('never goes below one request a second', async () => {
    const pacer = new Pacer(2, new ManualClock());
    for (let i = 0; i < 20; i++) pacer.slowDown();
    expect(pacer.currentRate).toBe(1);
  });

  it('stops waiting when aborted', async () => {
    const clock = new ManualClock();
    const pacer = new Pacer(1, clock);
    await sendTimes(1, 1, clock, pacer);
    const abort = new AbortController();
    const waiting = pacer.acquire(abort.signal);
    abort.abort();
    expect(await waiting).toBe(false);
  });
});
