import { describe, expect, it } from 'vitest';
import { RetryQueue } from '../../src/campaign/retry-queue.js';

/** A seeded generator (mulberry32), so the shuffled cases are the same on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('RetryQueue', () => {
  it('gives nothing before its due time, then the earliest first', () => {
    const queue = new RetryQueue<string>();
    queue.push(300, 'c');
    queue.push(100, 'a');
    queue.push(200, 'b');
    expect(queue.nextDueAt).toBe(100);
    expect(queue.popDue(99)).toBeUndefined();
    expect(queue.popDue(250)).toBe('a');
    expect(queue.popDue(250)).toBe('b');
    expect(queue.popDue(250)).toBeUndefined();
    expect(queue.nextDueAt).toBe(300);
    expect(queue.size).toBe(1);
  });

  it('items due at the same time leave in the order they were queued', () => {
    const queue = new RetryQueue<number>();
    for (let i = 0; i < 50; i++) queue.push(i % 3 === 0 ? 10 : 20, i);
    const out: number[] = [];
    for (let item = queue.popDue(20); item !== undefined; item = queue.popDue(20)) out.push(item);
    expect(out).toEqual([...Array.from({ length: 50 }, (_, i) => i).filter((i) => i % 3 === 0), ...Array.from({ length: 50 }, (_, i) => i).filter((i) => i % 3 !== 0)]);
  });

  it('agrees with a stable sort on thousands of shuffled pushes and pops, interleaved', () => {
    const next = random(42);
    const queue = new RetryQueue<number>();
    const reference: { dueAt: number; id: number }[] = [];
    let now = 0;
    for (let id = 0; id < 5000; id++) {
      const dueAt = now + Math.floor(next() * 1000);
      queue.push(dueAt, id);
      reference.push({ dueAt, id });
      if (next() < 0.4) {
        now += Math.floor(next() * 50);
        reference.sort((a, b) => a.dueAt - b.dueAt);
        while (reference.length > 0 && reference[0]!.dueAt <= now) expect(queue.popDue(now)).toBe(reference.shift()!.id);
        expect(queue.popDue(now)).toBeUndefined();
      }
    }
    reference.sort((a, b) => a.dueAt - b.dueAt);
    expect(queue.size).toBe(reference.length);
    for (const { id } of reference) expect(queue.popDue(Infinity)).toBe(id);
  });
});
