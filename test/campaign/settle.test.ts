import { retryDelayMs } from '../../src/codes/error-codes.js';
import { describe, expect, it } from 'vitest';
import { HEALTHY, settle, type CampaignHealth, type SettleContext } from '../../src/campaign/settle.js';
import type { AttemptHistory } from '../../src/campaign/retry-policy.js';
import type { Outcome } from '../../src/providers/provider.js';

// The numbers below are written out, not imported: a changed constant must fail a row here.
const FRESH: AttemptHistory = { transientRetries: 0, pairRateRetries: 0 };
const NOW = 1_000_000;
const SENT_AT = NOW - 200; // the request left 200 ms before its answer
const context = (over: Partial<SettleContext> = {}): SettleContext => ({ now: NOW, requestAt: SENT_AT, health: HEALTHY, maxConsecutiveFailures: 25, mps: 80, ...over });
const failing = (consecutiveFailures: number, throttledSince?: number): CampaignHealth => ({ consecutiveFailures, throttledSince });

const accepted = (over: Partial<Extract<Outcome, { kind: 'accepted' }>> = {}): Outcome => ({ kind: 'accepted', messageId: 'wamid.A', waId: '447400123456', status: 'accepted', ...over });
const throttled = (retryAfterMs?: number): Outcome => ({ kind: 'throttled', code: '130429', title: 'rate limit hit', retryAfterMs });
const pairRate: Outcome = { kind: 'pair_rate', code: '131056', title: 'pair rate limit hit' };
const transient = (code = '131000', retryDelayMs?: number): Outcome => ({ kind: 'transient', code, title: 'something went wrong', ...(retryDelayMs === undefined ? {} : { retryDelayMs }) });
const rowFailed: Outcome = { kind: 'failed', code: '100', title: 'invalid parameter', class: 'row_rejected' };

describe('settle: accepted', () => {
  it('is recorded accepted with its message id, WhatsApp id and status, and counted', () => {
    const s = settle(accepted(), FRESH, context({ messageIdSeen: 'new' }));
    expect(s).toMatchObject({ state: 'accepted', fields: { message_id: 'wamid.A', wa_id: '447400123456', status: 'accepted' }, tally: 'accepted', held: false });
    expect(s.retryAt).toBeUndefined();
    expect(s.halt).toBeUndefined();
    expect(s.errorCode).toBeUndefined();
  });

  it('ends a run of failures: consecutiveFailures goes back to 0', () => {
    expect(settle(accepted(), FRESH, context({ health: failing(24), messageIdSeen: 'new' })).health.consecutiveFailures).toBe(0);
  });

  it('ends a throttled spell and clears the throttling note', () => {
    const s = settle(accepted(), FRESH, context({ health: failing(0, NOW - 60_000), messageIdSeen: 'new' }));
    expect(s.health.throttledSince).toBeUndefined();
    expect(s.throttle).toBeNull();
  });

  it('held for quality assessment: accepted, and counted as held', () => {
    expect(settle(accepted({ status: 'held_for_quality_assessment' }), FRESH, context({ messageIdSeen: 'new' }))).toMatchObject({ state: 'accepted', tally: 'accepted', held: true });
  });

  it('keeps only a WhatsApp id of digits and a status word', () => {
    const s = settle(accepted({ waId: '+44 7400', status: 'queued <script>' }), FRESH, context({ messageIdSeen: 'new' }));
    expect(s.fields).toEqual({ message_id: 'wamid.A', wa_id: undefined, status: undefined });
  });

  it('the same id again for the same recipient (a retry the provider recognised) is accepted', () => {
    expect(settle(accepted(), FRESH, context({ messageIdSeen: 'same_recipient' }))).toMatchObject({ state: 'accepted', tally: 'accepted' });
  });
});

describe('settle: successes that cannot be used', () => {
  it('an id already returned for another recipient: in doubt, duplicate_message_id, a failure in the run', () => {
    const s = settle(accepted({ messageId: 'wamid.SAME' }), FRESH, context({ health: failing(3), messageIdSeen: 'other_recipient' }));
    expect(s).toMatchObject({ state: 'in_doubt', tally: 'in_doubt', duplicateMessageId: true, errorCode: 'duplicate_message_id', fields: { code: 'duplicate_message_id', message_id: 'wamid.SAME' } });
    expect(s.fields.title).toContain('already returned for another recipient');
    expect(s.health.consecutiveFailures).toBe(4);
    expect(s.halt).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['over 256 characters', `wamid.${'x'.repeat(251)}`],
    ['not printable', 'wamid.\u0000A'],
  ])('no usable message id (%s): in doubt, no_message_id', (_name, messageId) => {
    const s = settle(accepted({ messageId }), FRESH, context());
    expect(s).toMatchObject({ state: 'in_doubt', tally: 'in_doubt', errorCode: 'no_message_id' });
    // Exactly these fields: no message_id key at all (the unusable id is not carried).
    expect(s.fields).toStrictEqual({ code: 'no_message_id', title: 'the provider answered with success but without a usable message id: whether this message went out is unknown' });
    expect(s.health.consecutiveFailures).toBe(1);
  });

  it('a run of them reaching the limit stops the campaign', () => {
    const s = settle(accepted({ messageId: '' }), FRESH, context({ health: failing(2), maxConsecutiveFailures: 3 }));
    expect(s.halt).toMatchObject({ reason: 'stopped', code: 'no_message_id', title: expect.stringContaining('3 success answers in a row could not be used') });
  });
});

describe('settle: in doubt and stop', () => {
  it('in doubt: recorded so, counted, never retried, and part of the failure run', () => {
    const s = settle({ kind: 'in_doubt', code: 'ETIMEDOUT', title: 'timeout' }, FRESH, context({ health: failing(5) }));
    expect(s).toMatchObject({ state: 'in_doubt', fields: { code: 'ETIMEDOUT', title: 'timeout' }, tally: 'in_doubt', errorCode: 'ETIMEDOUT' });
    expect(s.retryAt).toBeUndefined();
    expect(s.health.consecutiveFailures).toBe(6);
    expect(s.halt).toBeUndefined();
  });

  it('the in-doubt answer that makes the run reach the limit stops the campaign (a proxy resetting every connection)', () => {
    const s = settle({ kind: 'in_doubt', code: 'ECONNRESET', title: 'socket hang up' }, FRESH, context({ health: failing(24), maxConsecutiveFailures: 25 }));
    expect(s.state).toBe('in_doubt');
    expect(s.halt).toMatchObject({
      reason: 'stopped',
      code: 'ECONNRESET',
      title: '25 sends in a row got no answer that says whether they went out (the last: ECONNRESET socket hang up)',
      fix: expect.stringContaining('never re-sent automatically'),
    });
  });

  it('in-doubt answers and failed rows make one run; an acceptance ends it', () => {
    let health = HEALTHY;
    const lost: Outcome = { kind: 'in_doubt', code: 'http_502', title: 'HTTP 502 from a gateway' };
    for (const outcome of [lost, rowFailed, lost]) health = settle(outcome, FRESH, context({ health })).health;
    expect(health.consecutiveFailures).toBe(3);
    health = settle(accepted(), FRESH, context({ health, messageIdSeen: 'new' })).health;
    expect(health.consecutiveFailures).toBe(0);
    expect(settle(lost, FRESH, context({ health, maxConsecutiveFailures: 2 })).halt).toBeUndefined();
  });

  it('stop: the recipient is retry (resuming sends it once fixed), counted failed, and the campaign stops with the fix', () => {
    const s = settle({ kind: 'stop', code: '190', title: 'bad token', fix: 'check WA_TOKEN' }, FRESH, context());
    expect(s).toMatchObject({ state: 'retry', fields: { code: '190', class: 'stop_campaign' }, tally: 'failed', errorCode: '190' });
    expect(s.halt).toEqual({ reason: 'stopped', code: '190', title: 'bad token', fix: 'check WA_TOKEN' });
    expect(s.retryAt).toBeUndefined();
  });
});

describe('settle: a failed row', () => {
  it('is recorded failed with its code and class, not retried, and adds to the failure run', () => {
    const s = settle(rowFailed, FRESH, context({ health: failing(3) }));
    expect(s).toMatchObject({ state: 'failed', fields: { code: '100', title: 'invalid parameter', class: 'row_rejected' }, tally: 'failed', errorCode: '100' });
    expect(s.retryAt).toBeUndefined();
    expect(s.health.consecutiveFailures).toBe(4);
    expect(s.halt).toBeUndefined();
  });

  it('the one that makes the run reach the limit stops the campaign', () => {
    const s = settle(rowFailed, FRESH, context({ health: failing(24), maxConsecutiveFailures: 25 }));
    expect(s.halt).toMatchObject({ reason: 'stopped', code: '100', title: '25 sends in a row failed (the last: 100 invalid parameter)', fix: expect.stringContaining('template spec') });
  });

  it('rejected rows scattered among acceptances never make a run: 60 failures in all, no stop', () => {
    let health = HEALTHY;
    let halted = 0;
    for (let i = 0; i < 120; i++) {
      const s = settle(i % 2 ? accepted({ messageId: `wamid.${i}` }) : rowFailed, FRESH, context({ health, messageIdSeen: 'new' }));
      if (s.halt) halted++;
      health = s.health;
    }
    expect(halted).toBe(0);
    expect(health.consecutiveFailures).toBe(0);
  });
});

describe('settle: throttled', () => {
  it('with Retry-After: retry after it, pause the campaign that long, note it', () => {
    const s = settle(throttled(10_000), FRESH, context());
    expect(s).toMatchObject({ state: 'retry', fields: { code: '130429' }, errorCode: '130429', retryAt: SENT_AT + 10_000, slowDown: { pauseMs: 10_000 }, throttle: { askedMs: 10_000, waitMs: 10_000 } });
    expect(s.tally).toBeUndefined();
    expect(s.health.throttledSince).toBe(NOW);
  });

  it('a short Retry-After is all the wait: a throttled request was not delivered, so the 6 s pair gap does not apply', () => {
    expect(settle(throttled(1_000), FRESH, context()).retryAt).toBe(SENT_AT + 1_000);
  });

  it('without Retry-After: slow down without a pause, retry as soon as the pacer allows (due at once)', () => {
    const s = settle(throttled(), FRESH, context());
    expect(s).toMatchObject({ retryAt: SENT_AT, slowDown: { pauseMs: undefined }, throttle: { askedMs: undefined, waitMs: undefined } });
  });

  it('a pair-rate refusal still waits the pair gap (131056 is a rule about the user, not the rate)', () => {
    expect(settle({ kind: 'pair_rate', code: '131056', title: 'pair rate' }, FRESH, context()).retryAt).toBe(SENT_AT + 6_000);
  });

  it('Retry-After over a minute is capped at a minute (the pause and the retry), and the note says both', () => {
    const s = settle(throttled(99_999_000), FRESH, context());
    expect(s).toMatchObject({ retryAt: SENT_AT + 60_000, slowDown: { pauseMs: 60_000 }, throttle: { askedMs: 99_999_000, waitMs: 60_000 } });
  });

  it('a throttled spell keeps the time it began', () => {
    expect(settle(throttled(), FRESH, context({ health: failing(0, NOW - 90_000) })).health.throttledSince).toBe(NOW - 90_000);
  });

  it('does not touch the failure run', () => {
    expect(settle(throttled(), FRESH, context({ health: failing(7) })).health.consecutiveFailures).toBe(7);
  });

  it('throttling for 5 minutes without an acceptance stops the campaign; the recipient stays retry', () => {
    const s = settle(throttled(), FRESH, context({ health: failing(0, NOW - 5 * 60_000), mps: 80 }));
    expect(s.state).toBe('retry');
    expect(s.retryAt).toBeUndefined();
    expect(s.halt).toMatchObject({ reason: 'stopped', code: '130429', title: expect.stringMatching(/^the provider kept throttling for 5 min without accepting a message \(the last answer: rate limit hit\)/), fix: expect.stringContaining('fewer than 80 messages a second') });
  });

  it('a millisecond short of 5 minutes it still retries', () => {
    const s = settle(throttled(), FRESH, context({ health: failing(0, NOW - 5 * 60_000 + 1) }));
    expect(s.halt).toBeUndefined();
    expect(s.retryAt).toBe(SENT_AT);
  });
});

describe('settle: pair rate (131056)', () => {
  // Meta: retry after 4^n seconds, n from 0; never sooner than the 6-second pair gap.
  it.each([
    [0, 6_000],
    [1, 6_000],
    [2, 16_000],
    [3, 64_000],
    [4, 256_000],
  ])('after %i earlier pair-rate retries: retry %i ms after the request', (n, delay) => {
    const s = settle(pairRate, { transientRetries: 0, pairRateRetries: n }, context());
    expect(s).toMatchObject({ state: 'retry', errorCode: '131056', retryAt: SENT_AT + delay, history: { pairRateRetries: n + 1, transientRetries: 0 } });
    expect(s.tally).toBeUndefined();
  });

  it('after 5 retries: no more in this run, and the ledger says retry (the next run sends it)', () => {
    const s = settle(pairRate, { transientRetries: 0, pairRateRetries: 5 }, context({ health: failing(2) }));
    expect(s).toMatchObject({ state: 'retry', fields: { code: '131056' } });
    expect(s.retryAt).toBeUndefined();
    expect(s.tally).toBeUndefined();
    expect(s.health.consecutiveFailures).toBe(2);
  });
});

describe('settle: transient', () => {
  it.each([
    [0, 6_000],
    [1, 12_000],
    [2, 24_000],
  ])('after %i earlier transient retries: retry %i ms after the request', (n, delay) => {
    const s = settle(transient(), { transientRetries: n, pairRateRetries: 0 }, context());
    expect(s).toMatchObject({ state: 'retry', errorCode: '131000', retryAt: SENT_AT + delay, history: { transientRetries: n + 1 } });
    expect(s.tally).toBeUndefined();
  });

  it('after 3 retries: failed with the code, class transient, and a failure in the run', () => {
    const s = settle(transient(), { transientRetries: 3, pairRateRetries: 0 }, context({ health: failing(1) }));
    expect(s).toMatchObject({ state: 'failed', fields: { code: '131000', class: 'transient' }, tally: 'failed', errorCode: '131000' });
    expect(s.retryAt).toBeUndefined();
    expect(s.health.consecutiveFailures).toBe(2);
  });

  it('131057 (maintenance, about a minute): retry after the 60 s its row names', () => {
    const maintenance = transient('131057', retryDelayMs('meta', 131057));
    expect(settle(maintenance, FRESH, context()).retryAt).toBe(SENT_AT + 60_000);
    expect(settle(maintenance, { transientRetries: 2, pairRateRetries: 0 }, context()).retryAt).toBe(SENT_AT + 60_000);
  });

  it('a request that never reached the provider (connection refused) is retried like any transient failure', () => {
    expect(settle(transient('ECONNREFUSED'), FRESH, context())).toMatchObject({ state: 'retry', retryAt: SENT_AT + 6_000 });
  });
});
