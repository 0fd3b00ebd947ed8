import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { CpuWaits, RECEIVER_WAIT_FACTOR, runDelayMs, WAIT_KEEP_MS, watchCpuWaits } from '../../src/campaign/cpu-waits.js';

describe('CpuWaits: the worst wait for a CPU since a time', () => {
  it('is the most the run delay grew in one step, not its total', () => {
    const waits = new CpuWaits();
    waits.sample(0, 1000);
    waits.sample(10, 1003);
    waits.sample(20, 1020);
    waits.sample(30, 1021);
    expect(waits.worstSince(0)).toBe(17);
  });

  it('nothing before the second sample: a first reading is a total since the thread began, not a wait', () => {
    const waits = new CpuWaits();
    waits.sample(0, 5000);
    expect(waits.worstSince(0)).toBe(0);
  });

  it('counts a step from when it was sampled: an earlier larger one is not the worst since after it', () => {
    const waits = new CpuWaits();
    waits.sample(0, 0);
    waits.sample(10, 40);
    waits.sample(20, 45);
    expect(waits.worstSince(0)).toBe(40);
    expect(waits.worstSince(10)).toBe(40);
    expect(waits.worstSince(11)).toBe(5);
    expect(waits.worstSince(21)).toBe(0);
  });

  it('a larger step later replaces the smaller ones before it, whatever the time asked about', () => {
    const waits = new CpuWaits();
    waits.sample(0, 0);
    waits.sample(10, 30);
    waits.sample(20, 35);
    waits.sample(30, 95);
    expect(waits.worstSince(0)).toBe(60);
    expect(waits.worstSince(25)).toBe(60);
  });

  it(`forgets a step ${WAIT_KEEP_MS} ms after it was sampled`, () => {
    const waits = new CpuWaits();
    waits.sample(0, 0);
    waits.sample(10, 40);
    waits.sample(10 + WAIT_KEEP_MS, 41);
    expect(waits.worstSince(0)).toBe(40);
    waits.sample(11 + WAIT_KEEP_MS, 43);
    expect(waits.worstSince(0)).toBe(2);
  });

  it('property: for any samples and any time asked about, the most of the steps kept that were sampled since then', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 50 })), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: -1000, max: 40_000 }), { minLength: 1, maxLength: 10 }),
        (samples, asked) => {
          const waits = new CpuWaits();
          let t = 0;
          let total = 0;
          waits.sample(t, total);
          const steps: [number, number][] = [];
          for (const [gap, step] of samples) {
            t += gap;
            total += step;
            waits.sample(t, total);
            steps.push([t, step]);
            for (const since of asked) {
              // Asked about a time before what is kept, the worst kept.
              const want = Math.max(0, ...steps.filter(([at]) => at >= since && at >= t - WAIT_KEEP_MS).map(([, ms]) => ms));
              if (waits.worstSince(since) !== want) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 200, seed: 15 },
    );
  });
});

describe('runDelayMs: schedstat’s run delay', () => {
  it('reads the second field, in ns, as ms', () => {
    expect(runDelayMs('571160 105258000 12\n')).toBe(105.258);
    // Fields apart by more than one space or a tab are still the same fields.
    expect(runDelayMs('  571160   2000000\t12')).toBe(2);
  });

  it('says nothing of a text without it', () => {
    expect(runDelayMs('')).toBeUndefined();
    expect(runDelayMs('571160\n')).toBeUndefined();
    expect(runDelayMs('571160 n/a 1')).toBeUndefined();
  });
});

describe('watchCpuWaits', () => {
  it("reads this thread's schedstat by default (where Linux has it)", () => {
    const watch = watchCpuWaits();
    try {
      expect(watch !== undefined).toBe(existsSync('/proc/thread-self/schedstat'));
    } finally {
      watch?.close();
    }
  });

  it('samples every 10 ms on its own timer until closed (a fake timer: no real wait)', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      let reads = 0;
      const watch = watchCpuWaits(() => `1 ${++reads * 1_000_000} 3`);
      expect(reads).toBe(1);
      vi.advanceTimersByTime(9);
      expect(reads).toBe(1);
      vi.advanceTimersByTime(1);
      expect(reads).toBe(2);
      vi.advanceTimersByTime(20);
      expect(reads).toBe(4);
      watch!.close();
      vi.advanceTimersByTime(100);
      expect(reads).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('is undefined where the kernel does not say (the pacer then watches the event loop instead)', () => {
    expect(
      watchCpuWaits(() => {
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      }),
    ).toBeUndefined();
    expect(watchCpuWaits(() => 'not schedstat')).toBeUndefined();
  });

  it('says one and a half times its worst wait since the time asked about, a receiver on the machine being alike, not the same; stops sampling when closed', () => {
    let delayNs = 2_000_000;
    let sample: (() => void) | undefined;
    let stopped = false;
    let now = 0;
    const watch = watchCpuWaits(
      () => `1 ${delayNs} 3`,
      (fn) => {
        sample = fn;
        return () => (stopped = true);
      },
      () => now,
    );
    // 8 ms of waiting between two samples, at 10 ms; then 2 ms more at 20.
    now = 10;
    delayNs += 8_000_000;
    sample!();
    now = 20;
    delayNs += 2_000_000;
    sample!();
    expect(RECEIVER_WAIT_FACTOR).toBe(1.5);
    expect(watch?.worstMs(0)).toBe(12);
    expect(watch?.worstMs(15)).toBe(3);
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
      expect(watch?.worstMs(0)).toBe(0);
      expect(reads).toBe(1);
    } finally {
      watch?.close();
    }
  });
});
