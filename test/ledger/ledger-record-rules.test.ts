import { describe, expect, it } from 'vitest';
import { ledgerRecordProblem, newerFormat, runTtlSeconds } from '../../src/ledger/ledger-records.js';
import { accepted, intent, outcome, runRecord } from '../reconcile/events.js';

// Every field of every record type, one by one: what a missing one is called, and what a value of
// the wrong kind is called (the message a user reads, exactly). ledger-records.test.ts has the
// cases a damaged ledger shows most; these are the rest of the rules' table.

type Fields = Record<string, unknown>;
const run = runRecord() as unknown as Fields;
const goodIntent = intent('+447400123456', 'r1-2-1', 1, { phone: '+447400123456' }) as unknown as Fields;
const goodOutcome: Fields = { ...(accepted('+447400123456', 'r1-2-1', 'wamid.A') as unknown as Fields), code: 'x', title: 't', class: 'c' };
const without = (record: Fields, name: string) => Object.fromEntries(Object.entries(record).filter(([key]) => key !== name));

describe('ledgerRecordProblem: each required field, missing', () => {
  it.each([
    [run, ['v', 'run', 'at', 'pid', 'provider', 'mps', 'csv', 'csv_sha256', 'template', 'template_sha256', 'template_name', 'language', 'category', 'ttl_seconds']],
    [goodIntent, ['at', 'cid', 'phone', 'line', 'attempt']],
    [goodOutcome, ['at', 'cid', 'phone', 'outcome']],
  ] as [Fields, string[]][])('%#: named when missing', (record, names) => {
    expect(names.map((name) => ledgerRecordProblem(without(record, name)))).toEqual(names.map((name) => `${record.type} record without "${name}"`));
  });

  it('the optional fields may be left out', () => {
    for (const name of ['template_ttl_seconds', 'phone_column', 'opt_in_column', 'retry_list', 'route']) expect(ledgerRecordProblem(without(run, name)), name).toBeUndefined();
    expect(ledgerRecordProblem(without(goodIntent, 'row'))).toBeUndefined();
    for (const name of ['message_id', 'wa_id', 'status', 'code', 'title', 'class']) expect(ledgerRecordProblem(without(goodOutcome, name)), name).toBeUndefined();
  });
});

describe('ledgerRecordProblem: each field, of the wrong kind', () => {
  it.each([
    ['run', { ...run, v: '1' }, 'run record\'s "v" is "1", not format version 1'],
    ['run', { ...run, run: '' }, 'run record\'s "run" is "", not a non-empty string'],
    ['run', { ...run, run: 7 }, 'run record\'s "run" is the number 7, not a non-empty string'],
    ['run', { ...run, at: '2026-11-17' }, 'run record\'s "at" is "2026-11-17", not an ISO-8601 time'],
    ['run', { ...run, at: 20261117 }, 'run record\'s "at" is the number 20261117, not an ISO-8601 time'],
    ['run', { ...run, pid: 1.5 }, 'run record\'s "pid" is the number 1.5, not an integer'],
    ['run', { ...run, mps: 0 }, 'run record\'s "mps" is the number 0, not a positive number'],
    ['run', { ...run, mps: -80 }, 'run record\'s "mps" is the number -80, not a positive number'],
    ['run', { ...run, csv: 1 }, 'run record\'s "csv" is the number 1, not a string'],
    ['run', { ...run, csv_sha256: null }, 'run record\'s "csv_sha256" is null, not a string'],
    ['run', { ...run, template: false }, 'run record\'s "template" is boolean false, not a string'],
    ['run', { ...run, template_sha256: [] }, 'run record\'s "template_sha256" is a list, not a string'],
    ['run', { ...run, template_name: {} }, 'run record\'s "template_name" is an object, not a string'],
    ['run', { ...run, language: 2 }, 'run record\'s "language" is the number 2, not a string'],
    ['run', { ...run, category: 3 }, 'run record\'s "category" is the number 3, not a string'],
    ['run', { ...run, ttl_seconds: 0 }, 'run record\'s "ttl_seconds" is the number 0, not a positive number'],
    ['run', { ...run, template_ttl_seconds: -1 }, 'run record\'s "template_ttl_seconds" is the number -1, not a positive number'],
    ['run', { ...run, template_ttl_seconds: '600' }, 'run record\'s "template_ttl_seconds" is "600", not a positive number'],
    ['run', { ...run, phone_column: 4 }, 'run record\'s "phone_column" is the number 4, not a string'],
    ['run', { ...run, opt_in_column: 5 }, 'run record\'s "opt_in_column" is the number 5, not a string'],
    ['run', { ...run, retry_list: 'yes' }, 'run record\'s "retry_list" is "yes", not true or false'],
    ['intent', { ...goodIntent, cid: 9 }, 'intent record\'s "cid" is the number 9, not a non-empty string'],
    ['intent', { ...goodIntent, line: 0 }, 'intent record\'s "line" is the number 0, not a positive integer'],
    ['intent', { ...goodIntent, line: 2 ** 53 }, 'intent record\'s "line" is the number 9007199254740992, not a positive integer'],
    ['intent', { ...goodIntent, attempt: -1 }, 'intent record\'s "attempt" is the number -1, not a positive integer'],
    ['intent', { ...goodIntent, row: null }, 'intent record\'s "row" is null, not an object of column → text'],
    ['intent', { ...goodIntent, row: 'phone' }, 'intent record\'s "row" is "phone", not an object of column → text'],
    ['intent', { ...goodIntent, row: { a: { b: 'c' } } }, 'intent record\'s "row" is an object, not an object of column → text'],
    ['outcome', { ...goodOutcome, cid: '' }, 'outcome record\'s "cid" is "", not a non-empty string'],
    ['outcome', { ...goodOutcome, phone: '+0123' }, 'outcome record\'s "phone" is "+0123", not a +E.164 number as a string'],
    ['outcome', { ...goodOutcome, outcome: 'sent' }, 'outcome record\'s "outcome" is "sent", not one of accepted, failed, in_doubt, retry'],
    ['outcome', { ...goodOutcome, outcome: 1 }, 'outcome record\'s "outcome" is the number 1, not one of accepted, failed, in_doubt, retry'],
    ['outcome', { ...goodOutcome, title: 1 }, 'outcome record\'s "title" is the number 1, not a string'],
    ['outcome', { ...goodOutcome, class: true }, 'outcome record\'s "class" is boolean true, not a string'],
  ])('%s: %j', (_, value, problem) => {
    expect(ledgerRecordProblem(value)).toBe(problem);
  });

  it('a positive number is finite; a positive integer is a safe integer', () => {
    expect(ledgerRecordProblem({ ...run, mps: Number.POSITIVE_INFINITY })).toBe('run record\'s "mps" is the number Infinity, not a positive number');
    expect(ledgerRecordProblem({ ...run, mps: Number.NaN })).toBe('run record\'s "mps" is the number NaN, not a positive number');
    expect(ledgerRecordProblem({ ...run, mps: 0.5, ttl_seconds: 1, template_ttl_seconds: 1, pid: -3 })).toBeUndefined();
    expect(ledgerRecordProblem({ ...goodIntent, line: 2 ** 53 - 1, attempt: 1 })).toBeUndefined();
  });

  it('accepts every value the rules allow: an empty row, any text in a row, both values of retry_list, empty strings where text is allowed', () => {
    expect(ledgerRecordProblem({ ...goodIntent, row: {} })).toBeUndefined();
    expect(ledgerRecordProblem({ ...goodIntent, row: { '': '', note: 'x'.repeat(100) } })).toBeUndefined();
    expect(ledgerRecordProblem({ ...run, retry_list: false })).toBeUndefined();
    expect(ledgerRecordProblem({ ...run, csv: '', csv_sha256: '', template: '', template_sha256: '', template_name: '', language: '', category: '' })).toBeUndefined();
    for (const state of ['accepted', 'failed', 'in_doubt', 'retry']) expect(ledgerRecordProblem({ ...goodOutcome, outcome: state }), state).toBeUndefined();
    expect(ledgerRecordProblem(outcome('+447400123456', 'c', 'retry', '', ''))).toBeUndefined();
  });

  it('the first problem is the one named, in the order of the rules', () => {
    expect(ledgerRecordProblem({ type: 'run' })).toBe('run record without "v"');
    expect(ledgerRecordProblem({ type: 'outcome', at: 'x', cid: '' })).toBe('outcome record\'s "at" is "x", not an ISO-8601 time');
    expect(ledgerRecordProblem({ ...goodIntent, cid: '', phone: 1 })).toBe('intent record\'s "cid" is "", not a non-empty string');
  });
});

describe('describing a value in a problem', () => {
  it('a string of exactly 40 characters whole, one of 41 cut at 40', () => {
    const forty = 'y'.repeat(40);
    expect(ledgerRecordProblem({ ...goodIntent, phone: forty })).toBe(`intent record's "phone" is "${forty}", not a +E.164 number as a string`);
    expect(ledgerRecordProblem({ ...goodIntent, phone: `${forty}z` })).toBe(`intent record's "phone" is "${forty}"…, not a +E.164 number as a string`);
  });

  it('types without a value of their own', () => {
    expect(ledgerRecordProblem({ type: {} })).toBe('unknown record type an object');
    expect(ledgerRecordProblem({ type: ['run'] })).toBe('unknown record type a list');
    expect(ledgerRecordProblem({ type: null })).toBe('unknown record type null');
    expect(ledgerRecordProblem(true)).toBe('not a ledger record (boolean true)');
    expect(ledgerRecordProblem('run')).toBe('not a ledger record ("run")');
  });
});

describe('ISO_TIME: the whole value is a time', () => {
  it('nothing after the time (its end is anchored, as its start is)', () => {
    for (const at of ['2026-11-17T08:00:01.000Z ', '2026-11-17T08:00:01.000Zjunk', '2026-11-17T08:00:01Z\n', '2026-11-17T08:00:01+05:30:00']) {
      expect(ledgerRecordProblem({ ...goodIntent, at }), at).toBe(`intent record's "at" is ${JSON.stringify(at)}, not an ISO-8601 time`);
    }
  });
});

describe('newerFormat', () => {
  it('is the version of a run record newer than this one reads, and nothing else', () => {
    expect(newerFormat({ ...run, v: 2 })).toBe(2);
    expect(newerFormat({ ...run, v: 1 })).toBeUndefined();
    expect(newerFormat({ ...run, v: '2' })).toBeUndefined();
    expect(newerFormat({ ...goodIntent, v: 2 })).toBeUndefined();
    expect(newerFormat(null)).toBeUndefined();
    expect(newerFormat(undefined)).toBeUndefined();
  });
});

describe('runTtlSeconds: the TTL reconcile applies to a run', () => {
  const ttl = (over: Partial<Parameters<typeof runTtlSeconds>[0]>) => runTtlSeconds({ ttl_seconds: 2592000, category: 'marketing', ...over });
  it('the spec’s without a template TTL', () => {
    expect(ttl({})).toBe(2592000);
    expect(ttl({ category: 'utility', route: 'messages' })).toBe(2592000);
  });

  it('the template’s, but for marketing templates sent other than through the Marketing Messages API', () => {
    expect(ttl({ template_ttl_seconds: 600, route: 'marketing_messages' })).toBe(600);
    expect(ttl({ template_ttl_seconds: 600, route: 'messages' })).toBe(2592000);
    expect(ttl({ template_ttl_seconds: 600 })).toBe(2592000);
    expect(ttl({ template_ttl_seconds: 600, category: 'utility', route: 'messages' })).toBe(600);
    expect(ttl({ template_ttl_seconds: 600, category: 'authentication' })).toBe(600);
  });
});
