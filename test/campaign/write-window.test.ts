import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WriteWindow } from '../../src/campaign/write-window.js';

/** What the window must answer, from every write time ever given (no ring, no horizon). */
class EveryStamp {
  private readonly stamps: number[] = [];
  private unwritten = 0;
  constructor(private readonly capacity: number) {}
  admitted() {
    this.unwritten++;
  }
  written(at: number) {
    this.unwritten = Math.max(0, this.unwritten - 1);
    this.stamps.push(at);
  }
  roomAt(limit: number, windowMs: number, ahead = 0) {
    const allowed = Math.min(limit, this.capacity) - this.unwritten - ahead - 1;
    if (allowed < 0) return undefined;
    if (this.stamps.length <= allowed) return -Infinity;
    return this.stamps[this.stamps.length - 1 - allowed]! + windowMs;
  }
}

describe('WriteWindow', () => {
  it('an unpaced campaign (--mps 1000000) at 2,000 requests a second holds about a horizon of write times, not a million', () => {
    const window = new WriteWindow(1_000_000, 1100);
    for (let i = 0; i < 200_000; i++) {
      window.admitted();
      window.written(i * 0.5);
    }
    // 2,200 writes lie within the last 1,100 ms: all kept, in a ring grown by doubling, no more.
    expect(window.retained).toBeGreaterThanOrEqual(2201);
    expect(window.retained).toBeLessThanOrEqual(4096);
    // The 2,000th most recent write (at 99,000 ms) decides a second-long window of 2,000.
    expect(window.roomAt(2000, 1000)).toBe(100_000);
  });

  it('never holds more than `capacity` write times, however many fall within the horizon', () => {
    const window = new WriteWindow(100, 1100);
    for (let i = 0; i < 1000; i++) window.written(i);
    expect(window.retained).toBe(100);
    // The 100th most recent write (at 900 ms) decides a window of 100.
    expect(window.roomAt(100, 1000)).toBe(1900);
  });

  it('a write older than the one that binds, whose round trip makes its window end later, decides the room; once beyond the horizon it no longer does', () => {
    const window = new WriteWindow(10, 1100);
    // A window of a second and 4 ms until answered, then a second and the round trip.
    const windowMs = (_stamp: number, roundTrip: number | undefined) => 1000 + (roundTrip ?? 4);
    const first = window.written(0);
    const second = window.written(1);
    window.written(2);
    // Nothing known: the binding write (at 1, the second most recent) decides, 1,005.
    expect(window.roomAt(2, windowMs)).toBe(1005);
    // The write before it was answered late (a 30 ms round trip): its window ends at 1,030, and it binds.
    window.answered(first, 30);
    expect(window.roomAt(2, windowMs)).toBe(1030);
    // The binding write's own round trip, when its window ends later still.
    window.answered(second, 50);
    expect(window.roomAt(2, windowMs)).toBe(1051);
    // A sequence number no longer held (or never given) changes nothing.
    window.answered(99, 90);
    expect(window.roomAt(2, windowMs)).toBe(1051);
    // Far later, those writes have left the horizon and hold nothing back.
    window.written(5000);
    expect(window.roomAt(1, windowMs)).toBe(6004);
  });

  it('property: answers as a window keeping every write time does, for any writes, limits, horizons and windows within them', () => {
    const run = fc.record({
      capacity: fc.integer({ min: 1, max: 3000 }),
      horizonMs: fc.integer({ min: 1, max: 3000 }),
      // Mostly requests close together (the ring grows past its first size), now and then a pause (old stamps leave).
      steps: fc.array(
        fc.oneof(
          { weight: 10, arbitrary: fc.record({ kind: fc.constant('admit' as const) }) },
          { weight: 10, arbitrary: fc.record({ kind: fc.constant('write' as const), gap: fc.double({ min: 0, max: 2, noNaN: true }) }) },
          { weight: 1, arbitrary: fc.record({ kind: fc.constant('write' as const), gap: fc.double({ min: 0, max: 4000, noNaN: true }) }) },
          { weight: 10, arbitrary: fc.record({ kind: fc.constant('ask' as const), limit: fc.integer({ min: 1, max: 3000 }), window: fc.double({ min: 0, max: 1, noNaN: true }), ahead: fc.integer({ min: 0, max: 5 }) }) },
        ),
        { maxLength: 6000, size: 'max' },
      ),
    });
    let grew = 0;
    fc.assert(
      fc.property(run, ({ capacity, horizonMs, steps }) => {
        const window = new WriteWindow(capacity, horizonMs);
        const model = new EveryStamp(capacity);
        let now = 0;
        for (const s of steps) {
          if (s.kind === 'admit') {
            window.admitted();
            model.admitted();
          } else if (s.kind === 'write') {
            now += s.gap;
            window.written(now);
            model.written(now);
          } else {
            const windowMs = Math.max(1, s.window * horizonMs);
            const got = window.roomAt(s.limit, windowMs, s.ahead);
            const want = model.roomAt(s.limit, windowMs, s.ahead);
            // A room already past means "at once" to the pacer, as -Infinity does.
            const same = want === undefined || want > now ? got === want : got !== undefined && got <= now;
            if (!same) throw new Error(`at ${now}: roomAt(${s.limit}, ${windowMs}, ${s.ahead}) gave ${got}, keeping every stamp gives ${want}`);
          }
          if (window.retained > capacity) throw new Error(`${window.retained} stamps held, capacity ${capacity}`);
        }
        if (window.retained > 1024) grew++;
      }),
      { numRuns: 30, seed: 20261202, endOnFailure: true },
    );
    // Not vacuous: some runs grew the ring past its first size.
    expect(grew).toBeGreaterThan(0);
  });
});

describe('WriteWindow: its ring and its answers, exactly', () => {
  it('holds `capacity` write times from the start when that is under 1,024, and 1,024 otherwise, grown only when the 1,025th falls within the horizon', () => {
    expect(new WriteWindow(10, 1100).retained).toBe(10);
    const window = new WriteWindow(5000, 2000);
    expect(window.retained).toBe(1024);
    for (let i = 0; i < 1024; i++) window.written(i);
    expect(window.retained).toBe(1024);
    window.written(1024);
    expect(window.retained).toBe(2048);
  });

  it('a full ring whose oldest write is exactly a horizon before the new one drops it rather than growing', () => {
    const window = new WriteWindow(5000, 1024);
    for (let i = 0; i <= 1024; i++) window.written(i);
    expect(window.retained).toBe(1024);
    // The 1,024 most recent (1..1024) are held: the 1,024th most recent, at 1, decides a window of 1,024.
    expect(window.roomAt(1024, 1000)).toBe(1001);
  });

  it('the next write\'s sequence number, not yet given, is ignored: it does not land on the oldest write of a full ring', () => {
    const window = new WriteWindow(3, 1100);
    const windowMs = (_stamp: number, roundTrip: number | undefined) => 1000 + (roundTrip ?? 4);
    expect([window.written(0), window.written(1), window.written(2)]).toEqual([0, 1, 2]);
    window.answered(3, 500);
    // The most recent write (at 2) binds, 1,006; the two before it end sooner (1,005, 1,004).
    expect(window.roomAt(1, windowMs)).toBe(1006);
    // Once given, the number is that write's.
    expect(window.written(3)).toBe(3);
    window.answered(3, 500);
    expect(window.roomAt(1, windowMs)).toBe(1503);
  });

  it('the round trip of a write no longer held is ignored: it does not land on the write that took its place in the ring', () => {
    const window = new WriteWindow(3, 1100);
    const windowMs = (_stamp: number, roundTrip: number | undefined) => 1000 + (roundTrip ?? 4);
    // A full ring: the write at 3 takes the place of the one at 0 (sequence 0).
    expect([0, 1, 2, 3].map((at) => window.written(at))).toEqual([0, 1, 2, 3]);
    window.answered(0, 500);
    expect(window.roomAt(1, windowMs)).toBe(1007);
    window.answered(3, 500);
    expect(window.roomAt(1, windowMs)).toBe(1503);
  });

  it('round trips already told are kept, each beside its write, when the ring grows', () => {
    const window = new WriteWindow(4096, 2000);
    const windowMs = (_stamp: number, roundTrip: number | undefined) => 1000 + (roundTrip ?? 4);
    for (let i = 0; i < 1024; i++) window.written(i);
    window.answered(0, 50);
    window.answered(1, 100);
    window.answered(700, 20);
    window.written(1024);
    expect(window.retained).toBe(2048);
    // The 1,024th most recent write (at 1) binds: its window ends at 1 + 1,100; the one before it at 0 + 1,050.
    expect(window.roomAt(1024, windowMs)).toBe(1101);
    expect(window.roomAt(1025, windowMs)).toBe(1050);
    // With 325 allowed the write at 700 (answered in 20 ms) binds: 700 + 1,020, later than any write before it ends.
    expect(window.roomAt(325, windowMs)).toBe(1720);
  });
});
