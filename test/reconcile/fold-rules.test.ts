// The fold's rules (src/reconcile/fold-campaign.ts) one at a time: small ledgers and signals
// given to CampaignFold directly, the decisions, counts and funnel stages asserted whole. Each
// case is a rule that a survivor of the mutation run of 5 December broke without any test
// failing (TESTING.md, src/reconcile); the comment says which.
import { describe, expect, it } from 'vitest';
import type { LedgerRecord, OutcomeRecord } from '../../src/ledger/ledger-records.js';
import type { Decision } from '../../src/reconcile/decide-recipient.js';
import { CampaignFold } from '../../src/reconcile/fold-campaign.js';
import type { Signal } from '../../src/reconcile/parse-event.js';
import { accepted, intent, outcome, runRecord } from './events.js';

const A = '+447400123451';
const B = '+447400123452';
const C = '+447400123453';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** When events.ts's intents and outcomes are written, unless told otherwise. */
const T0 = Date.parse('2026-11-17T08:00:01.000Z');
const OUTCOME_AT = Date.parse('2026-11-17T08:00:01.100Z');
const NOW = T0 + HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const SENT: Decision = { state: 'sent', list: undefined, reason: '', code: '' };
const READ: Decision = { state: 'read', list: undefined, reason: '', code: '' };
const DELIVERED: Decision = { state: 'delivered', list: undefined, reason: '', code: '' };
const inDoubt = (code: string): Decision => ({ state: 'in_doubt', list: 'in_doubt', reason: 'in_doubt', code });
const suppressed = (reason: string, code: string): Decision => ({ state: 'suppressed', list: 'suppress', reason, code });
const smsFallback = (reason: string, code: string): Decision => ({ state: 'sms_fallback', list: 'sms_fallback', reason, code });

const status = (messageId: string | undefined, cid: string | undefined, rank: number, at = T0 + MIN, family: 'meta' | 'twilio' = 'meta'): Signal => ({ kind: 'status', family, messageId, cid, rank, failed: false, code: -1, at });
const failure = (messageId: string | undefined, cid: string | undefined, code: number, at: number, family: 'meta' | 'twilio' = 'meta'): Signal => ({ kind: 'status', family, messageId, cid, rank: 0, failed: true, code, at });
const preference = (waId: string, value: 'stop' | 'resume', via: 'user_preferences' | 'keyword' | 'twilio_opt_out', at = T0 + MIN): Signal => ({ kind: 'preference', value, via, waId, at });

/** An outcome record written out (events.ts's helpers always give a failure a title, an acceptance the phone's wa_id). */
const outcomeRecord = (fields: Omit<OutcomeRecord, 'type' | 'at'> & { at?: string }): LedgerRecord => ({ type: 'outcome', at: iso(OUTCOME_AT), ...fields });

function foldOf(records: LedgerRecord[], signals: Signal[] = []): CampaignFold {
  const fold = new CampaignFold();
  for (const record of records) expect(fold.addLedgerRecord(record)).toBe(true);
  for (const signal of signals) fold.addSignal(signal);
  return fold;
}

/** The decisions at `now`; the shortcut's equal to the rules' own (what `decide` promises). */
function decisionsOf(fold: CampaignFold, now = NOW): Decision[] {
  const decisions = fold.decide(now);
  expect(fold.decide(now, false)).toEqual(decisions);
  return decisions;
}

/** Every order of `items` (up to a few). */
function orders<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('CampaignFold: the ledger', () => {
  it('an outcome `retry` (never answered) is due again from the outcome', () => {
    // LEDGER_INDEX's 'retry' → 4: without it the attempt reads as having no outcome (in doubt).
    const fold = foldOf([runRecord(), intent(A, 'c1'), outcome(A, 'c1', 'retry', 'throttled')]);
    expect(decisionsOf(fold)).toEqual([{ state: 'retry', list: 'retry', reason: 'not_sent', code: 'throttled', dueAt: OUTCOME_AT }]);
    expect(fold.funnelStageOf(0)).toBe(0);
  });

  it('the TTL counts from the first attempt: a retry due after it goes to SMS', () => {
    // firstSlot is set once: with the latest attempt as the first, the deadline moves a day on.
    const second = T0 + 23 * HOUR + 50 * MIN;
    const records = [
      runRecord({ ttl_seconds: 86_400 }),
      intent(A, 'a1', 1, { phone: A }, iso(T0)),
      accepted(A, 'a1', 'wamid.1', undefined, iso(T0 + 100)),
      intent(A, 'a2', 2, undefined, iso(second)),
      outcome(A, 'a2', 'failed', '131000', 'transient', iso(second + 100)),
    ];
    const fold = foldOf(records);
    expect(fold.attemptsOf(0)).toBe(2);
    // Due at second + 100 ms + 30 min, past T0 + 24 h.
    expect(decisionsOf(fold, second + MIN)).toEqual([smsFallback('retries_exhausted', '131000')]);
  });

  it('an outcome without its intent (phone and correlation id unknown) is dropped, touching no one', () => {
    const records = [
      runRecord(),
      intent(A, 'c1'),
      accepted(A, 'c1', 'wamid.A'),
      intent(B, 'c2'),
      accepted(B, 'c2', 'wamid.B'),
      // A third phone's outcomes: one with A's message id (it would make that id ambiguous), one failed.
      outcomeRecord({ cid: 'c9', phone: C, outcome: 'accepted', message_id: 'wamid.A', wa_id: C.slice(1), status: 'accepted' }),
      outcome(C, 'c8', 'failed', '131026', 'sms_fallback'),
    ];
    const fold = foldOf(records, [status('wamid.A', undefined, 3), status('wamid.B', undefined, 3)]);
    expect(fold.recipients).toBe(2);
    expect(fold.recipientOf(C)).toBe(-1);
    expect(decisionsOf(fold)).toEqual([READ, READ]);
    expect(fold.ambiguousMessageIds()).toBe(0);
    expect(fold.counts).toEqual({ matched: 2, unmatched: 0, ambiguous: 0 });
  });

  it('a second outcome of an attempt (its correlation id already settled) goes to the phone’s latest attempt, and a failure without a title drops the earlier title', () => {
    const records = [
      runRecord(),
      intent(A, 'c1'),
      intent(B, 'c2'),
      outcome(A, 'c1', 'failed', '131047', 'row_rejected'), // title 't'
      outcomeRecord({ cid: 'c1', phone: A, outcome: 'failed', code: '131047', class: 'row_rejected' }),
    ];
    const fold = foldOf(records);
    expect(decisionsOf(fold)).toEqual([{ state: 'failed', list: 'failed', reason: 'rejected', code: '131047', title: 'Re-engagement message' }, inDoubt('')]);
    expect(fold.funnelStageOf(0)).toBe(-1);
    expect(fold.funnelStageOf(1)).toBe(0);
  });

  it('a failed outcome after the acceptance decides, whatever the events say (no shortcut to `read`)', () => {
    const records = [runRecord(), intent(A, 'c1'), accepted(A, 'c1', 'wamid.A'), outcome(A, 'c1', 'failed', '131026', 'sms_fallback')];
    const fold = foldOf(records, [status('wamid.A', undefined, 3)]);
    expect(fold.decide(NOW)).toEqual([smsFallback('not_on_whatsapp', '131026')]);
    expect(fold.decide(NOW, false)).toEqual([smsFallback('not_on_whatsapp', '131026')]);
    expect(fold.funnelStageOf(0)).toBe(-1);
  });

  it('only an attempt in doubt stays findable by its correlation id', () => {
    const records = [runRecord(), intent(A, 'c1'), accepted(A, 'c1', 'wamid.A'), intent(B, 'c2'), outcome(B, 'c2', 'in_doubt', 'ETIMEDOUT')];
    // A `read` with A's correlation id but a message id the ledger never gave: not A's.
    const fold = foldOf(records, [status('wamid.Z', 'c1', 3)]);
    expect(decisionsOf(fold)).toEqual([SENT, inDoubt('ETIMEDOUT')]);
    expect(fold.counts).toEqual({ matched: 0, unmatched: 1, ambiguous: 0 });
    expect(fold.inDoubtCids()).toEqual(new Map([[1, 'c2']]));
  });

  it('once a message id is ambiguous, later ids are still recorded', () => {
    const records = [
      runRecord(),
      intent(A, 'c1'),
      accepted(A, 'c1', 'wamid.SAME'),
      intent(B, 'c2'),
      accepted(B, 'c2', 'wamid.SAME'),
      intent(C, 'c3'),
      accepted(C, 'c3', 'wamid.C'),
    ];
    const fold = foldOf(records, [status('wamid.C', undefined, 3), status('wamid.SAME', undefined, 3)]);
    expect(decisionsOf(fold)).toEqual([SENT, SENT, READ]);
    expect(fold.ambiguousMessageIds()).toBe(1);
    expect(fold.counts).toEqual({ matched: 1, unmatched: 0, ambiguous: 1 });
  });
});

describe('CampaignFold: no run header before the intents', () => {
  it('reads the codes in the table of the run that comes later', () => {
    // runs[slotRun] is runs[-1]: the fallback is the last run header, not one past it.
    const fold = foldOf([intent(A, 'c1'), outcome(A, 'c1', 'failed', '63032'), runRecord({ provider: 'twilio' })]);
    expect(decisionsOf(fold)).toEqual([smsFallback('experiment', '63032')]);
  });

  it('without any run: a marketing campaign (no retry-later for a US number)', () => {
    const fold = foldOf([intent('+12024561111', 'c1'), outcome('+12024561111', 'c1', 'failed', '131049', 'retry_later')]);
    expect(decisionsOf(fold)).toEqual([smsFallback('marketing_us', '131049')]);
  });

  it('without any run: a TTL of 30 days (and its hour of buffer)', () => {
    const fold = foldOf([intent(A, 'c1'), accepted(A, 'c1', 'wamid.A')], [status('wamid.A', undefined, 1)]);
    expect(decisionsOf(fold, OUTCOME_AT + 29 * DAY)).toEqual([SENT]);
    expect(decisionsOf(fold, OUTCOME_AT + 30 * DAY + HOUR)).toEqual([SENT]);
    expect(decisionsOf(fold, OUTCOME_AT + 30 * DAY + HOUR + 1)).toEqual([smsFallback('ttl_expired', '')]);
  });
});

describe('CampaignFold: statuses', () => {
  it('a failure with code 2 (Meta’s “API service”, transient) is a failure like any other', () => {
    // NO_FAILURE is -2, a value no code has; a code of 2 must not read as "no failure".
    const fold = foldOf([runRecord(), intent(A, 'c1'), accepted(A, 'c1', 'wamid.A')], [failure('wamid.A', undefined, 2, T0 + MIN)]);
    expect(decisionsOf(fold)).toEqual([{ state: 'retry', list: 'retry', reason: 'transient', code: '2', dueAt: T0 + 31 * MIN }]);
    expect(fold.funnelStageOf(0)).toBe(-2);
  });

  it('a status with no message id and a correlation id no attempt has is unmatched, not ambiguous', () => {
    const fold = foldOf([runRecord(), intent(A, 'c1'), accepted(A, 'c1', 'wamid.A')], [status(undefined, 'zz', 1), status(undefined, undefined, 2)]);
    expect(fold.counts).toEqual({ matched: 0, unmatched: 2, ambiguous: 0 });
    expect(decisionsOf(fold)).toEqual([SENT]);
  });

  it('a message id claimed by one attempt in doubt: its later events are that attempt’s, and no id is ambiguous', () => {
    // The second recipient's attempt is slot 1 (AMBIGUOUS is -1, no slot's index).
    const records = [runRecord(), intent(A, 'c1'), outcome(A, 'c1', 'in_doubt', 'ETIMEDOUT'), intent(B, 'c2'), outcome(B, 'c2', 'in_doubt', 'ETIMEDOUT')];
    for (const signals of orders([status('wamid.B', undefined, 2), status('wamid.B', 'c2', 1)])) {
      const fold = foldOf(records, signals);
      expect(decisionsOf(fold)).toEqual([inDoubt('ETIMEDOUT'), DELIVERED]);
      expect(fold.counts).toEqual({ matched: 2, unmatched: 0, ambiguous: 0 });
      expect(fold.ambiguousMessageIds()).toBe(0);
    }
  });

  it('a message id claimed by two attempts of one recipient goes to the later one, in any order', () => {
    const second = T0 + HOUR;
    const records = [
      runRecord(),
      intent(A, 'a1'),
      outcome(A, 'a1', 'in_doubt', 'ETIMEDOUT'),
      intent(A, 'a2', 2, undefined, iso(second)),
      outcome(A, 'a2', 'in_doubt', 'ETIMEDOUT', undefined, iso(second + 100)),
    ];
    for (const signals of orders([status('wamid.M', 'a1', 1), status('wamid.M', 'a2', 1), status('wamid.M', undefined, 3)])) {
      const fold = foldOf(records, signals);
      expect(decisionsOf(fold, second + HOUR)).toEqual([READ]);
      expect(fold.counts).toEqual({ matched: 3, unmatched: 0, ambiguous: 0 });
      expect(fold.ambiguousMessageIds()).toBe(0);
    }
  });

  it('a Twilio `queued` (rank 0) proves an attempt in doubt was accepted', () => {
    const records = [runRecord({ provider: 'twilio' }), intent(A, 'c1'), outcome(A, 'c1', 'in_doubt', 'ETIMEDOUT')];
    const without = foldOf(records);
    expect(decisionsOf(without)).toEqual([inDoubt('ETIMEDOUT')]);
    expect(without.funnelStageOf(0)).toBe(0);
    const fold = foldOf(records, [status('SM1', 'c1', 0, T0 + MIN, 'twilio')]);
    expect(decisionsOf(fold)).toEqual([SENT]);
    expect(fold.funnelStageOf(0)).toBe(1);
    expect(fold.funnelStageOf(0, false)).toBe(1);
  });

  describe('of several failures the earliest wins, then the lowest code, in any order', () => {
    const notOnWhatsApp = [smsFallback('not_on_whatsapp', '131026')];
    const perUserLimit = (at: number) => [{ state: 'waiting_retry', list: 'retry', reason: 'per_user_limit', code: '131049', dueAt: at + DAY }];
    const T = T0 + MIN;

    it('matched by message id', () => {
      const records = [runRecord(), intent(A, 'c1'), accepted(A, 'c1', 'wamid.A')];
      for (const signals of orders([failure('wamid.A', undefined, 131049, T), failure('wamid.A', undefined, 131026, T)])) {
        expect(decisionsOf(foldOf(records, signals))).toEqual(notOnWhatsApp);
      }
      for (const signals of orders([failure('wamid.A', undefined, 131049, T), failure('wamid.A', undefined, 131026, T + MIN)])) {
        expect(decisionsOf(foldOf(records, signals))).toEqual(perUserLimit(T));
      }
    });

    it('kept for a message id until a correlation id claims it', () => {
      const records = [runRecord(), intent(A, 'c1'), outcome(A, 'c1', 'in_doubt', 'ETIMEDOUT')];
      const claim = status('wamid.M', 'c1', 1);
      for (const signals of orders([failure('wamid.M', undefined, 131049, T), failure('wamid.M', undefined, 131026, T), claim])) {
        const fold = foldOf(records, signals);
        expect(decisionsOf(fold)).toEqual(notOnWhatsApp);
        expect(fold.counts).toEqual({ matched: 3, unmatched: 0, ambiguous: 0 });
      }
      for (const signals of orders([failure('wamid.M', undefined, 131049, T), failure('wamid.M', undefined, 131026, T + MIN), claim])) {
        expect(decisionsOf(foldOf(records, signals))).toEqual(perUserLimit(T));
      }
    });
  });
});

describe('CampaignFold: failures counted over attempts', () => {
  const attempts = (n: number, code: string, errorClass: string) => {
    const records: LedgerRecord[] = [runRecord()];
    for (let i = 0; i < n; i++) {
      records.push(intent(A, `a${i + 1}`, i + 1, undefined, iso(T0 + i * HOUR)));
      records.push(outcome(A, `a${i + 1}`, 'failed', code, errorClass, iso(T0 + i * HOUR + 100)));
    }
    return records;
  };

  it('two transient failures: the second waits an hour, not 30 minutes', () => {
    const fold = foldOf(attempts(2, '131000', 'transient'));
    expect(decisionsOf(fold, T0 + HOUR + MIN)).toEqual([{ state: 'waiting_retry', list: 'retry', reason: 'transient', code: '131000', dueAt: T0 + 2 * HOUR + 100 }]);
  });

  it('a paused template: retried after three failures, SMS after four', () => {
    expect(decisionsOf(foldOf(attempts(3, '132015', 'template_paused')), T0 + 4 * HOUR)).toEqual([{ state: 'retry', list: 'retry', reason: 'template_paused', code: '132015', dueAt: T0 + 2 * HOUR + 100 }]);
    expect(decisionsOf(foldOf(attempts(4, '132015', 'template_paused')), T0 + 4 * HOUR)).toEqual([smsFallback('retries_exhausted', '132015')]);
  });

  describe('opt-out failures of two attempts (a Meta run, then a Twilio one)', () => {
    const records = [
      runRecord(),
      intent(A, 'a1'),
      accepted(A, 'a1', 'wamid.1'),
      runRecord({ run: 'r2', provider: 'twilio', at: iso(T0 + HOUR - 1000) }),
      intent(A, 'a2', 2, undefined, iso(T0 + HOUR)),
      accepted(A, 'a2', 'SM2', undefined, iso(T0 + HOUR + 100)),
    ];

    it('the latest failure’s code is the stop', () => {
      for (const signals of orders([failure('wamid.1', undefined, 131050, T0 + MIN), failure('SM2', undefined, 21610, T0 + 2 * HOUR, 'twilio')])) {
        expect(decisionsOf(foldOf(records, signals), T0 + 3 * HOUR)).toEqual([suppressed('opted_out', '21610')]);
      }
      // The earlier attempt's failure can be the later one: then its code (Meta's) is the stop.
      for (const signals of orders([failure('wamid.1', undefined, 131050, T0 + 3 * HOUR), failure('SM2', undefined, 21610, T0 + 2 * HOUR, 'twilio')])) {
        expect(decisionsOf(foldOf(records, signals), T0 + 4 * HOUR)).toEqual([suppressed('opted_out', '131050')]);
      }
    });

    it('at the same instant, the latest attempt’s', () => {
      for (const signals of orders([failure('wamid.1', undefined, 131050, T0 + 2 * HOUR), failure('SM2', undefined, 21610, T0 + 2 * HOUR, 'twilio')])) {
        expect(decisionsOf(foldOf(records, signals), T0 + 3 * HOUR)).toEqual([suppressed('opted_out', '21610')]);
      }
    });
  });

  it('a resume lifts an earlier attempt’s opt-out failure only when it comes after it (a stop wins a tie)', () => {
    const failedAt = T0 + MIN;
    const records = [runRecord(), intent(A, 'a1'), accepted(A, 'a1', 'wamid.1'), intent(A, 'a2', 2, undefined, iso(T0 + HOUR)), accepted(A, 'a2', 'wamid.2', undefined, iso(T0 + HOUR + 100))];
    const of = (resumeAt: number) => decisionsOf(foldOf(records, [failure('wamid.1', undefined, 131050, failedAt), status('wamid.2', undefined, 3, T0 + 2 * HOUR), preference(A.slice(1), 'resume', 'user_preferences', resumeAt)]), T0 + 3 * HOUR);
    expect(of(failedAt - 1000)).toEqual([suppressed('opted_out', '131050')]);
    expect(of(failedAt)).toEqual([suppressed('opted_out', '131050')]);
    // The person's latest word is the resume: the latest attempt (read) decides.
    expect(of(failedAt + 1000)).toEqual([READ]);
  });
});

describe('CampaignFold: preferences', () => {
  const records = [runRecord(), intent(A, 'c1'), accepted(A, 'c1', 'wamid.A'), intent(B, 'c2'), accepted(B, 'c2', 'wamid.B')];

  it('a stop is a suppression with no code; a stop for a number the ledger does not have is unmatched', () => {
    const fold = foldOf(records, [preference('447400999999', 'stop', 'keyword'), preference(A.slice(1), 'stop', 'keyword')]);
    expect(decisionsOf(fold)).toEqual([suppressed('keyword', ''), SENT]);
    expect(fold.counts).toEqual({ matched: 1, unmatched: 1, ambiguous: 0 });
  });

  it('a wa_id that is not 1–15 digits matches no one (not even a number it reads as), and does not throw', () => {
    const waIds = ['abc', '', ` ${A.slice(1)}`, `${A.slice(1)} `, `+${A.slice(1)}`, `${A.slice(1)}0000`];
    const fold = foldOf(records, waIds.map((waId) => preference(waId, 'stop', 'user_preferences')));
    expect(decisionsOf(fold)).toEqual([SENT, SENT]);
    expect(fold.counts).toEqual({ matched: 0, unmatched: waIds.length, ambiguous: 0 });
  });

  it('at the same instant, of two stops the lower `via` wins, in either order', () => {
    for (const signals of orders([preference(A.slice(1), 'stop', 'user_preferences'), preference(A.slice(1), 'stop', 'keyword')])) {
      expect(decisionsOf(foldOf(records, signals))).toEqual([suppressed('keyword', ''), SENT]);
    }
  });

  it('at the same instant a stop beats a resume, whatever their `via`, in either order', () => {
    // 'twilio_opt_out' < 'user_preferences': the resume would win on `via` alone.
    for (const signals of orders([preference(A.slice(1), 'stop', 'user_preferences'), preference(A.slice(1), 'resume', 'twilio_opt_out')])) {
      expect(decisionsOf(foldOf(records, signals))).toEqual([suppressed('user_preferences', ''), SENT]);
    }
  });
});

describe('CampaignFold: WhatsApp ids', () => {
  it('a wa_id that only ends the number (shorter) is another id: a stop naming it is the recipient’s', () => {
    const fold = foldOf([runRecord(), intent(A, 'c1'), accepted(A, 'c1', 'wamid.A', A.slice(4))], [preference(A.slice(4), 'stop', 'user_preferences')]);
    expect(decisionsOf(fold)).toEqual([suppressed('user_preferences', '')]);
    expect(fold.counts).toEqual({ matched: 1, unmatched: 0, ambiguous: 0 });
  });

  it('a wa_id that is the outcome’s own number is no alias, even when the outcome is another recipient’s attempt', () => {
    // The outcome names B but carries A's correlation id: it is A's attempt; B's number stays B's.
    const records = [runRecord(), intent(A, 'c1'), intent(B, 'c2'), outcomeRecord({ cid: 'c1', phone: B, outcome: 'accepted', message_id: 'wamid.X', wa_id: B.slice(1), status: 'accepted' })];
    const fold = foldOf(records, [preference(B.slice(1), 'stop', 'user_preferences')]);
    expect(decisionsOf(fold)).toEqual([SENT, suppressed('user_preferences', '')]);
  });
});
