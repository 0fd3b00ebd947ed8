import { describe, expect, it } from 'vitest';
import { decideRecipient, isHeldBackClass, isTransientClass, ttlBufferMs, type AttemptFacts, type RecipientFacts } from '../../src/reconcile/decide-recipient.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const THIRTY_DAYS = 30 * DAY;

function attempt(overrides: Partial<AttemptFacts> = {}): AttemptFacts {
  return { ledger: 'accepted', intentAt: T0, outcomeAt: T0, ledgerCode: undefined, ledgerClass: undefined, evidence: true, rank: 1, eventFailure: undefined, ...overrides };
}

function facts(overrides: Partial<RecipientFacts> = {}, latest: Partial<AttemptFacts> = {}): RecipientFacts {
  return {
    phone: '+447400123456',
    category: 'marketing',
    ttlMs: THIRTY_DAYS,
    firstAttemptAt: T0,
    retryLaterFailures: 0,
    transientFailures: 0,
    pausedFailures: 0,
    latest: attempt(latest),
    optedOut: undefined,
    resumedAt: undefined,
    family: 'meta',
    ...overrides,
  };
}

const failedEvent = (code: number, at = T0 + MIN, family: 'meta' | 'twilio' = 'meta') => ({ eventFailure: { code, at, family }, rank: 0 });

describe('decideRecipient: the platform rules, one row each', () => {
  it('delivered and read recipients are in no list', () => {
    expect(decideRecipient(facts({}, { rank: 2 }), T0 + DAY)).toMatchObject({ state: 'delivered', list: undefined });
    expect(decideRecipient(facts({}, { rank: 3 }), T0 + 365 * DAY)).toMatchObject({ state: 'read', list: undefined });
  });

  it('131049: no retry before 24 h after the failure, then retry with the code', () => {
    const f = facts({ retryLaterFailures: 1 }, failedEvent(131049));
    expect(decideRecipient(f, T0 + MIN + DAY - 1)).toMatchObject({ state: 'waiting_retry', list: 'retry', dueAt: T0 + MIN + DAY });
    expect(decideRecipient(f, T0 + MIN + DAY)).toMatchObject({ state: 'retry', list: 'retry', reason: 'per_user_limit', code: '131049' });
  });

  it('131049 again: the wait doubles (24 h, 48 h, 96 h…)', () => {
    const failedAt = T0 + 3 * DAY;
    const f = facts({ retryLaterFailures: 3 }, failedEvent(131049, failedAt));
    expect(decideRecipient(f, failedAt + 4 * DAY - 1)).toMatchObject({ state: 'waiting_retry', dueAt: failedAt + 4 * DAY });
    expect(decideRecipient(f, failedAt + 4 * DAY)).toMatchObject({ state: 'retry', reason: 'per_user_limit' });
  });

  it('131049: never past the TTL counted from the first attempt; then SMS, retries exhausted', () => {
    const failedAt = T0 + 20 * DAY;
    const f = facts({ retryLaterFailures: 5 }, failedEvent(131049, failedAt)); // next wait 16 days: past day 30
    expect(decideRecipient(f, failedAt + MIN)).toMatchObject({ state: 'sms_fallback', list: 'sms_fallback', reason: 'retries_exhausted', code: '131049' });
    // Due within the TTL but reconciled after it: no retry either.
    const g = facts({ retryLaterFailures: 1 }, failedEvent(131049));
    expect(decideRecipient(g, T0 + 31 * DAY)).toMatchObject({ list: 'sms_fallback', reason: 'retries_exhausted' });
    // An authentication template (10-minute TTL) never waits 24 h.
    const auth = facts({ category: 'authentication', ttlMs: 10 * MIN, retryLaterFailures: 1 }, failedEvent(131049));
    expect(decideRecipient(auth, T0 + 2 * MIN)).toMatchObject({ list: 'sms_fallback', reason: 'retries_exhausted' });
  });

  it('Twilio 63049 follows the same rule', () => {
    const f = facts({ family: 'twilio', retryLaterFailures: 1 }, failedEvent(63049, T0, 'twilio'));
    expect(decideRecipient(f, T0 + DAY)).toMatchObject({ list: 'retry', reason: 'per_user_limit', code: '63049' });
  });

  it('marketing to a US (+1) number refused by Meta: SMS, no retry; a utility template to +1 retries', () => {
    expect(decideRecipient(facts({ phone: '+12125550199', retryLaterFailures: 1 }, failedEvent(131049)), T0 + 2 * DAY)).toMatchObject({ list: 'sms_fallback', reason: 'marketing_us', code: '131049' });
    expect(decideRecipient(facts({ phone: '+12125550199', family: 'twilio', retryLaterFailures: 1 }, failedEvent(63049, T0, 'twilio')), T0 + MIN)).toMatchObject({ list: 'sms_fallback', reason: 'marketing_us' });
    expect(decideRecipient(facts({ phone: '+12125550199', category: 'utility', retryLaterFailures: 1 }, failedEvent(131049)), T0 + 2 * DAY)).toMatchObject({ list: 'retry' });
  });

  it('marketing to a Canadian or Caribbean +1 number is not marketing to the US: a 131049 there waits and retries', () => {
    for (const phone of ['+14165550123', '+18765550123']) {
      const f = facts({ phone, retryLaterFailures: 1 }, failedEvent(131049));
      expect(decideRecipient(f, T0 + MIN + DAY - 1)).toMatchObject({ state: 'waiting_retry', reason: 'per_user_limit' });
      expect(decideRecipient(f, T0 + MIN + DAY)).toMatchObject({ state: 'retry', list: 'retry', reason: 'per_user_limit', code: '131049' });
    }
    expect(decideRecipient(facts({ phone: '+14165550123', family: 'twilio', retryLaterFailures: 1 }, failedEvent(63049, T0, 'twilio')), T0 + DAY)).toMatchObject({ list: 'retry', reason: 'per_user_limit' });
  });

  it.each([
    [130472, 'meta', 'experiment'],
    [63032, 'twilio', 'experiment'],
    [131026, 'meta', 'not_on_whatsapp'],
    [63003, 'twilio', 'not_on_whatsapp'],
    [63024, 'twilio', 'not_on_whatsapp'],
  ] as const)('%i (%s) → SMS fallback, %s', (code, family, reason) => {
    expect(decideRecipient(facts({ family }, failedEvent(code, T0, family)), T0 + MIN)).toEqual({ state: 'sms_fallback', list: 'sms_fallback', reason, code: String(code) });
  });

  it('131049 or 131026 in the send answer (ledger) decide the same way as in a callback', () => {
    const answered = { ledger: 'failed' as const, ledgerCode: '131026', ledgerClass: 'sms_fallback', evidence: false, rank: 0 };
    expect(decideRecipient(facts({}, answered), T0)).toMatchObject({ list: 'sms_fallback', reason: 'not_on_whatsapp' });
    const later = { ledger: 'failed' as const, ledgerCode: '131049', ledgerClass: 'retry_later', evidence: false, rank: 0, outcomeAt: T0 };
    expect(decideRecipient(facts({ retryLaterFailures: 1 }, later), T0 + DAY)).toMatchObject({ list: 'retry', reason: 'per_user_limit' });
  });

  it('131050 and Twilio 21610 → suppress; an opt-out beats a delivery', () => {
    expect(decideRecipient(facts({}, failedEvent(131050)), T0)).toMatchObject({ state: 'suppressed', list: 'suppress', reason: 'opted_out', code: '131050' });
    expect(decideRecipient(facts({ family: 'twilio' }, failedEvent(21610, T0, 'twilio')), T0)).toMatchObject({ list: 'suppress', code: '21610' });
    expect(decideRecipient(facts({ optedOut: { via: 'user_preferences', code: '' } }, { rank: 3 }), T0)).toMatchObject({ list: 'suppress', reason: 'user_preferences' });
  });

  it('131050, then a resume (the person’s latest word): retry from the moment they resumed, reason resumed', () => {
    const resumedAt = T0 + 2 * HOUR;
    expect(decideRecipient(facts({ resumedAt }, failedEvent(131050)), T0 + 3 * HOUR)).toEqual({ state: 'retry', list: 'retry', reason: 'resumed', code: '131050', dueAt: resumedAt });
    // Replayed with a clock before the resume: not yet due.
    expect(decideRecipient(facts({ resumedAt }, failedEvent(131050)), T0 + HOUR)).toMatchObject({ state: 'waiting_retry', list: 'retry', reason: 'resumed', dueAt: resumedAt });
  });

  it('Twilio 21610, then a resume: the same rule', () => {
    expect(decideRecipient(facts({ family: 'twilio', resumedAt: T0 + HOUR }, failedEvent(21610, T0, 'twilio')), T0 + HOUR)).toMatchObject({ list: 'retry', reason: 'resumed', code: '21610' });
  });

  it('131050 in the send answer, then a resume: the same rule', () => {
    const answered = { ledger: 'failed' as const, ledgerCode: '131050', ledgerClass: 'opted_out', evidence: false, rank: 0, outcomeAt: T0 };
    expect(decideRecipient(facts({ resumedAt: T0 + MIN }, answered), T0 + HOUR)).toMatchObject({ list: 'retry', reason: 'resumed', code: '131050' });
  });

  it('131050, then a resume, past the TTL counted from the first attempt: SMS, retries exhausted', () => {
    expect(decideRecipient(facts({ resumedAt: T0 + 31 * DAY }, failedEvent(131050)), T0 + 31 * DAY)).toMatchObject({ list: 'sms_fallback', reason: 'retries_exhausted', code: '131050' });
  });

  it('a resume no later than the 131050 lifts nothing: suppress', () => {
    expect(decideRecipient(facts({ resumedAt: T0 + MIN }, failedEvent(131050, T0 + MIN)), T0 + HOUR)).toMatchObject({ list: 'suppress', reason: 'opted_out' });
    expect(decideRecipient(facts({ resumedAt: T0 }, failedEvent(131050, T0 + MIN)), T0 + HOUR)).toMatchObject({ list: 'suppress', reason: 'opted_out' });
  });

  it('a transient failure send gave up on: retried after 30 min, 1 h, 2 h, then SMS', () => {
    const gaveUp = (n: number) => facts({ transientFailures: n }, { ledger: 'failed', ledgerCode: '131000', ledgerClass: 'transient', evidence: false, rank: 0, outcomeAt: T0 });
    expect(decideRecipient(gaveUp(1), T0 + 29 * MIN)).toMatchObject({ state: 'waiting_retry', dueAt: T0 + 30 * MIN });
    expect(decideRecipient(gaveUp(1), T0 + 30 * MIN)).toMatchObject({ list: 'retry', reason: 'transient', code: '131000' });
    expect(decideRecipient(gaveUp(3), T0 + 2 * HOUR)).toMatchObject({ list: 'retry', reason: 'transient' });
    expect(decideRecipient(gaveUp(4), T0 + 10 * DAY)).toMatchObject({ list: 'sms_fallback', reason: 'retries_exhausted', code: '131000' });
  });

  it('132015 in a status callback (a held message of a paused template dropped) → retry list, reason template_paused', () => {
    expect(decideRecipient(facts({ pausedFailures: 1 }, failedEvent(132015)), T0 + MIN)).toMatchObject({ state: 'retry', list: 'retry', reason: 'template_paused', code: '132015' });
    // Not for ever: after three rounds, SMS.
    expect(decideRecipient(facts({ pausedFailures: 4 }, failedEvent(132015)), T0 + MIN)).toMatchObject({ list: 'sms_fallback', reason: 'retries_exhausted', code: '132015' });
  });

  it('accepted, neither delivered nor read: waits for the TTL plus a buffer, then SMS ttl_expired', () => {
    const f = facts({}, { rank: 1 });
    expect(decideRecipient(f, T0 + THIRTY_DAYS + ttlBufferMs(THIRTY_DAYS))).toMatchObject({ state: 'sent', list: undefined });
    expect(decideRecipient(f, T0 + THIRTY_DAYS + ttlBufferMs(THIRTY_DAYS) + 1)).toEqual({ state: 'sms_fallback', list: 'sms_fallback', reason: 'ttl_expired', code: '' });
    const auth = facts({ category: 'authentication', ttlMs: 10 * MIN }, { rank: 0, evidence: false });
    expect(decideRecipient(auth, T0 + 15 * MIN)).toMatchObject({ state: 'sent' });
    expect(decideRecipient(auth, T0 + 15 * MIN + 1)).toMatchObject({ reason: 'ttl_expired' });
    expect(ttlBufferMs(10 * MIN)).toBe(5 * MIN);
    expect(ttlBufferMs(THIRTY_DAYS)).toBe(HOUR);
  });

  it('in doubt without evidence → in-doubt list; with a status event → resolved by it', () => {
    const unknown = { ledger: 'in_doubt' as const, ledgerCode: 'ETIMEDOUT', evidence: false, rank: 0 };
    expect(decideRecipient(facts({}, unknown), T0 + 40 * DAY)).toEqual({ state: 'in_doubt', list: 'in_doubt', reason: 'in_doubt', code: 'ETIMEDOUT' });
    expect(decideRecipient(facts({}, { ledger: 'none', evidence: false, rank: 0 }), T0)).toMatchObject({ list: 'in_doubt' });
    expect(decideRecipient(facts({}, { ...unknown, evidence: true, rank: 3 }), T0)).toMatchObject({ state: 'read', list: undefined });
    expect(decideRecipient(facts({}, { ...unknown, evidence: true, rank: 1 }), T0 + 40 * DAY)).toMatchObject({ reason: 'ttl_expired' });
    expect(decideRecipient(facts({}, { ...unknown, ...failedEvent(131026) }), T0)).toMatchObject({ list: 'sms_fallback', reason: 'not_on_whatsapp' });
  });

  it('an attempt never made (throttled, or stopped before the request) is due again: retry, not_sent', () => {
    expect(decideRecipient(facts({}, { ledger: 'retry', ledgerCode: '130429', evidence: false, rank: 0 }), T0)).toMatchObject({ list: 'retry', reason: 'not_sent', code: '130429' });
  });

  it('a row the provider refused (131009) or an unknown code: failed.csv, with the title to look at', () => {
    const refused = { ledger: 'failed' as const, ledgerCode: '131009', ledgerTitle: '(#131009) Parameter value is not valid', ledgerClass: 'row_rejected', evidence: false, rank: 0 };
    expect(decideRecipient(facts({}, refused), T0)).toEqual({ state: 'failed', list: 'failed', reason: 'rejected', code: '131009', title: '(#131009) Parameter value is not valid' });
    expect(decideRecipient(facts({}, failedEvent(999999)), T0)).toMatchObject({ state: 'failed', list: 'failed', reason: 'unknown_code', code: '999999', title: 'not in the code table' });
    expect(decideRecipient(facts({}, failedEvent(131053)), T0)).toMatchObject({ state: 'failed', list: 'failed', reason: 'rejected', code: '131053', title: 'Media upload error' });
  });

  it('a campaign-stopping code in a callback: retry.csv with its own reason and due time, not nowhere', () => {
    // 63018 (Twilio messaging limit): a day later.
    const limited = facts({ pausedFailures: 1, family: 'twilio' }, { eventFailure: { code: 63018, at: T0, family: 'twilio' } });
    expect(decideRecipient(limited, T0 + HOUR)).toMatchObject({ state: 'waiting_retry', list: 'retry', reason: 'messaging_limit', code: '63018', dueAt: T0 + DAY });
    expect(decideRecipient(limited, T0 + DAY)).toMatchObject({ state: 'retry', list: 'retry', reason: 'messaging_limit', dueAt: T0 + DAY });
    // 131048 (spam rate limit): a day later, its own reason.
    expect(decideRecipient(facts({ pausedFailures: 1 }, failedEvent(131048)), T0 + MIN)).toMatchObject({ list: 'retry', reason: 'spam_rate_limit', dueAt: T0 + MIN + DAY });
    // 63020 (invitation not accepted): due as soon as it is fixed.
    const invitation = facts({ pausedFailures: 1, family: 'twilio' }, { eventFailure: { code: 63020, at: T0, family: 'twilio' } });
    expect(decideRecipient(invitation, T0 + MIN)).toMatchObject({ state: 'retry', list: 'retry', reason: 'business_manager', dueAt: T0 });
    // Not for ever: after the rounds, SMS.
    expect(decideRecipient(facts({ pausedFailures: 4 }, failedEvent(190)), T0 + MIN)).toMatchObject({ list: 'sms_fallback', reason: 'retries_exhausted' });
  });
});

// Survivors of the mutation run over decide-recipient.ts (TESTING.md "Surviving mutants in the critical parts").
describe('decideRecipient: the edges the rules above leave open', () => {
  it('a state with no list carries no reason and no code', () => {
    expect(decideRecipient(facts({}, { rank: 3 }), T0)).toEqual({ state: 'read', list: undefined, reason: '', code: '' });
    expect(decideRecipient(facts({}, { rank: 2 }), T0)).toEqual({ state: 'delivered', list: undefined, reason: '', code: '' });
    expect(decideRecipient(facts({}, { rank: 1 }), T0)).toEqual({ state: 'sent', list: undefined, reason: '', code: '' });
  });

  it('an attempt never made, or in doubt, without a code: the code is empty, never made up', () => {
    expect(decideRecipient(facts({}, { ledger: 'retry', outcomeAt: T0 + MIN, evidence: false, rank: 0 }), T0 + HOUR)).toEqual({ state: 'retry', list: 'retry', reason: 'not_sent', code: '', dueAt: T0 + MIN });
    expect(decideRecipient(facts({}, { ledger: 'none', evidence: false, rank: 0 }), T0)).toEqual({ state: 'in_doubt', list: 'in_doubt', reason: 'in_doubt', code: '' });
  });

  it('the TTL runs from the accepted answer; with only a sent event as proof, from the intent', () => {
    const buffer = ttlBufferMs(THIRTY_DAYS);
    const answeredLate = facts({}, { ledger: 'accepted', intentAt: T0, outcomeAt: T0 + HOUR, rank: 1 });
    expect(decideRecipient(answeredLate, T0 + THIRTY_DAYS + buffer + 1)).toMatchObject({ state: 'sent' });
    expect(decideRecipient(answeredLate, T0 + HOUR + THIRTY_DAYS + buffer + 1)).toMatchObject({ state: 'sms_fallback', reason: 'ttl_expired' });
    const provenByEvent = facts({}, { ledger: 'in_doubt', ledgerCode: 'ETIMEDOUT', intentAt: T0, outcomeAt: T0 + HOUR, evidence: true, rank: 1 });
    expect(decideRecipient(provenByEvent, T0 + THIRTY_DAYS + buffer + 1)).toMatchObject({ state: 'sms_fallback', reason: 'ttl_expired' });
  });

  it('no status event for the run (deliveries not visible): an accepted message is never called ttl_expired', () => {
    const late = T0 + THIRTY_DAYS + ttlBufferMs(THIRTY_DAYS) + 1;
    expect(decideRecipient(facts({ deliveriesVisible: false }, { rank: 0, evidence: false }), late)).toEqual({ state: 'sent', list: undefined, reason: '', code: '' });
    expect(decideRecipient(facts({ deliveriesVisible: true }, { rank: 0, evidence: false }), late)).toMatchObject({ state: 'sms_fallback', reason: 'ttl_expired' });
  });

  it('a failed status without an error code (code -1 from the scanner): no code, failed.csv, said so', () => {
    expect(decideRecipient(facts({}, failedEvent(-1)), T0 + MIN)).toEqual({ state: 'failed', list: 'failed', reason: 'unknown_code', code: '', title: 'a failure without an error code' });
    const noCode = { ledger: 'failed' as const, ledgerCode: undefined, evidence: false, rank: 0 };
    expect(decideRecipient(facts({}, noCode), T0)).toEqual({ state: 'failed', list: 'failed', reason: 'unknown_code', code: '', title: 'a failure without an error code' });
  });

  it('a ledger code is looked up only when it is digits and nothing else', () => {
    for (const ledgerCode of [' 131026', '131026 ', '131026\n']) {
      const odd = { ledger: 'failed' as const, ledgerCode, evidence: false, rank: 0 };
      expect(decideRecipient(facts({}, odd), T0)).toEqual({ state: 'failed', list: 'failed', reason: 'unknown_code', code: ledgerCode, title: 'not in the code table' });
    }
  });

  it('a retry due exactly at the TTL’s end is still a retry; a millisecond later it is SMS', () => {
    const end = T0 + THIRTY_DAYS;
    expect(decideRecipient(facts({ pausedFailures: 1 }, failedEvent(132015, end)), end)).toEqual({ state: 'retry', list: 'retry', reason: 'template_paused', code: '132015', dueAt: end });
    expect(decideRecipient(facts({ pausedFailures: 1 }, failedEvent(132015, end)), end + 1)).toMatchObject({ state: 'sms_fallback', reason: 'retries_exhausted' });
  });

  it('an SMS-fallback class with no reason of its own (send recorded the class, the table has no row): not_on_whatsapp', () => {
    const answered = { ledger: 'failed' as const, ledgerCode: '999999', ledgerClass: 'sms_fallback', evidence: false, rank: 0 };
    expect(decideRecipient(facts({}, answered), T0)).toEqual({ state: 'sms_fallback', list: 'sms_fallback', reason: 'not_on_whatsapp', code: '999999' });
  });

  it('the transient waits double exactly: 30 min, 1 h, 2 h after the failure', () => {
    const gaveUp = (n: number) => facts({ transientFailures: n }, { ledger: 'failed', ledgerCode: '131000', ledgerClass: 'transient', evidence: false, rank: 0, outcomeAt: T0 });
    expect([1, 2, 3].map((n) => decideRecipient(gaveUp(n), T0 + MIN))).toEqual([30 * MIN, HOUR, 2 * HOUR].map((wait) => ({ state: 'waiting_retry', list: 'retry', reason: 'transient', code: '131000', dueAt: T0 + wait })));
  });

  it('held back for a campaign-level cause: the third round is still retried, the fourth is SMS', () => {
    for (const [code, family] of [[132015, 'meta'], [63020, 'twilio']] as const) {
      const round = (n: number) => decideRecipient(facts({ pausedFailures: n, family }, failedEvent(code, T0, family)), T0 + MIN);
      expect(round(3)).toMatchObject({ state: 'retry', list: 'retry' });
      expect(round(4)).toMatchObject({ state: 'sms_fallback', reason: 'retries_exhausted', code: String(code) });
    }
  });

  it('a known class no list acts on (the marketing route refused): failed.csv, reason failed, the table’s title', () => {
    const refused = { ledger: 'failed' as const, ledgerCode: '131063', ledgerClass: 'route_marketing', evidence: false, rank: 0 };
    expect(decideRecipient(facts({}, refused), T0)).toEqual({ state: 'failed', list: 'failed', reason: 'failed', code: '131063', title: 'Marketing templates disabled for Cloud API' });
  });
});

describe('decideRecipient: the class send could not name', () => {
  it('a failure send recorded as class unknown (an answer no table explains) is unknown_code, with send’s title', () => {
    const unexplained = { ledger: 'failed' as const, ledgerCode: '999999', ledgerTitle: 'HTTP 500', ledgerClass: 'unknown', evidence: false, rank: 0 };
    expect(decideRecipient(facts({}, unexplained), T0)).toEqual({ state: 'failed', list: 'failed', reason: 'unknown_code', code: '999999', title: 'HTTP 500' });
  });
});

describe('isHeldBackClass, isTransientClass: which failures count towards which rounds', () => {
  const classes = ['throttle', 'pair_rate', 'transient', 'stop_campaign', 'row_rejected', 'retry_later', 'sms_fallback', 'opted_out', 'template_paused', 'route_marketing', 'route_messages', '', undefined];
  it('held back: a paused template and a campaign-level stop, nothing else', () => {
    expect(classes.filter(isHeldBackClass)).toEqual(['stop_campaign', 'template_paused']);
  });
  it('transient: transient trouble, throttling and the pair rate, nothing else', () => {
    expect(classes.filter(isTransientClass)).toEqual(['throttle', 'pair_rate', 'transient']);
  });
});
