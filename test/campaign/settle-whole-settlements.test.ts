import { describe, expect, it } from 'vitest';
import { HEALTHY, settle, type CampaignHealth, type SettleContext } from '../../src/campaign/settle.js';
import type { AttemptHistory } from '../../src/campaign/retry-policy.js';

// Whole settlements, every field, for the answers that end something (settle.test.ts checks one
// rule a row): what the user reads when the campaign stops is part of the policy, and so is every
// field the dispatcher acts on. The texts are written out: a changed word must fail here.
const FRESH: AttemptHistory = { transientRetries: 0, pairRateRetries: 0 };
const NOW = 1_000_000;
const FAILING: CampaignHealth = { consecutiveFailures: 2, throttledSince: 990_000 };
const context = (over: Partial<SettleContext> = {}): SettleContext => ({ now: NOW, requestAt: NOW - 200, health: FAILING, maxConsecutiveFailures: 3, mps: 80, ...over });
const base = { held: false, duplicateMessageId: false, retryAt: undefined, slowDown: undefined, throttle: undefined, halt: undefined, tally: undefined, errorCode: undefined };
const IN_DOUBT_ANSWERS_FIX = 'the provider, or a proxy in front of it, is answering wrongly: find out why before resuming; these sends are in doubt and are never re-sent automatically';

describe('settlements in full', () => {
  it('accepted and held for quality assessment: the run and the throttled spell end, the throttle note clears', () => {
    expect(settle({ kind: 'accepted', messageId: 'wamid.A', waId: '4474', status: 'held_for_quality_assessment' }, FRESH, context())).toEqual({
      ...base,
      state: 'accepted',
      fields: { message_id: 'wamid.A', wa_id: '4474', status: 'held_for_quality_assessment' },
      tally: 'accepted',
      held: true,
      history: FRESH,
      health: { consecutiveFailures: 0, throttledSince: undefined },
      throttle: null,
    });
  });

  it('accepted with a WhatsApp id or a status the ledger reader would refuse: those left out, not held', () => {
    const s = settle({ kind: 'accepted', messageId: 'wamid.A', waId: '+4474', status: 'accepted now' }, FRESH, context());
    expect(s).toEqual({ ...base, state: 'accepted', fields: { message_id: 'wamid.A', wa_id: undefined, status: undefined }, tally: 'accepted', history: FRESH, health: { consecutiveFailures: 0, throttledSince: undefined }, throttle: null });
    expect(settle({ kind: 'accepted', messageId: 'wamid.A', waId: '1'.repeat(21), status: 'x'.repeat(65) }, FRESH, context()).fields).toEqual({ message_id: 'wamid.A', wa_id: undefined, status: undefined });
    expect(settle({ kind: 'accepted', messageId: 'wamid.A', waId: '1'.repeat(20), status: 'x-'.repeat(32) }, FRESH, context()).fields).toEqual({ message_id: 'wamid.A', wa_id: '1'.repeat(20), status: 'x-'.repeat(32) });
  });

  it('no usable message id, the third in a row: in doubt, and the campaign stops saying why', () => {
    const title = 'the provider answered with success but without a usable message id: whether this message went out is unknown';
    expect(settle({ kind: 'accepted', messageId: '', waId: undefined, status: undefined }, FRESH, context())).toEqual({
      ...base,
      state: 'in_doubt',
      fields: { code: 'no_message_id', title },
      tally: 'in_doubt',
      errorCode: 'no_message_id',
      history: FRESH,
      health: { consecutiveFailures: 3, throttledSince: 990_000 },
      halt: { reason: 'stopped', code: 'no_message_id', title: `3 success answers in a row could not be used (the last: ${title})`, fix: IN_DOUBT_ANSWERS_FIX },
    });
  });

  it('an id already returned for another recipient, the third in a row: in doubt with the id, and the campaign stops', () => {
    const title = 'the provider answered with message id wamid.S, which it had already returned for another recipient: whether this message went out is unknown';
    expect(settle({ kind: 'accepted', messageId: 'wamid.S', waId: undefined, status: undefined }, FRESH, context({ messageIdSeen: 'other_recipient' }))).toEqual({
      ...base,
      state: 'in_doubt',
      fields: { code: 'duplicate_message_id', title, message_id: 'wamid.S' },
      tally: 'in_doubt',
      duplicateMessageId: true,
      errorCode: 'duplicate_message_id',
      history: FRESH,
      health: { consecutiveFailures: 3, throttledSince: 990_000 },
      halt: { reason: 'stopped', code: 'duplicate_message_id', title: `3 success answers in a row could not be used (the last: ${title})`, fix: IN_DOUBT_ANSWERS_FIX },
    });
  });

  it('the same id again for this recipient (its own retry): accepted', () => {
    expect(settle({ kind: 'accepted', messageId: 'wamid.S', waId: undefined, status: undefined }, FRESH, context({ messageIdSeen: 'same_recipient' })).state).toBe('accepted');
  });

  it('a rejected row, the third failure in a row: failed, and the campaign stops with the fix for a bad template or account', () => {
    expect(settle({ kind: 'failed', code: '100', title: 'bad', class: 'row_rejected' }, FRESH, context())).toEqual({
      ...base,
      state: 'failed',
      fields: { code: '100', title: 'bad', class: 'row_rejected' },
      tally: 'failed',
      errorCode: '100',
      history: FRESH,
      health: { consecutiveFailures: 3, throttledSince: 990_000 },
      halt: { reason: 'stopped', code: '100', title: '3 sends in a row failed (the last: 100 bad)', fix: 'something fails every recipient: check the template spec against WhatsApp Manager and the account’s health before resuming' },
    });
  });

  it('a transient failure out of retries, the third failure in a row: failed as transient, with the provider’s fix', () => {
    expect(settle({ kind: 'transient', code: '131000', title: 'oops' }, { transientRetries: 3, pairRateRetries: 1 }, context())).toEqual({
      ...base,
      state: 'failed',
      fields: { code: '131000', title: 'oops', class: 'transient' },
      tally: 'failed',
      errorCode: '131000',
      history: { transientRetries: 4, pairRateRetries: 1 },
      health: { consecutiveFailures: 3, throttledSince: 990_000 },
      halt: { reason: 'stopped', code: '131000', title: '3 sends in a row failed (the last: 131000 oops)', fix: 'the provider keeps failing: check its status page and resume later' },
    });
  });

  it('a transient failure with retries left: retry, the run and the spell untouched', () => {
    expect(settle({ kind: 'transient', code: '131000', title: 'oops' }, { transientRetries: 1, pairRateRetries: 2 }, context())).toEqual({
      ...base,
      state: 'retry',
      fields: { code: '131000', title: 'oops' },
      errorCode: '131000',
      retryAt: NOW - 200 + 12_000,
      history: { transientRetries: 2, pairRateRetries: 2 },
      health: FAILING,
    });
  });

  it('pair rate out of retries: retry for the next run, no retry in this one, not a failure', () => {
    expect(settle({ kind: 'pair_rate', code: '131056', title: 'pair' }, { transientRetries: 1, pairRateRetries: 5 }, context())).toEqual({
      ...base,
      state: 'retry',
      fields: { code: '131056', title: 'pair' },
      errorCode: '131056',
      history: { transientRetries: 1, pairRateRetries: 6 },
      health: FAILING,
    });
  });

  it('throttled for over 5 minutes: the campaign stops, naming the minutes (rounded) and the --mps', () => {
    const health = { consecutiveFailures: 1, throttledSince: NOW - 330_000 };
    expect(settle({ kind: 'throttled', code: '130429', title: 'rate', retryAfterMs: undefined }, FRESH, context({ health }))).toEqual({
      ...base,
      state: 'retry',
      fields: { code: '130429', title: 'rate' },
      errorCode: '130429',
      history: FRESH,
      health,
      slowDown: { pauseMs: undefined },
      throttle: { askedMs: undefined, waitMs: undefined },
      halt: {
        reason: 'stopped',
        code: '130429',
        title: 'the provider kept throttling for 6 min without accepting a message (the last answer: rate)',
        fix: "the account takes fewer than 80 messages a second now, or the provider is overloaded: wait, then resume, with a lower --mps if the number's throughput is lower; the throttled recipients are marked retry in the ledger and resuming sends them",
      },
    });
  });

  it('the first throttling answer starts the spell now; the run of failures is kept', () => {
    const s = settle({ kind: 'throttled', code: '130429', title: 'rate', retryAfterMs: 20_000 }, FRESH, context({ health: { consecutiveFailures: 2, throttledSince: undefined } }));
    expect(s).toEqual({
      ...base,
      state: 'retry',
      fields: { code: '130429', title: 'rate' },
      errorCode: '130429',
      retryAt: NOW - 200 + 20_000,
      history: FRESH,
      health: { consecutiveFailures: 2, throttledSince: NOW },
      slowDown: { pauseMs: 20_000 },
      throttle: { askedMs: 20_000, waitMs: 20_000 },
    });
  });

  it('a stop answer: retry (resuming sends it once fixed), counted failed, the run untouched, the campaign stops with the provider’s fix', () => {
    expect(settle({ kind: 'stop', code: '190', title: 'tok', fix: 'fix it' }, FRESH, context())).toEqual({
      ...base,
      state: 'retry',
      fields: { code: '190', title: 'tok', class: 'stop_campaign' },
      tally: 'failed',
      errorCode: '190',
      history: FRESH,
      health: FAILING,
      halt: { reason: 'stopped', code: '190', title: 'tok', fix: 'fix it' },
    });
  });

  it('in doubt, below the limit: counted, part of the run, no stop', () => {
    expect(settle({ kind: 'in_doubt', code: 'ETIMEDOUT', title: 'late' }, FRESH, context({ maxConsecutiveFailures: 4 }))).toEqual({
      ...base,
      state: 'in_doubt',
      fields: { code: 'ETIMEDOUT', title: 'late' },
      tally: 'in_doubt',
      errorCode: 'ETIMEDOUT',
      history: FRESH,
      health: { consecutiveFailures: 3, throttledSince: 990_000 },
    });
  });

  it('from a healthy start, one failure is a run of one, not a stop', () => {
    expect(settle({ kind: 'failed', code: '100', title: 'bad', class: 'row_rejected' }, FRESH, context({ health: HEALTHY })).health).toEqual({ consecutiveFailures: 1, throttledSince: undefined });
  });
});
