import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedTimes } from '../../src/campaign/sorted-times.js';

describe('SortedTimes', () => {
  it('counts, inserts, forgets and shifts as a sorted array would', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.record({ op: fc.constant('push' as const), dt: fc.nat(50) }), fc.record({ op: fc.constant('insert' as const), back: fc.nat(3000) }), fc.record({ op: fc.constant('forget' as const), back: fc.nat(3000) }), fc.record({ op: fc.constant('shift' as const) })), { maxLength: 3000 }), (ops) => {
        const times = new SortedTimes();
        let model: number[] = [];
        let now = 0;
        for (const step of ops) {
          if (step.op === 'push') {
            now += step.dt;
            times.push(now);
            model.push(now);
          } else if (step.op === 'insert') {
            times.insert(now - step.back);
            model.push(now - step.back);
            model.sort((a, b) => a - b);
          } else if (step.op === 'shift') {
            expect(times.shift()).toBe(model.shift());
          } else {
            times.forgetBefore(now - step.back);
            model = model.filter((t) => t >= now - step.back);
          }
          expect(times.length).toBe(model.length);
          expect(times.first).toBe(model[0]);
          expect(times.at(model.length - 1)).toBe(model.at(-1));
          const from = now - 1000;
          expect(times.countIn(from, now)).toBe(model.filter((t) => t > from && t <= now).length);
        }
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('forgets in amortised O(1): at 5,000 a second for a minute, each time is moved at most once on average', () => {
    const times = new SortedTimes();
    const count = 300_000;
    for (let i = 0; i < count; i++) {
      const now = i / 5; // ms: 5,000 a second
      times.push(now);
      times.forgetBefore(now - 2000);
    }
    // Two seconds kept (10,001 times), plus a dead front never above what is kept and 1,024.
    expect(times.length).toBe(10_001);
    expect(times.first).toBe((count - 1) / 5 - 2000);
    expect(times.moved).toBeGreaterThan(0);
    expect(times.moved).toBeLessThanOrEqual(count);
  });

  it('shifting as a queue (the pacer\u2019s slots, one in and one out) keeps the array small: the dead front is cut off', () => {
    const times = new SortedTimes();
    for (let i = 0; i < 100; i++) times.push(i);
    for (let i = 100; i < 100_000; i++) {
      times.push(i);
      expect(times.shift()).toBe(i - 100);
    }
    expect(times.length).toBe(100);
    expect(times.first).toBe(99_900);
    // Each cut moves the 100 kept once the dead front reaches 1,024: 97 cuts.
    expect(times.moved).toBe(9_700);
    for (let i = 0; i < 100; i++) times.shift();
    expect(times.shift()).toBeUndefined();
    expect(times.length).toBe(0);
  });
});
