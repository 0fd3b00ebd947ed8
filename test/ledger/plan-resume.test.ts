import { describe, expect, it } from 'vitest';
import { NOT_SENT_CODE, type LedgerRecord, type RunRecord } from '../../src/ledger/ledger-records.js';
import { RecipientState, attemptsOf, pack, planResume, resumeDecision, stateOf } from '../../src/ledger/plan-resume.js';
import type { LedgerLine } from '../../src/ledger/read-ledger.js';
import { intentFor, outcomeFor } from '../ledger-record-builders.js';
import { runRecord } from '../reconcile/events.js';

async function* lines(records: LedgerRecord[]): AsyncGenerator<LedgerLine> {
  let line = 0;
  for (const record of records) yield { line: ++line, record };
}
const plan = (records: LedgerRecord[]) => planResume(lines(records));
const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 10, minute)).toISOString();

describe('planResume: the runs', () => {
  it('keeps the last run, the last run of the campaign’s own CSV, and how many runs there were', async () => {
    const campaign = runRecord({ run: 'r1' }) as RunRecord;
    const campaignAgain = runRecord({ run: 'r2' }) as RunRecord;
    const retryList = runRecord({ run: 'r3', retry_list: true }) as RunRecord;
    const withRetry = await plan([campaign, intentFor('+441'), campaignAgain, retryList]);
    expect([withRetry.lastRun, withRetry.lastCampaignRun, withRetry.runs]).toEqual([retryList, campaignAgain, 3]);
    const onlyRetry = await plan([retryList]);
    expect([onlyRetry.lastRun, onlyRetry.lastCampaignRun, onlyRetry.runs]).toEqual([retryList, undefined, 1]);
    const none = await plan([]);
    expect([none.lastRun, none.lastCampaignRun, none.runs]).toEqual([undefined, undefined, 0]);
  });
});

describe('planResume: each recipient’s state and attempts', () => {
  it('counts intents as attempts; an outcome keeps the count, and one without an intent counts as one attempt', async () => {
    const { recipients } = await plan([
      intentFor('+441'), outcomeFor('+441', 'retry', { code: '130429' }),
      intentFor('+441', { attempt: 2 }), outcomeFor('+441', 'retry', { attempt: 2, code: '130429' }),
      intentFor('+441', { attempt: 3 }),
      outcomeFor('+442', 'failed', { code: '131026' }),
    ]);
    expect(recipients.get('+441')).toBe(pack(RecipientState.InDoubt, 3));
    expect(recipients.get('+442')).toBe(pack(RecipientState.Failed, 1));
  });

  it('maps each outcome to its state', async () => {
    const states = ['accepted', 'failed', 'retry', 'in_doubt'] as const;
    const { recipients } = await plan(states.flatMap((state, i) => [intentFor(`+44${i}`), outcomeFor(`+44${i}`, state)]));
    expect(states.map((_, i) => stateOf(recipients.get(`+44${i}`)))).toEqual([RecipientState.Accepted, RecipientState.Failed, RecipientState.Retry, RecipientState.InDoubt]);
  });

  it('packs state and attempts in one number, 0 meaning nobody', () => {
    expect(pack(RecipientState.Retry, 3)).toBe(3 * 8 + 4);
    expect([stateOf(28), attemptsOf(28)]).toEqual([RecipientState.Retry, 3]);
    expect([stateOf(pack(RecipientState.InDoubt, 1)), attemptsOf(pack(RecipientState.InDoubt, 1))]).toEqual([RecipientState.InDoubt, 1]);
    expect([stateOf(0), attemptsOf(0)]).toEqual([undefined, 0]);
  });
});

describe('planResume: when the last request of a throttled recipient ended', () => {
  it('a retry sets it, a later retry moves it, a settled outcome clears it', async () => {
    const { lastRetryAt } = await plan([
      intentFor('+441', { at: at(0) }), outcomeFor('+441', 'retry', { at: at(1), code: '130429' }),
      intentFor('+441', { at: at(2), attempt: 2 }), outcomeFor('+441', 'retry', { at: at(3), attempt: 2, code: '130429' }),
      intentFor('+442', { at: at(0) }), outcomeFor('+442', 'retry', { at: at(1), code: '130429' }),
      intentFor('+442', { at: at(2), attempt: 2 }), outcomeFor('+442', 'accepted', { at: at(3), attempt: 2, message_id: 'wamid.B' }),
      intentFor('+443', { at: at(0) }), outcomeFor('+443', 'retry', { at: at(1), code: '130429' }),
      intentFor('+443', { at: at(2), attempt: 2 }), outcomeFor('+443', 'in_doubt', { at: at(3), attempt: 2, code: 'timeout' }),
    ]);
    expect([...lastRetryAt]).toEqual([['+441', Date.parse(at(3))]]);
  });

  it('a not_sent retry (no request made) keeps the time of the attempt before it, or sets none', async () => {
    const { lastRetryAt } = await plan([
      intentFor('+441', { at: at(0) }), outcomeFor('+441', 'retry', { at: at(1), code: '130429' }),
      intentFor('+441', { at: at(5), attempt: 2 }), outcomeFor('+441', 'retry', { at: at(6), attempt: 2, code: NOT_SENT_CODE }),
      intentFor('+442', { at: at(5) }), outcomeFor('+442', 'retry', { at: at(6), code: NOT_SENT_CODE }),
    ]);
    expect([...lastRetryAt]).toEqual([['+441', Date.parse(at(1))]]);
  });
});

describe('planResume: the not_sent code as ledgers hold it', () => {
  it('a retry whose code is the text "not_sent" (README "The ledger") starts no pair gap', async () => {
    const { lastRetryAt, recipients } = await plan([
      intentFor('+441', { at: at(0) }),
      { type: 'outcome', at: at(1), cid: 'r-+441-1', phone: '+441', outcome: 'retry', code: 'not_sent' },
    ]);
    expect([[...lastRetryAt], recipients.get('+441')]).toEqual([[], pack(RecipientState.Retry, 1)]);
  });
});

describe('planResume: the message ids', () => {
  it('holds every message id the outcomes record, and only those', async () => {
    const { messageIds } = await plan([
      intentFor('+441'), outcomeFor('+441', 'accepted', { message_id: 'wamid.A' }),
      intentFor('+442'), outcomeFor('+442', 'in_doubt', { message_id: 'wamid.B', code: 'duplicate_message_id' }),
      intentFor('+443'), outcomeFor('+443', 'failed', { code: '131026' }),
      intentFor('+444'), outcomeFor('+444', 'accepted', { message_id: '' }),
    ]);
    expect(messageIds.size).toBe(2);
    expect([messageIds.add('wamid.A'), messageIds.add('wamid.B'), messageIds.add('wamid.C')]).toEqual([false, false, true]);
  });
});

describe('resumeDecision', () => {
  it('without a retry list: done when accepted or failed, skipped in doubt, sent when to retry or never tried', async () => {
    const p = await plan([
      intentFor('+441'), outcomeFor('+441', 'accepted', { message_id: 'wamid.A' }),
      intentFor('+442'), outcomeFor('+442', 'failed', { code: '131026' }),
      intentFor('+443'),
      intentFor('+444'), outcomeFor('+444', 'retry', { code: '130429' }),
      intentFor('+445'), outcomeFor('+445', 'in_doubt', { code: 'timeout' }),
    ]);
    expect(['+441', '+442', '+443', '+444', '+445', '+446'].map((phone) => resumeDecision(p, phone))).toEqual(['done', 'done', 'in_doubt', 'send', 'in_doubt', 'send']);
  });

  it('with a retry list: its attempts count decides when it is the ledger’s; more attempts in the ledger, the usual rules', async () => {
    const p = await plan([
      intentFor('+441'), outcomeFor('+441', 'accepted', { message_id: 'wamid.A' }),
      intentFor('+442'),
      intentFor('+442', { attempt: 2 }), outcomeFor('+442', 'retry', { attempt: 2, code: '130429' }),
      intentFor('+443'), intentFor('+443', { attempt: 2 }),
    ]);
    // As many attempts as the list says: the retry it asks for, whatever the state.
    expect([resumeDecision(p, '+441', 1), resumeDecision(p, '+442', 2), resumeDecision(p, '+443', 2)]).toEqual(['send', 'send', 'send']);
    // Fewer in the ledger than the list says: not this ledger's list.
    expect([resumeDecision(p, '+441', 2), resumeDecision(p, '+446', 1)]).toEqual(['done', 'done']);
    // More in the ledger: the retry was made; the usual rules.
    expect([resumeDecision(p, '+441', 0), resumeDecision(p, '+442', 1), resumeDecision(p, '+443', 1)]).toEqual(['done', 'send', 'in_doubt']);
  });
});
