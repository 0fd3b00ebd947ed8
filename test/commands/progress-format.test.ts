import { describe, expect, it } from 'vitest';
import { emptyStats, type CampaignStats } from '../../src/campaign/campaign-stats.js';
import { formatDuration, progressLine, RecipientRate, ThrottleNews, throttleNote } from '../../src/commands/progress.js';
import { ManualClock } from '../manual-clock.js';

// The progress line's pure parts, value by value (progress.test.ts drives the reporter).
const STATS: CampaignStats = { ...emptyStats(), throttle: undefined };

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [0.4, '0s'],
    [0.5, '1s'],
    [1, '1s'],
    [59, '59s'],
    [59.4, '59s'],
    [59.5, '1m00s'],
    [60, '1m00s'],
    [61, '1m01s'],
    [605, '10m05s'],
    [3599, '59m59s'],
    [3600, '1h00m'],
    [3661, '1h01m'],
    [3719, '1h01m'],
    [7200 + 59 * 60 + 59, '2h59m'],
    [100_000, '27h46m'],
  ])('%d s is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('an infinite or unknown time is a dash', () => {
    expect([Infinity, -Infinity, NaN].map(formatDuration)).toEqual(['–', '–', '–']);
  });
});

describe('progressLine', () => {
  it('names every count, the rate to one decimal and the ETA of the recipients left', () => {
    const stats = { ...STATS, accepted: 12_345, failed: 1_001, in_doubt: 3, retries_waiting: 7 };
    expect(progressLine(stats, 20_000, 12.345, false)).toBe('sent 12,345/20,000 recipients · failed 1,001 · in doubt 3 · retries waiting 7 · 12.3/s · ETA 8m59s');
  });

  it('all done: ETA 0s; more done than expected never makes a negative ETA', () => {
    expect(progressLine({ ...STATS, accepted: 10 }, 10, 5, false)).toBe('sent 10/10 recipients · failed 0 · in doubt 0 · retries waiting 0 · 5.0/s · ETA 0s');
    expect(progressLine({ ...STATS, accepted: 12 }, 10, 5, false)).toBe('sent 12/10 recipients · failed 0 · in doubt 0 · retries waiting 0 · 5.0/s · ETA 0s');
  });

  it('no rate yet, or a rate of 0: no ETA (a dash), and the rate shown as it is', () => {
    expect(progressLine(STATS, 2, undefined, false)).toBe('sent 0/2 recipients · failed 0 · in doubt 0 · retries waiting 0 · –/s · ETA –');
    expect(progressLine(STATS, 2, 0, false)).toBe('sent 0/2 recipients · failed 0 · in doubt 0 · retries waiting 0 · 0.0/s · ETA –');
  });

  it('while throttled: no ETA, and the throttle note at the end', () => {
    const stats = { ...STATS, accepted: 1, throttle: { askedMs: 2_000, waitMs: 2_000 } };
    expect(progressLine(stats, 4, 1, true)).toBe('sent 1/4 recipients · failed 0 · in doubt 0 · retries waiting 0 · 1.0/s · ETA – · throttled: the provider asked to wait 2s');
  });
});

describe('throttleNote', () => {
  it('a wait asked for and granted names it; a capped one names both; none asked: slowing down', () => {
    expect(throttleNote({ ...STATS, throttle: { askedMs: 60_000, waitMs: 60_000 } })).toBe('throttled: the provider asked to wait 1m00s');
    expect(throttleNote({ ...STATS, throttle: { askedMs: 60_001, waitMs: 60_000 } })).toBe('throttled: the provider asked to wait 1m00s; waiting 1m00s (the longest wait), then trying again');
    expect(throttleNote({ ...STATS, throttle: { askedMs: 7_200_000, waitMs: 60_000 } })).toBe('throttled: the provider asked to wait 2h00m; waiting 1m00s (the longest wait), then trying again');
    expect(throttleNote({ ...STATS, throttle: { askedMs: 5_000, waitMs: undefined } })).toBe('throttled by the provider: slowing down');
    expect(throttleNote({ ...STATS, throttle: { askedMs: undefined, waitMs: 5_000 } })).toBe('throttled by the provider: slowing down');
    expect(throttleNote(STATS)).toBeUndefined();
  });
});

describe('ThrottleNews', () => {
  it('a wait of 5 s or more is news once; a shorter one, or the same note again, is not; a new note is', () => {
    const news = new ThrottleNews();
    const t = (askedMs: number | undefined, waitMs: number | undefined) => ({ ...STATS, throttle: { askedMs, waitMs } });
    expect(news.of(t(4_999, 4_999))).toBeUndefined(); // 'asked to wait 5s' (rounded), but under 5 s: not news
    expect(news.of(t(3_000, 3_000))).toBeUndefined();
    expect(news.of(t(5_000, 5_000))).toBe('throttled: the provider asked to wait 5s');
    expect(news.of(t(5_000, 5_000))).toBeUndefined();
    expect(news.of(t(90_000, 60_000))).toBe('throttled: the provider asked to wait 1m30s; waiting 1m00s (the longest wait), then trying again');
    expect(news.of(STATS)).toBeUndefined();
    // After the throttling ended, the same long wait is news again.
    expect(news.of(t(5_000, 5_000))).toBe('throttled: the provider asked to wait 5s');
    expect(news.of(t(undefined, undefined))).toBeUndefined();
  });
});

describe('RecipientRate', () => {
  it('says nothing before a second of samples, then recipients per second since the first', async () => {
    const clock = new ManualClock();
    const rate = new RecipientRate(clock);
    expect(rate.perSecond()).toBeUndefined();
    rate.sample(0);
    await clock.advance(999);
    rate.sample(9);
    expect(rate.perSecond()).toBeUndefined();
    await clock.advance(1);
    expect(rate.perSecond()).toBe(9);
    await clock.advance(1_000);
    rate.sample(30);
    expect(rate.perSecond()).toBe(15);
  });

  it('measures the last 10 seconds: an early burst stops counting once older than that', async () => {
    const clock = new ManualClock();
    const rate = new RecipientRate(clock);
    rate.sample(0);
    await clock.advance(1_000);
    rate.sample(1_000); // a burst in the first second
    for (let s = 2; s <= 20; s++) {
      await clock.advance(1_000);
      rate.sample(1_000 + (s - 1) * 10); // then 10 a second
    }
    // The window starts at the newest sample at least 10 s old (t = 10 s): (1190 - 1090) / 10 s.
    expect(rate.perSecond()).toBe(10);
  });

  it('samples closer than a quarter second update the last one instead of adding one', async () => {
    const clock = new ManualClock();
    const rate = new RecipientRate(clock);
    rate.sample(0);
    await clock.advance(1_000);
    rate.sample(10);
    await clock.advance(100);
    rate.sample(20);
    await clock.advance(100);
    rate.sample(30);
    await clock.advance(800);
    // (30 - 0) over 2 s.
    expect(rate.perSecond()).toBe(15);
  });
});
