import { describe, expect, it } from 'vitest';
import { emptyStats, requestRate } from '../../src/campaign/campaign-stats.js';

describe('emptyStats and requestRate', () => {
  it('a run that has not started counts nothing', () => {
    expect(emptyStats()).toEqual({
      accepted: 0, held: 0, failed: 0, in_doubt: 0, skipped: 0, skipped_in_doubt: 0, skipped_not_due: 0, rejected: {}, errors: {},
      errorsByOutcome: { failed: {}, in_doubt: {}, retry: {} }, retries: 0, retries_waiting: 0, duplicate_message_ids: 0,
      unrecorded: { accepted: 0, failed: 0, not_sent: 0, retry: 0 }, requests: 0, firstRequestAt: undefined, lastRequestAt: undefined, throttle: undefined, pacing: undefined,
    });
    // Each call is a fresh object: one run's counts never leak into another's.
    const a = emptyStats();
    a.unrecorded.accepted = 1;
    a.errorsByOutcome.failed['131049'] = 1;
    expect(emptyStats().unrecorded.accepted).toBe(0);
    expect(emptyStats().errorsByOutcome.failed).toEqual({});
  });

  const rate = (requests: number, first: number | undefined, last: number | undefined) => requestRate({ ...emptyStats(), requests, firstRequestAt: first, lastRequestAt: last });

  it('is the requests after the first over the time from the first to the last', () => {
    expect(rate(11, 1_000, 2_000)).toBe(10);
    expect(rate(2, 0, 250)).toBe(4);
  });

  it('is 0 with fewer than two requests, no times, or no time between them', () => {
    expect(rate(1, 1_000, 2_000)).toBe(0);
    expect(rate(0, undefined, undefined)).toBe(0);
    expect(rate(5, undefined, 2_000)).toBe(0);
    expect(rate(5, 1_000, undefined)).toBe(0);
    expect(rate(5, 2_000, 2_000)).toBe(0);
    expect(rate(5, 2_001, 2_000)).toBe(0);
  });
});
