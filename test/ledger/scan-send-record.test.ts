import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendRecordScanner } from '../../src/ledger/scan-send-record.js';
import { viaParse } from './parsed-record.js';

// One scanner for every line, as reconcile reads a ledger: it keeps the last row's column names.
const scanner = new SendRecordScanner();
/** The line scanned where it lies in a buffer, between other bytes (as in the reader's). */
const scanSendRecord = (line: string) => {
  const buffer = Buffer.concat([Buffer.from('{"x":1}\n'), Buffer.from(line), Buffer.from('\n{"type":"intent"}')]);
  return scanner.scan(buffer, 8, 8 + Buffer.byteLength(line));
};

const intent = (row?: Record<string, string>, cid = 'r1-2-1', at = '2026-11-17T08:00:01.000Z') => JSON.stringify({ type: 'intent', at, cid, phone: '+447400123456', line: 2, attempt: 1, ...(row ? { row } : {}) });
const accepted = (fields: Record<string, unknown>) => JSON.stringify({ type: 'outcome', at: '2026-11-17T08:00:01.100Z', cid: 'r1-2-1', phone: '+447400123456', outcome: 'accepted', ...fields });

describe('scanSendRecord: the ledger lines send writes, read without JSON.parse', () => {
  it('reads send’s intents and accepted outcomes as parseRecord does', () => {
    for (const line of [
      intent({ phone: '+447400123456', opt_in: 'yes', first_name: 'Chloé 🌸', note: 'say "hi"\\ \n\t\u0001' }),
      intent({}),
      intent(),
      intent({ constructor: 'x', __proto__: 'y', '': 'empty name' }),
      accepted({ message_id: 'wamid.A', wa_id: '447400123456', status: 'accepted' }),
      accepted({ message_id: 'wamid.A', status: 'held_for_quality_assessment "x"' }),
      accepted({}),
    ]) {
      expect(scanSendRecord(line), line).toEqual(viaParse(line));
    }
  });

  it('leaves to JSON.parse every line it would read otherwise: index-like columns (they come first in a parsed row), escapes in values it uses, other key orders, spacing, other records', () => {
    const others = [
      intent({ first_name: 'Ana', 2024: 'yes' }),
      intent({ 'first"name': 'Ana' }),
      intent({ phone: '+4474' }, 'r1\\u0032'),
      intent(undefined, 'r1-"2"-1'),
      accepted({ message_id: 'wamid."A"' }),
      accepted({ wa_id: 447400123456 }),
      accepted({ message_id: 'wamid.A', code: 'x' }),
      JSON.stringify({ type: 'outcome', at: '2026-11-17T08:00:01.100Z', cid: 'c', phone: '+447400123456', outcome: 'failed', code: '131026' }),
      JSON.stringify({ at: '2026-11-17T08:00:01.000Z', type: 'intent', cid: 'c', phone: '+447400123456', line: 2, attempt: 1 }),
      intent().replace('"line":2', '"line":2.0'),
      intent().replace('"line":2', '"line": 2'),
      intent({ a: 'b' }).replace('}}', '},"later":1}'),
      '{"type":"run","v":1}',
    ];
    for (const line of others) expect(scanSendRecord(line), line).toBeUndefined();
    // A line it does not read is still read by parseRecord: nothing is lost.
    expect(viaParse(others[0]!)).toMatchObject({ columns: ['2024', 'first_name'] });
  });

  it('never reads a line otherwise than parseRecord (generated rows, ids and times; a property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    const cell = fc.oneof(text, fc.constantFrom('2024', '0', '__proto__', 'constructor', '"', '\\', '\u0000', ''));
    // Times as send writes them (from year 0 to 9999), and the other ISO shapes a ledger may hold: the scan's own arithmetic against Date.parse.
    const time = fc.oneof(
      fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2026-02-31T10:00:00.000Z', '2026-11-17T24:00:00.000Z', '2026-11-17T24:00:01.000Z', '2026-11-17T08:00:01Z', '2026-11-17T08:00:01.123456789Z', '2026-11-17T08:00:01.000+05:30', '1969-12-31T23:59:59.999Z', '2026-11-17 08:00:01.000Z', '2026-13-17T08:00:01.000Z'),
    );
    const line = fc.oneof(
      fc.record({ row: fc.option(fc.dictionary(cell, text, { maxKeys: 6 }), { nil: undefined }), cid: fc.oneof(text.filter((t) => t !== ''), fc.constant('r1-2-1')), at: time }).map(({ row, cid, at }) => intent(row, cid, at)),
      fc.record({ message_id: fc.option(fc.oneof(text, fc.constant('wamid.HBgL')), { nil: undefined }), wa_id: fc.option(fc.oneof(text, fc.constant('447400123456')), { nil: undefined }), status: fc.option(text, { nil: undefined }) }).map((fields) => accepted(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)))),
    );
    let scanned = 0;
    fc.assert(
      fc.property(line, (l) => {
        const result = scanSendRecord(l);
        if (result !== undefined) {
          scanned++;
          expect(result).toEqual(viaParse(l));
        }
      }),
      { numRuns: 500 },
    );
    // Most generated lines are send's plain shape: the fast reading is what is tested, not skipped.
    expect(scanned).toBeGreaterThan(250);
  });

  it('scanSpans: where scan reads a line with ASCII values, the same values at its spans; none where a value used is not ASCII', () => {
    const spansOf = (line: string) => {
      const buffer = Buffer.concat([Buffer.from('{"x":1}\n'), Buffer.from(line)]);
      const found = new SendRecordScanner().scanSpans(buffer, 8, buffer.length);
      if (!found) return undefined;
      const value = (start: number, end: number) => buffer.toString('utf8', start, end);
      const common = { type: found.type, at: found.at, cid: value(found.cidStart, found.cidEnd), phone: value(found.phoneStart, found.phoneEnd) };
      if (found.type === 'intent') return { ...common, columns: found.columns };
      return { ...common, outcome: 'accepted', message_id: found.hasMessageId ? value(found.messageIdStart, found.messageIdEnd) : undefined, wa_id: found.hasWaId ? value(found.waIdStart, found.waIdEnd) : undefined };
    };
    for (const line of [intent({ phone: '+447400123456', first_name: 'Chloé 🌸' }), intent(), accepted({ message_id: 'wamid.A', wa_id: '447400123456', status: 'accepted' }), accepted({ wa_id: '1' }), accepted({ message_id: '' }), accepted({})]) {
      expect(spansOf(line), line).toEqual(viaParse(line));
    }
    for (const line of [intent(undefined, 'r1-2-é'), accepted({ message_id: 'wamid.é' }), accepted({ wa_id: '4474é' }), intent(undefined, 'r1-2-1', '2026-11-17T08:00:01.000+00:00'.replace('+00:00', 'X'))]) {
      expect(spansOf(line), line).toBeUndefined();
    }
    // scan reads the first three (a string decoded from UTF-8): scanSpans leaves them to be parsed.
    expect(scanSendRecord(intent(undefined, 'r1-2-é'))).toEqual(viaParse(intent(undefined, 'r1-2-é')));
  });

  it('works times out from their digits across days, months and years as Date.parse does', () => {
    for (const at of ['2026-11-17T08:00:01.000Z', '2026-11-17T23:59:59.999Z', '2026-11-18T00:00:00.000Z', '2026-02-31T12:00:00.500Z', '2025-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2026-11-17T08:00:01.001Z']) {
      expect(scanner.scan(Buffer.from(intent(undefined, 'r1-2-1', at)))?.at, at).toBe(Date.parse(at));
    }
  });
});
