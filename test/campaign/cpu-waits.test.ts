import { describe, expect, it } from 'vitest';
import { CpuWaits, RECEIVER_WAIT_FACTOR, runDelayMs, WAIT_HALF_LIFE_MS, WAIT_HOLD_MS, watchCpuWaits } from '../../src/campaign/cpu-waits.js';

describe('CpuWaits: the worst wait for a CPU lately', () => {
  it('is the most the run delay grew in one step, not its total', () => {
    const waits = new CpuWaits();
    waits.sample(0, 1000);
    waits.sample(10, 1003);
    waits.sample(20, 1020);
    waits.sample(30, 1021);
    expect(waits.worstMs(30)).toBe(17);
  });

  it('nothing before the second sample: a first reading is a total since the thread began, not a wait', () => {
    const waits = new CpuWaits();
    waits.sample(0, 5000);
    expect(waits.worstMs(0)).toBe(0);
  });

  it('is kept whole for a window and its margin, then halves every half-life', () => {
    const waits = new CpuWaits();
    waits.sample(0, 0);
    waits.sample(10, 40);
    expect(waits.worstMs(10 + WAIT_HOLD_MS)).toBe(40);
    expect(waits.worstMs(10 + WAIT_HOLD_MS + WAIT_HALF_LIFE_MS)).toBeCloseTo(20, 9);
  });

  it('a smaller wait does not replace a larger one still kept; a larger one does', () => {
    const waits = new CpuWaits();
    waits.sample(0, 0);
    waits.sample(10, 30);
    waits.sample(20, 35);
    expect(waits.worstMs(20)).toBe(30);
    waits.sample(30, 95);
    expect(waits.worstMs(30)).toBe(60);
  });
});

describe('runDelayMs: schedstat’s run delay', () => {
  it('reads the second field, in ns, as ms', () => {
    expect(runDelayMs('571160 105258000 12\n')).toBe(105.258);
  });

  it('says nothing of a text without it', () => {
    expect(runDelayMs('')).toBeUndefined();
    expect(runDelayMs('571160\n')).toBeUndefined();
    expect(runDelayMs('571160 n/a 1')).toBeUndefined();
  });
});

describe('watchCpuWaits', () => {
  it('is undefined where the kernel does not say (the pacer then watches the event loop instead)', () => {
    expect(
      watchCpuWaits(() => {
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      }),
    ).toBeUndefined();
    expect(watchCpuWaits(() => 'not schedstat')).toBeUndefined();
  });

  it('says twice its worst wait, a receiver on the machine being alike, not the same; stops sampling when closed', () => {
    let delayNs = 2_000_000;
    let sample: (() => void) | undefined;
    let stopped = false;
    const watch = watchCpuWaits(
      () => `1 ${delayNs} 3`,
      (fn) => {
        sample = fn;
        return () => (stopped = true);
      },
    );
    // 7 ms of waiting between two samples.
    delayNs += 7_000_000;
    sample!();
    expect(RECEIVER_WAIT_FACTOR).toBe(2);
    expect(watch?.worstMs()).toBe(14);
    watch?.close();
    expect(stopped).toBe(true);
  });

  it('reads the kernel’s count where it is there, and starts at no wait', () => {
    let reads = 0;
    const watch = watchCpuWaits(() => {
      reads++;
      return '1 2000000 3';
    });
    try {
      expect(watch?.worstMs()).toBe(0);
      expect(reads).toBe(1);
    } finally {
      watch?.close();
    }
  });
});
