import { describe, expect, it } from 'vitest';
import { emptyStats, type CampaignStats } from '../../src/campaign/campaign-stats.js';
import { ADVICE_SHARE, pacingAdvice } from '../../src/campaign/pacing-advice.js';

/** A run sending from `first` to `last` (clock ms) at --mps 200 that found the provider's limit at `providerRate`. */
const run = (first: number | undefined, last: number | undefined, timeBelowMs: number, providerRate: number | undefined = 80.7, limitFound = true): CampaignStats => ({
  ...emptyStats(),
  firstRequestAt: first,
  lastRequestAt: last,
  pacing: { mps: 200, rate: 80, providerRate, throttleReactions: 3, limitFound, timeBelowMs },
});

describe('pacingAdvice', () => {
  it('advises the rate the provider accepted (whole requests a second) from a quarter of the sending time spent under --mps', () => {
    expect(ADVICE_SHARE).toBe(0.25);
    // 4 s of sending from t = 10 s: a quarter is 1 s, measured from the first request, not from 0.
    expect(pacingAdvice(run(10_000, 14_000, 1_000))).toEqual({ acceptedMps: 80 });
    expect(pacingAdvice(run(10_000, 14_000, 999))).toBeUndefined();
  });

  it('never advises below 1/s', () => {
    expect(pacingAdvice(run(0, 1_000, 1_000, 0.4))).toEqual({ acceptedMps: 1 });
  });

  it('no advice without a sending time (one request, or none), without pacing, or without a limit found', () => {
    expect(pacingAdvice(run(5_000, 5_000, 1_000))).toBeUndefined();
    expect(pacingAdvice(run(6_000, 5_000, 1_000))).toBeUndefined();
    expect(pacingAdvice(run(undefined, 5_000, 1_000))).toBeUndefined();
    expect(pacingAdvice(run(0, undefined, 1_000))).toBeUndefined();
    const noRate = run(0, 1_000, 1_000);
    noRate.pacing!.providerRate = undefined;
    expect(pacingAdvice(noRate)).toBeUndefined();
    expect(pacingAdvice(run(0, 1_000, 1_000, 80.7, false))).toBeUndefined();
    expect(pacingAdvice({ ...emptyStats(), firstRequestAt: 0, lastRequestAt: 1_000 })).toBeUndefined();
  });

  it('no advice when the provider accepted --mps or more (throttling at the rate sent is jitter)', () => {
    expect(pacingAdvice(run(0, 1_000, 1_000, 200))).toBeUndefined();
    expect(pacingAdvice(run(0, 1_000, 1_000, 199.9))).toEqual({ acceptedMps: 199 });
  });
});
