import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { ledgerRecordProblem } from '../../src/ledger/ledger-records.js';
import { parseRecord } from '../../src/ledger/read-ledger.js';
import { accepted, intent, outcome, runRecord } from '../reconcile/events.js';

const goodIntent = intent('+447400123456', 'r1-2-1', 1, { phone: '+447400123456', opt_in: 'yes' }) as unknown as Record<string, unknown>;
const goodOutcome = accepted('+447400123456', 'r1-2-1', 'wamid.A') as unknown as Record<string, unknown>;
const goodRun = runRecord() as unknown as Record<string, unknown>;
const without = (record: Record<string, unknown>, name: string) => Object.fromEntries(Object.entries(record).filter(([key]) => key !== name));

describe('ledgerRecordProblem: one check for every reader of a ledger', () => {
  it('accepts what send writes', () => {
    expect(ledgerRecordProblem(goodRun)).toBeUndefined();
    expect(ledgerRecordProblem(goodIntent)).toBeUndefined();
    expect(ledgerRecordProblem(without(goodIntent, 'row'))).toBeUndefined();
    expect(ledgerRecordProblem(goodOutcome)).toBeUndefined();
    expect(ledgerRecordProblem(outcome('+447400123456', 'c', 'failed', '131026', 'sms_fallback'))).toBeUndefined();
    expect(ledgerRecordProblem({ ...goodRun, retry_list: true, later_field: 'ignored' })).toBeUndefined();
    // What earlier versions wrote from a provider's odd answer stays readable.
    expect(ledgerRecordProblem({ ...goodOutcome, message_id: '', wa_id: 447400123456, status: { odd: true } })).toBeUndefined();
  });

  it.each([
    ['an intent with nothing but its type', { type: 'intent' }, 'intent record without "at"'],
    ['an intent without a phone', without(goodIntent, 'phone'), 'intent record without "phone"'],
    ['a numeric phone', { ...goodIntent, phone: 447400123456 }, 'intent record\'s "phone" is the number 447400123456, not a +E.164 number as a string'],
    ['a phone that is not E.164', { ...goodIntent, phone: '07400 123456' }, 'intent record\'s "phone" is "07400 123456", not a +E.164 number as a string'],
    ['a time that is not a date', { ...goodIntent, at: 'not a date' }, 'intent record\'s "at" is "not a date", not an ISO-8601 time'],
    ['an ISO-looking time that is not one', { ...goodOutcome, at: '2026-13-45T99:00:00Z' }, 'outcome record\'s "at" is "2026-13-45T99:00:00Z", not an ISO-8601 time'],
    ['attempt 0', { ...goodIntent, attempt: 0 }, 'intent record\'s "attempt" is the number 0, not a positive integer'],
    ['attempt 1.5', { ...goodIntent, attempt: 1.5 }, 'intent record\'s "attempt" is the number 1.5, not a positive integer'],
    ['attempt as text', { ...goodIntent, attempt: '1' }, 'intent record\'s "attempt" is "1", not a positive integer'],
    ['a row that is a list', { ...goodIntent, row: ['a'] }, 'intent record\'s "row" is a list, not an object of column → text'],
    ['a row with a number in it', { ...goodIntent, row: { phone: '+447400123456', age: 40 } }, 'intent record\'s "row" is an object, not an object of column → text'],
    ['an empty correlation id', { ...goodIntent, cid: '' }, 'intent record\'s "cid" is "", not a non-empty string'],
    ['an unknown outcome', { ...goodOutcome, outcome: 'delivered' }, 'outcome record\'s "outcome" is "delivered", not one of accepted, failed, in_doubt, retry'],
    ['an outcome without its outcome', without(goodOutcome, 'outcome'), 'outcome record without "outcome"'],
    ['a message id that is not text', { ...goodOutcome, message_id: 5 }, 'outcome record\'s "message_id" is the number 5, not a string'],
    ['a code that is a number', { ...goodOutcome, outcome: 'failed', code: 131026 }, 'outcome record\'s "code" is the number 131026, not a string'],
    ['a run of an unknown provider', { ...goodRun, provider: 'sms' }, 'run record\'s "provider" is "sms", not one of cloud, 360dialog, twilio'],
    ['a run without its TTL', without(goodRun, 'ttl_seconds'), 'run record without "ttl_seconds"'],
    ['a run with a TTL of text', { ...goodRun, ttl_seconds: '600' }, 'run record\'s "ttl_seconds" is "600", not a positive number'],
    ['a run of no known format', { ...goodRun, v: 0 }, 'run record\'s "v" is the number 0, not format version 1'],
    ['an unknown type', { type: 'note' }, 'unknown record type "note"'],
    ['no type', { phone: '+447400123456' }, 'a record without a "type"'],
    ['a list', [1, 2], 'not a ledger record (a list)'],
    ['null', null, 'not a ledger record (null)'],
    ['a number', 42, 'not a ledger record (the number 42)'],
  ])('names what is wrong: %s', (_, value, problem) => {
    expect(ledgerRecordProblem(value)).toBe(problem);
  });

  it('a run of a newer format is not damage: parseRecord says to upgrade, nothing about backups', () => {
    expect(() => parseRecord(JSON.stringify({ ...goodRun, v: 2 }), 'c.ledger.jsonl', 1)).toThrow(
      new InputError('written by a newer wa-broadcast (ledger format 2; this one reads format 1): upgrade wa-broadcast to use this ledger', { file: 'c.ledger.jsonl', line: 1 }),
    );
  });

  it('takes as a time only what Date.parse reads as one (reconcile parses it without a second check)', () => {
    const accepted = ['2026-11-17T08:00:01.000Z', '2026-11-17T08:00:01Z', '2026-02-31T23:59:59.999999Z', '2026-12-31T24:00:00Z', '2026-11-17T08:00:01+05:30', '0001-01-01T00:00:00Z'];
    const refused = ['2026-11-17', '2026-11-17 08:00:01Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-11-32T00:00:00Z', '2026-11-17T25:00:00Z', '2026-11-17T08:60:00Z', '2026-11-17T08:00:01', '2026-11-17T08:00:01+24:00', ' 2026-11-17T08:00:01Z'];
    for (const at of accepted) {
      expect(ledgerRecordProblem({ ...goodIntent, at }), at).toBeUndefined();
      expect(Number.isFinite(Date.parse(at)), at).toBe(true);
    }
    for (const at of refused) expect(ledgerRecordProblem({ ...goodIntent, at }), at).toMatch(/not an ISO-8601 time$/);
  });

  it('keeps the message short whatever the value', () => {
    const problem = ledgerRecordProblem({ ...goodIntent, phone: 'x'.repeat(10_000) })!;
    expect(problem.length).toBeLessThan(120);
    expect(problem).toContain('"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"…');
  });
});
