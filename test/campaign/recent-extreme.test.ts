import { describe, expect, it } from 'vitest';
import { RecentExtreme } from '../../src/campaign/recent-extreme.js';

describe('RecentExtreme', () => {
  it('the greatest of this span and the one before: a value is kept for one to two spans, then forgotten', () => {
    const worst = new RecentExtreme(1000, 'greatest');
    expect(worst.get(0)).toBe(-Infinity);
    worst.add(0, 30); // opens the span [0, 1000)
    worst.add(500, 10);
    expect(worst.get(999)).toBe(30);
    // A new span at 1000: the one before still counts.
    expect(worst.get(1000)).toBe(30);
    worst.add(1500, 12);
    expect(worst.get(1999)).toBe(30);
    // At 2000 the span of 30 is two behind: only 12 (the span before) is left.
    expect(worst.get(2000)).toBe(12);
    expect(worst.get(3000)).toBe(-Infinity);
  });

  it('a gap of two spans or more forgets the span before too, not only the current one', () => {
    const worst = new RecentExtreme(1000, 'greatest');
    worst.add(0, 50);
    // 2,500 ms later: the span that held 50 ended over a span ago.
    worst.add(2500, 5);
    expect(worst.get(2500)).toBe(5);
    const gapJustUnder = new RecentExtreme(1000, 'greatest');
    gapJustUnder.add(0, 50);
    gapJustUnder.add(1999, 5);
    expect(gapJustUnder.get(1999)).toBe(50);
  });

  it('the least, the same way (the shortest round trip)', () => {
    const shortest = new RecentExtreme(5000, 'least');
    expect(shortest.get(0)).toBe(Infinity);
    shortest.add(0, 0.4);
    shortest.add(100, 2);
    expect(shortest.get(4999)).toBe(0.4);
    shortest.add(6000, 3);
    expect(shortest.get(6000)).toBe(0.4);
    expect(shortest.get(10_000)).toBe(0.4);
    expect(shortest.get(11_000)).toBe(3);
  });
});
