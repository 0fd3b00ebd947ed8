import { describe, expect, it } from 'vitest';
import { DailyAllowance } from '../../src/campaign/daily-allowance.js';
import type { LedgerRecord, OutcomeState } from '../../src/ledger/ledger-records.js';
import { intentFor, outcomeFor } from '../ledger-record-builders.js';
import type { LedgerLine } from '../../src/ledger/read-ledger.js';
import { DAY_MS, recentRecipients } from '../../src/ledger/recent-recipients.js';

async function* lines(records: LedgerRecord[]): AsyncGenerator<LedgerLine> {
  let line = 0;
  for (const record of records) yield { record, line: ++line } as LedgerLine;
}
const at = (hour: number) => new Date(Date.UTC(2026, 10, 24, hour)).toISOString();
const intent = (cid: string, phone: string, hour: number): LedgerRecord => intentFor(phone, { cid, at: at(hour) });
const outcome = (cid: string, phone: string, state: OutcomeState, hour: number): LedgerRecord => outcomeFor(phone, state, { cid, at: at(hour) });

describe('who the ledger messaged in the last 24 h (send --daily-limit)', () => {
  it('accepted and in-doubt attempts in the window count, once per recipient; failed, throttled and older ones do not', async () => {
    const recent = await recentRecipients(
      lines([
        intent('a1', '+441', 1), outcome('a1', '+441', 'accepted', 1), // before the window
        intent('b1', '+442', 10), outcome('b1', '+442', 'accepted', 10),
        intent('b2', '+442', 12), outcome('b2', '+442', 'accepted', 12), // the same person again: once, at 12
        intent('c1', '+443', 11), outcome('c1', '+443', 'failed', 11),
        intent('d1', '+444', 11), outcome('d1', '+444', 'retry', 11),
        intent('e1', '+445', 13), // no outcome: in doubt, may have gone
        intent('f1', '+446', 14), outcome('f1', '+446', 'in_doubt', 14),
      ]),
      Date.parse(at(5)),
    );
    expect([...recent.phones].sort()).toEqual(['+442', '+445', '+446']);
    expect(recent.times).toEqual([Date.parse(at(12)), Date.parse(at(13)), Date.parse(at(14))]);
  });

  it('the window starts at `since` exactly; an outcome whose intent is outside it (or unknown) counts nobody', async () => {
    const since = Date.parse(at(5));
    const before = new Date(since - 1).toISOString();
    const recent = await recentRecipients(
      lines([
        intentFor('+441', { cid: 'a1', at: at(5) }), outcomeFor('+441', 'accepted', { cid: 'a1', at: at(5) }),
        intentFor('+442', { cid: 'b1', at: before }), outcomeFor('+442', 'accepted', { cid: 'b1', at: at(6) }),
        outcomeFor('+443', 'accepted', { cid: 'c1', at: at(6) }),
        intentFor('+444', { cid: 'd1', at: before }),
      ]),
      since,
    );
    expect([[...recent.phones], recent.times]).toEqual([['+441'], [since]]);
  });

  it('the window send --daily-limit reads back is 24 hours', () => {
    expect(DAY_MS).toBe(Date.parse('2026-11-25T10:00:00Z') - Date.parse('2026-11-24T10:00:00Z'));
  });

  it('the allowance: recipients already counted go free, each new one takes a place until none is left', () => {
    const allowance = new DailyAllowance(3, new Set(['+442', '+445']));
    expect(['+446', '+442', '+447', '+445', '+448'].map((phone) => allowance.take(phone))).toEqual([true, true, false, true, false]);
    expect(allowance.held).toBe(2);
  });
});
