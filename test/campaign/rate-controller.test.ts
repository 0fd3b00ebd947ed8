import { describe, expect, it } from 'vitest';
import { RateController } from '../../src/campaign/rate-controller.js';

/** Sends `count` requests at `mps` from `start` (clock ms) and returns their send times. */
function send(control: RateController, mps: number, count: number, start = 0): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + (i * 1000) / mps;
    control.sent(at);
    times.push(at);
  }
  return times;
}

describe('RateController: what the provider accepted, from settled answers only', () => {
  it('a throttled second with answers still on their way: reacts with what is sure, and settles to the exact count once all are in', () => {
    // 200/s for a second against an 80/s limit: the first 80 accepted, the other 120 throttled.
    const control = new RateController(200);
    const times = send(control, 200, 200);
    // The last request's throttling answer comes first; the other 119 throttled ones, and every
    // accepted one, are still on their way. The old estimate (sent less throttled known) was 199.
    expect(control.throttled(1150, times[199]!)).toBe('jitter');
    expect(control.providerRate).toBeUndefined();
    expect(control.rate).toBe(199);
    for (const at of times.slice(0, 80)) control.answered(at);
    expect(control.providerRate).toBeUndefined(); // 119 answers still out
    for (const at of times.slice(80, 199)) expect(control.throttled(1200, at)).toBe('old');
    expect(control.providerRate).toBe(80);
    expect(control.limitFound).toBe(true);
    expect(control.rate).toBe(79);
  });

  it('answers in any order settle to the same figure, and the rate never drops under it from answers not yet in', () => {
    const control = new RateController(200);
    const times = send(control, 200, 200);
    // Throttling answers first, accepted ones last: the sure bound (sent less throttled) only falls.
    expect(control.throttled(1100, times[100]!)).toBe('limit');
    for (const at of times.slice(80, 100)) control.throttled(1110, at);
    for (const at of times.slice(101)) control.throttled(1120, at);
    expect(control.rate).toBeGreaterThanOrEqual(79);
    expect(control.providerRate).toBeUndefined();
    for (const at of times.slice(0, 80).reverse()) control.answered(at);
    expect(control.providerRate).toBe(80);
    expect(control.rate).toBe(79);
  });

  it('the figure is the median of the settled seconds, not the most ever counted (a second counted high once does not set it)', () => {
    const control = new RateController(100);
    let t = 0;
    for (const accepted of [80, 95, 80]) {
      // A second at 100/s, the last `100 - accepted` throttled, then a quiet spell.
      const times = send(control, 100, 100, t);
      for (const at of times.slice(0, accepted)) control.answered(at);
      for (const at of times.slice(accepted)) control.throttled(at + 200, at);
      t += 10_000;
    }
    expect(control.reactions).toBe(3);
    expect(control.providerRate).toBe(80);
  });

  it('a second the sender was stalled in lowers the rate no further than the provider rate settled so far', () => {
    const control = new RateController(100);
    const times = send(control, 100, 100);
    for (const at of times.slice(0, 80)) control.answered(at);
    for (const at of times.slice(80)) control.throttled(1100, at);
    expect(control.providerRate).toBe(80);
    expect(control.rate).toBe(79);
    // Later, 16 sent in a second (a stalled sender), the last 4 throttled, each answered at once:
    // the first a step down (jitter), the others limits whose second counts 11 or 12 accepted.
    // The old controller went down to 11/s here.
    const stalled = send(control, 16, 16, 10_000);
    for (const at of stalled.slice(0, 12)) control.answered(at);
    expect(stalled.slice(12).map((at) => control.throttled(at + 10, at))).toEqual(['jitter', 'limit', 'limit', 'limit']);
    expect(control.reactions).toBe(5);
    expect(control.rate).toBe(78);
  });

  it('a second whose requests were forgotten unanswered is dropped, not waited for forever; later seconds still settle', () => {
    const control = new RateController(2500);
    const first = send(control, 2500, 2500);
    // One request of the first second is never answered (the campaign stopped after admitting it).
    for (const at of first.slice(0, 2000)) control.answered(at);
    for (const at of first.slice(2001)) control.throttled(1100, at);
    expect(control.providerRate).toBeUndefined();
    // Seconds later, past what is kept: a throttled second (its last request's answer first)
    // settles to its count.
    for (const at of send(control, 2500, 2500 * 4, 10_000)) control.answered(at);
    const last = send(control, 2500, 2500, 20_000);
    for (const at of last.slice(2000).reverse()) control.throttled(21_100, at);
    for (const at of last.slice(0, 2000)) control.answered(at);
    expect(control.providerRate).toBe(2000);
    expect(control.rate).toBe(1999);
  });
});

/** Answers every request of `times` without throttling. */
function answerAll(control: RateController, times: readonly number[]): void {
  for (const at of times) control.answered(at);
}

describe('RateController: its reactions, exactly', () => {
  it('a fresh controller is at its ceiling, has found no limit, and has spent no time below', () => {
    const control = new RateController(100);
    expect([control.rate, control.limitFound, control.providerRate, control.reactions, control.timeBelowMs(5000)]).toEqual([100, false, undefined, 0, 0]);
    // Probing at the ceiling changes nothing.
    control.recover(10_000);
    expect([control.rate, control.timeBelowMs(10_000)]).toEqual([100, 0]);
  });

  it('one throttled request of a second sent at the rate is jitter: one step down, no limit, settled to what it accepted; then back up after PROBE_MS, the time below counted', () => {
    const control = new RateController(100);
    const times = send(control, 100, 100); // 0..990
    expect(control.throttled(1000, times[99]!)).toBe('jitter');
    expect([control.rate, control.limitFound, control.reactions]).toEqual([99, false, 1]);
    answerAll(control, times.slice(0, 99));
    // 99 of 100 accepted: the rate was right; nothing more drops.
    expect([control.rate, control.limitFound, control.providerRate]).toEqual([99, false, 99]);
    expect(control.timeBelowMs(3000)).toBe(2000);
    // PROBE_MS after the drop, not a millisecond before.
    control.recover(4999);
    expect(control.rate).toBe(99);
    control.recover(5000);
    expect(control.rate).toBe(100);
    // Back at the ceiling: below it from 1,000 to 5,000 only.
    expect(control.timeBelowMs(9000)).toBe(4000);
  });

  it('a limit known from the first answer: the rate drops at once to the sent less the throttled, one under, and probes up by doubling steps', () => {
    const control = new RateController(200);
    const times = send(control, 200, 200); // 0..995
    // 101 sent in (−500, 500], at 202/s: at most 100 accepted, clearly under the rate.
    expect(control.throttled(1100, times[100]!)).toBe('limit');
    expect([control.rate, control.limitFound, control.providerRate]).toEqual([99, true, undefined]);
    control.recover(5099);
    expect(control.rate).toBe(99);
    control.recover(5100);
    expect(control.rate).toBe(100);
    // Still below the ceiling: the time below runs on from the drop.
    expect(control.timeBelowMs(6100)).toBe(5000);
    control.recover(9099);
    expect(control.rate).toBe(100);
    control.recover(9100);
    expect(control.rate).toBe(102);
    control.recover(13_100);
    expect(control.rate).toBe(106);
    expect(control.timeBelowMs(13_100)).toBe(12_000);
  });

  it('sending at exactly nine tenths of the rate is sending at the rate: one throttled request that leaves under nine tenths accepted is a limit', () => {
    const control = new RateController(100);
    control.sent(0);
    const times = send(control, 100, 90, 1010); // 90 in (900, 1900]: 90/s
    expect(control.throttled(1950, times[89]!)).toBe('limit');
    expect(control.rate).toBe(88);
  });

  it('at most exactly nine tenths of the rate accepted is not clearly less: jitter', () => {
    const control = new RateController(100);
    control.sent(0);
    const times = send(control, 100, 91, 1000); // 91 in (900, 1900]
    expect(control.throttled(1950, times[90]!)).toBe('jitter');
    expect(control.rate).toBe(99);
  });

  it('in the run\'s first second the sending rate is over the time since its first request, whatever the clock reads', () => {
    const control = new RateController(100);
    const times = send(control, 100, 50, 10_000); // 50 in 490 ms: about 102/s
    expect(control.throttled(10_500, times[49]!)).toBe('limit');
    expect([control.rate, control.limitFound]).toEqual([48, true]);
  });

  it('a stalled second with exactly a tenth of it throttled is jitter, and, not at the rate, is never settled into a figure', () => {
    const control = new RateController(100);
    control.sent(0);
    const times = send(control, 10, 10, 5000); // 10 in (4900, 5900]: 10/s
    expect(control.throttled(5950, times[9]!)).toBe('jitter');
    expect(control.rate).toBe(99);
    answerAll(control, times.slice(0, 9));
    expect([control.rate, control.limitFound, control.providerRate]).toEqual([99, false, undefined]);
  });

  it('a stalled second with more than a tenth throttled is a limit; settled before any second at the rate, its count is the figure (until one says better)', () => {
    const control = new RateController(100);
    control.sent(0);
    const times = send(control, 10, 10, 5000); // 5000..5900
    answerAll(control, times.slice(0, 8));
    // 9 sent in (4800, 5800], one throttled: more than a tenth.
    expect(control.throttled(6000, times[8]!)).toBe('limit');
    expect(control.throttled(6000, times[9]!)).toBe('old');
    // Its second is all in at once: 8 accepted. Stalled, it lowers nothing further (floor 1: no figure yet).
    expect([control.rate, control.limitFound, control.providerRate, control.reactions]).toEqual([7, true, 8, 1]);
  });

  it('after a recovery to the ceiling, a stalled second\'s limit drops only to the provider rate settled so far, one under', () => {
    const control = new RateController(100);
    const first = send(control, 100, 100);
    answerAll(control, first.slice(0, 80));
    for (const at of first.slice(80)) control.throttled(1100, at);
    expect([control.rate, control.providerRate]).toEqual([79, 80]);
    for (let t = 5100; t <= 21_100; t += 4000) control.recover(t);
    expect(control.rate).toBe(100); // 80, 82, 86, 94, then 110 held at the ceiling
    const stalled = send(control, 16, 16, 30_000);
    answerAll(control, stalled.slice(0, 12));
    expect(stalled.slice(12).map((at) => control.throttled(at + 10, at))).toEqual(['jitter', 'limit', 'limit', 'limit']);
    expect([control.rate, control.providerRate, control.reactions]).toEqual([79, 80, 5]);
  });

  it('a stalled second settled after one at the rate does not change the figure, even when it counted more', () => {
    const control = new RateController(200);
    const first = send(control, 200, 200);
    answerAll(control, first.slice(0, 80));
    for (const at of first.slice(80)) control.throttled(1100, at);
    expect([control.rate, control.providerRate, control.reactions]).toEqual([79, 80, 1]);
    for (let t = 5100; t <= 29_100; t += 4000) control.recover(t);
    expect(control.rate).toBe(200);
    // 100 sent at 100/s (stalled: under 180/s), the first 85 answered, then the next 10 throttled one by one.
    const stalled = send(control, 100, 100, 40_000);
    answerAll(control, stalled.slice(0, 85));
    const kinds = stalled.slice(85, 95).map((at) => control.throttled(at + 1, at));
    expect(kinds).toEqual([...Array<string>(9).fill('jitter'), 'limit']);
    // 9 steps down, then 95 sent less 10 throttled, one under; the limit's second is all in: 85 accepted.
    expect([control.rate, control.providerRate, control.reactions, control.limitFound]).toEqual([84, 80, 11, true]);
  });
});

describe('RateController: a settled second', () => {
  it('at the rate with nine tenths accepted exactly: not clearly less, the rate stays', () => {
    const control = new RateController(100);
    const times = send(control, 100, 100);
    expect(control.throttled(1000, times[99]!)).toBe('jitter');
    answerAll(control, times.slice(0, 90));
    for (const at of times.slice(90, 99)) expect(control.throttled(1010, at)).toBe('old');
    expect([control.rate, control.limitFound, control.providerRate]).toEqual([99, false, 90]);
  });

  it('more sent than the rate (a burst), and clearly less of it accepted, though not under nine tenths of the rate: a limit, the rate one under what was accepted', () => {
    const control = new RateController(100);
    // 120 in 952 ms.
    const times = Array.from({ length: 120 }, (_, i) => i * 8);
    for (const at of times) control.sent(at);
    expect(control.throttled(1000, times[119]!)).toBe('jitter');
    expect(control.rate).toBe(99);
    answerAll(control, times.slice(0, 95));
    for (const at of times.slice(95, 119)) expect(control.throttled(1010, at)).toBe('old');
    // 95 of 120: under nine tenths of what was sent (108), not of the rate (90).
    expect([control.rate, control.limitFound, control.providerRate]).toEqual([94, true, 95]);
  });

  it('under the rate but at it, with nine tenths of what was sent accepted but not nine tenths of the rate: a limit', () => {
    const control = new RateController(100);
    const times = send(control, 100, 95); // 95 in 940 ms: at the rate
    expect(control.throttled(1000, times[94]!)).toBe('jitter');
    answerAll(control, times.slice(0, 86));
    for (const at of times.slice(86, 94)) expect(control.throttled(1010, at)).toBe('old');
    // 86 of 95 is over nine tenths of what was sent (85.5), under nine tenths of the rate (90).
    expect([control.rate, control.limitFound, control.providerRate]).toEqual([85, true, 86]);
  });
});

describe('RateController: what it forgets', () => {
  it('a short run forgets nothing: a second answered seconds later still settles', () => {
    const control = new RateController(100);
    const times = send(control, 100, 100);
    expect(control.throttled(1000, times[99]!)).toBe('jitter');
    answerAll(control, times.slice(0, 98));
    send(control, 100, 210, 1000); // up to 3,090
    control.answered(times[98]!);
    expect(control.providerRate).toBe(99);
  });

  it('forgets once 4,096 request times are held, not before: a second reaching back past them is dropped', () => {
    // 4000/s, the last of the early requests throttled (jitter), one of its second (at 500) answered only after a request at 3,000.
    const run = (early: number) => {
      const control = new RateController(4000);
      const times = send(control, 4000, early);
      const last = times[early - 1]!;
      expect(control.throttled(last + 0.5, last)).toBe('jitter');
      answerAll(control, times.slice(0, early - 1).filter((at) => at !== 500));
      control.sent(3000);
      control.answered(500);
      return [control.rate, control.providerRate];
    };
    // 4,095 times held with the one at 3,000: kept, the second settles (3,999 of 4,000 accepted).
    expect(run(4094)).toEqual([3999, 3999]);
    // 4,096: the times before 1,000 are forgotten, and the second, (23.5, 1023.5], with them.
    expect(run(4095)).toEqual([3999, undefined]);
  });

  it('nothing is forgotten while the oldest time is exactly two seconds old: a second reaching back before it still settles', () => {
    const control = new RateController(4000);
    const times = send(control, 4000, 4096); // 0..1023.75
    // The second (−1, 999]: 3,997 sent.
    expect(control.throttled(1000, 999)).toBe('jitter');
    answerAll(control, times.filter((at) => at < 999 && at !== 500));
    control.sent(2000);
    control.answered(500);
    expect([control.rate, control.providerRate]).toEqual([3999, 3996]);
  });

  it('times are forgotten two seconds back: a second that begins exactly there still settles, one that begins a quarter millisecond before is dropped', () => {
    const run = (late: number) => {
      const control = new RateController(4000);
      const times = send(control, 4000, 8001); // 0..2000
      expect(control.throttled(2001, 2000)).toBe('jitter');
      // The second (1000, 2000]: all answered but its first request, at 1,000.25.
      answerAll(control, times.filter((at) => at !== 1000.25 && at < 2000));
      send(control, 4000, late, 2000.25);
      control.answered(1000.25);
      return [control.rate, control.providerRate];
    };
    // Up to 3,000: what is before 1,000 is forgotten; the second is whole.
    expect(run(4000)).toEqual([3999, 3999]);
    // Up to 3,000.5: its first request is forgotten unanswered.
    expect(run(4002)).toEqual([3999, undefined]);
  });
});
