import { describe, expect, it } from 'vitest';
import { loopStalls, type DelayHistogram } from '../../src/campaign/loop-stalls.js';

/** A histogram only the test fills (delays in ms, kept in ns as Node's are), on a time only the test moves. */
function fakeSource() {
  const calls: string[] = [];
  let t = 1000;
  let count = 0;
  let max = 0;
  const histogram: DelayHistogram = {
    get count() {
      return count;
    },
    get max() {
      return max;
    },
    enable: () => {
      calls.push('enable');
      return true;
    },
    disable: () => {
      calls.push('disable');
      return true;
    },
    reset: () => {
      calls.push('reset');
      count = 0;
      max = 0;
    },
  };
  const options: { resolution: number }[] = [];
  return {
    calls,
    options,
    source: {
      monitor: (o: { resolution: number }) => {
        options.push(o);
        return histogram;
      },
      now: () => t,
    },
    /** The loop was delayed `ms` (what the monitor's timer measured). */
    delay(ms: number) {
      count++;
      max = Math.max(max, ms * 1e6);
    },
    at(ms: number) {
      t = 1000 + ms;
    },
  };
}

describe('loopStalls', () => {
  it('asks for a 5 ms monitor and enables it, and close disables it', () => {
    const fake = fakeSource();
    const stalls = loopStalls(fake.source);
    expect(fake.options).toEqual([{ resolution: 5 }]);
    expect(fake.calls).toEqual(['enable']);
    stalls.close();
    expect(fake.calls).toEqual(['enable', 'disable']);
  });

  it('no delay measured: 0', () => {
    const fake = fakeSource();
    const stalls = loopStalls(fake.source);
    expect(stalls.worstMs(0)).toBe(0);
  });

  it("the worst delay less the monitor's own 5 ms timer, never below 0", () => {
    const fake = fakeSource();
    const stalls = loopStalls(fake.source);
    fake.delay(3);
    expect(stalls.worstMs(0)).toBe(0);
    fake.delay(5.5);
    fake.delay(20);
    fake.delay(7);
    expect(stalls.worstMs(0)).toBe(15);
  });

  it('keeps the worst over this 600 ms span and the one before: read and reset at 600 ms exactly, forgotten after the next', () => {
    const fake = fakeSource();
    const stalls = loopStalls(fake.source);
    const read = (at: number) => {
      fake.at(at);
      return stalls.worstMs(0);
    };
    fake.delay(25);
    expect(read(100)).toBe(20);
    expect(read(599)).toBe(20);
    expect(fake.calls).toEqual(['enable']);
    // The span ends: its worst is kept as the previous span's, and the histogram starts again.
    expect(read(600)).toBe(20);
    expect(fake.calls).toEqual(['enable', 'reset']);
    fake.delay(13);
    expect(read(700)).toBe(20);
    // 600 ms after that reset: the 20 ms span is forgotten, the 8 ms one is the previous now.
    expect(read(1199)).toBe(20);
    expect(read(1200)).toBe(8);
    expect(fake.calls).toEqual(['enable', 'reset', 'reset']);
    fake.delay(30);
    expect(read(1300)).toBe(25);
    expect(read(1800)).toBe(25);
    // A span with nothing measured after it: 0.
    expect(read(2400)).toBe(0);
    expect(fake.calls).toEqual(['enable', 'reset', 'reset', 'reset', 'reset']);
  });

  it("Node's own histogram by default: nothing measured before its timer ever ran", () => {
    const stalls = loopStalls();
    try {
      expect(stalls.worstMs(0)).toBe(0);
    } finally {
      stalls.close();
    }
  });
});
