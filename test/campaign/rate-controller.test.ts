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
