import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_THROTTLE_WAIT_MS, MAX_TRANSIENT_RETRIES, PAIR_GAP_MS, THROTTLE_STOP_MS, nextRetry, throttleWaitMs, type AttemptHistory } from '../../src/campaign/retry-policy.js';
import { classifyFailure } from '../../src/providers/classify-answer.js';
import type { Outcome } from '../../src/providers/provider.js';

// The retry policy on its own (settle.test.ts holds the campaign's use of it). The numbers are
// written out, not imported: a changed constant must fail a row here.
const history = (transientRetries: number, pairRateRetries: number): AttemptHistory => ({ transientRetries, pairRateRetries });
const FRESH = history(0, 0);
const pairRate: Outcome = { kind: 'pair_rate', code: '131056', title: 'pair rate limit hit' };
const transient = (retryDelayMs?: number): Outcome => ({ kind: 'transient', code: '131000', title: 'something went wrong', ...(retryDelayMs === undefined ? {} : { retryDelayMs }) });
const throttled = (retryAfterMs: number | undefined): Outcome => ({ kind: 'throttled', code: '130429', title: 'rate limit hit', retryAfterMs });

describe('the retry policy: its constants', () => {
  it('are the documented ones: a 6 s pair gap, 3 transient retries, a 1 min longest throttle wait, a 5 min throttling stop', () => {
    expect([PAIR_GAP_MS, MAX_TRANSIENT_RETRIES, MAX_THROTTLE_WAIT_MS, THROTTLE_STOP_MS]).toEqual([6_000, 3, 60_000, 300_000]);
  });
});

describe('the retry policy: pair rate (131056)', () => {
  it('backs off 4^n seconds, never under the 6 s pair gap, and gives up in this run after 5 retries', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6].map((n) => nextRetry(pairRate, history(0, n)));
    expect(delays).toEqual([
      { retry: true, delayMs: 6_000 },
      { retry: true, delayMs: 6_000 },
      { retry: true, delayMs: 16_000 },
      { retry: true, delayMs: 64_000 },
      { retry: true, delayMs: 256_000 },
      { retry: false },
      { retry: false },
    ]);
  });

  it('counts only pair-rate retries: transient ones before do not shorten or end the back-off', () => {
    expect(nextRetry(pairRate, history(3, 2))).toEqual({ retry: true, delayMs: 16_000 });
  });
});

describe('the retry policy: transient failures', () => {
  it('doubles from the pair gap (6 s, 12 s, 24 s) and gives up after 3 retries', () => {
    expect([0, 1, 2, 3, 4].map((n) => nextRetry(transient(), history(n, 0)))).toEqual([
      { retry: true, delayMs: 6_000 },
      { retry: true, delayMs: 12_000 },
      { retry: true, delayMs: 24_000 },
      { retry: false },
      { retry: false },
    ]);
  });

  it('a code that names its own wait waits that long each time, but never under the pair gap', () => {
    expect([0, 1, 2].map((n) => nextRetry(transient(90_000), history(n, 0)))).toEqual([
      { retry: true, delayMs: 90_000 },
      { retry: true, delayMs: 90_000 },
      { retry: true, delayMs: 90_000 },
    ]);
    expect(nextRetry(transient(0), FRESH)).toEqual({ retry: true, delayMs: 6_000 });
    expect(nextRetry(transient(5_999), FRESH)).toEqual({ retry: true, delayMs: 6_000 });
    expect(nextRetry(transient(90_000), history(3, 0))).toEqual({ retry: false });
  });

  it('counts only transient retries: pair-rate ones before do not end them', () => {
    expect(nextRetry(transient(), history(1, 5))).toEqual({ retry: true, delayMs: 12_000 });
  });

  it('from Meta’s answer to the wait: 131057 (maintenance) a minute, 134101 (template syncing) ten minutes, 131000 the doubling', () => {
    const answer = (code: number) => classifyFailure('meta', { status: 500, headers: {}, body: '' }, { code, message: 'x' });
    expect(nextRetry(answer(131057), FRESH)).toEqual({ retry: true, delayMs: 60_000 });
    expect(nextRetry(answer(134101), FRESH)).toEqual({ retry: true, delayMs: 600_000 });
    expect(nextRetry(answer(131000), history(1, 0))).toEqual({ retry: true, delayMs: 12_000 });
  });
});

describe('the retry policy: throttling', () => {
  it('is always retried: at once (it was refused, not delivered), or after what Retry-After asked, capped at a minute', () => {
    expect(nextRetry(throttled(undefined), FRESH)).toEqual({ retry: true, delayMs: 0 });
    expect(nextRetry(throttled(1_000), FRESH)).toEqual({ retry: true, delayMs: 1_000 });
    expect(nextRetry(throttled(45_000), FRESH)).toEqual({ retry: true, delayMs: 45_000 });
    expect(nextRetry(throttled(99_999_000), FRESH)).toEqual({ retry: true, delayMs: 60_000 });
    // However many retries came before: how long throttling may last is the campaign's rule.
    expect(nextRetry(throttled(45_000), history(50, 50))).toEqual({ retry: true, delayMs: 45_000 });
  });

  it('the pause it imposes is what it asked for, at most a minute; none when it asked for none', () => {
    expect(throttleWaitMs(undefined)).toBeUndefined();
    expect([0, 3_000, 59_999, 60_000, 60_001, 99_999_000].map(throttleWaitMs)).toEqual([0, 3_000, 59_999, 60_000, 60_000, 60_000]);
  });
});

describe('the retry policy: answers that are never retried in the run', () => {
  it.each<Outcome>([
    { kind: 'accepted', messageId: 'wamid.A', waId: undefined, status: undefined },
    { kind: 'failed', code: '131026', title: 'undeliverable', class: 'row_rejected' },
    { kind: 'stop', code: '190', title: 'token expired', fix: 'a new token' },
    { kind: 'in_doubt', code: 'ETIMEDOUT', title: 'no answer in time' },
  ])('$kind', (outcome) => {
    expect(nextRetry(outcome, FRESH)).toEqual({ retry: false });
  });
});

describe('the retry policy: invariants', () => {
  const outcomes = fc.oneof(
    fc.constant(pairRate),
    fc.option(fc.nat({ max: 10 * 60_000 }), { nil: undefined }).map(transient),
    fc.option(fc.nat({ max: 100_000_000 }), { nil: undefined }).map(throttled),
  );
  const histories = fc.record({ transientRetries: fc.nat({ max: 10 }), pairRateRetries: fc.nat({ max: 10 }) });

  it('every retry but a throttled one waits at least the pair gap, so a retry alone never trips 131056; a throttling wait at most a minute', () => {
    fc.assert(
      fc.property(outcomes, histories, (outcome, past) => {
        const decision = nextRetry(outcome, past);
        if (!decision.retry) return outcome.kind !== 'throttled';
        if (outcome.kind === 'throttled') return decision.delayMs === Math.min(outcome.retryAfterMs ?? 0, 60_000);
        return decision.delayMs >= 6_000;
      }),
      { seed: 16, numRuns: 500 },
    );
  });

  it('one more retry of the same kind never waits less (a back-off only grows)', () => {
    fc.assert(
      fc.property(fc.constantFrom(pairRate, transient()), fc.nat({ max: 6 }), (outcome, n) => {
        const now = nextRetry(outcome, history(n, n));
        const next = nextRetry(outcome, history(n + 1, n + 1));
        return !now.retry || !next.retry || next.delayMs >= now.delayMs;
      }),
      { seed: 16, numRuns: 100 },
    );
  });
});
