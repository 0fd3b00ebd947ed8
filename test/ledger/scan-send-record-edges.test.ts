import { describe, expect, it } from 'vitest';
import { SendRecordScanner } from '../../src/ledger/scan-send-record.js';
import { parses, viaParse } from './parsed-record.js';

// The edges of the fast reading (scan-send-record.test.ts has its rules and a property over
// generated lines): every line send writes must be read here (not left to JSON.parse: that is the
// speed reconcile relies on), with parseRecord's values; every line that is not one must be left
// to parseRecord, which says whether it is a record at all.

/** The line scanned where it lies in a buffer, between other bytes (as in the reader's). */
function scan(line: string | Buffer, scanner = new SendRecordScanner()) {
  const bytes = Buffer.isBuffer(line) ? line : Buffer.from(line);
  const buffer = Buffer.concat([Buffer.from('{"x":1}\n'), bytes, Buffer.from('\n{"type":"intent"}')]);
  return scanner.scan(buffer, 8, 8 + bytes.length);
}

const AT = '2026-11-17T08:00:01.000Z';
const intent = (over: { at?: string; cid?: string; phone?: string; line?: string; attempt?: string; row?: string } = {}) =>
  `{"type":"intent","at":"${over.at ?? AT}","cid":"${over.cid ?? 'r1-2-1'}","phone":"${over.phone ?? '+447400123456'}","line":${over.line ?? '2'},"attempt":${over.attempt ?? '1'}${over.row === undefined ? '' : `,"row":${over.row}`}}`;
const accepted = (fields = '', over: { at?: string; cid?: string; phone?: string } = {}) =>
  `{"type":"outcome","at":"${over.at ?? AT}","cid":"${over.cid ?? 'r1-2-1'}","phone":"${over.phone ?? '+447400123456'}","outcome":"accepted"${fields}}`;

describe('scanSendRecord reads every line send writes, as parseRecord does', () => {
  it.each([
    ['the shortest phone and the longest', [intent({ phone: '+12' }), intent({ phone: '+123456789012345' }), accepted('', { phone: '+123456789012345' })]],
    ['line and attempt up to 15 digits', [intent({ line: '123456789012345', attempt: '987654321098765' }), intent({ line: '1', attempt: '9' })]],
    ['a cid of one character, and one in UTF-8', [intent({ cid: 'x' }), intent({ cid: 'r1-é-🌸' }), accepted('', { cid: 'ü' })]],
    ['rows: empty, one cell, empty names and values, UTF-8 names', [intent({ row: '{}' }), intent({ row: '{"a":""}' }), intent({ row: '{"":"x"}' }), intent({ row: '{"prénom":"Zoë","名前":"花"}' })]],
    ['row values with every JSON escape', [intent({ row: '{"a":"\\"\\\\\\/\\b\\f\\n\\r\\t","b":"\\u00e9\\u0041\\uABCD\\uabcd\\u0000"}' }), intent({ row: '{"a":"x\\u1234"}' })]],
    // The last hex digit of each range (9, F, f): the first ones are in the line above.
    ['\\u with the last digit of each hex range', [intent({ row: '{"a":"\\u9F9f","b":"\\uf9F9"}' })]],
    // A space is the first byte that is not a control character: plain in a cid, a name, an id.
    ['spaces in a cid, a row name, a message id and a wa_id', [intent({ cid: 'r 1', row: '{"first name":" "}' }), accepted(',"message_id":"wamid A","wa_id":" 44"', { cid: ' ' })]],
    ['names that look like numbers but are not array indexes', [intent({ row: '{"01":"a"}' }), intent({ row: '{"1a":"a"}' }), intent({ row: '{"-1":"a"}' })]],
    ['outcome fields alone and together, in any order', [accepted(',"message_id":"wamid.A"'), accepted(',"wa_id":"447400123456"'), accepted(',"status":"accepted"'), accepted(',"status":"x","wa_id":"44","message_id":"m"'), accepted(',"message_id":"é"')]],
    ['a status with escapes (not used)', [accepted(',"message_id":"wamid.A","status":"say \\"held\\" \\u00e9"')]],
    ['times of other shapes ISO-8601 allows', ['2026-11-17T08:00:01Z', '2026-11-17T08:00:01.5Z', '2026-11-17T08:00:01.123456Z', '2026-11-17T08:00:01.000+05:30', '2026-11-17T08:00:01-01:00', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2026-11-17T24:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z'].map((at) => intent({ at }))],
  ])('%s', (_, lines) => {
    for (const line of lines) {
      const scanned = scan(line);
      expect(scanned, line).toBeDefined();
      expect(scanned, line).toEqual(viaParse(line));
    }
  });

  it('the same names row after row: the same list, without decoding them again; other names, their own', () => {
    const scanner = new SendRecordScanner();
    const a = scan(intent({ row: '{"phone":"+447400123456","opt_in":"yes"}' }), scanner);
    const b = scan(intent({ row: '{"phone":"+447400123457","opt_in":"no"}' }), scanner);
    expect(a && a.type === 'intent' ? a.columns : 'none').toEqual(['phone', 'opt_in']);
    expect(b && b.type === 'intent' && a && a.type === 'intent' ? b.columns === a.columns : false).toBe(true);
    const c = scan(intent({ row: '{"phone":"+447400123457","opt_ix":"no"}' }), scanner);
    expect(c && c.type === 'intent' ? c.columns : 'none').toEqual(['phone', 'opt_ix']);
    const d = scan(intent({ row: '{"phone":"+447400123457"}' }), scanner);
    expect(d && d.type === 'intent' ? d.columns : 'none').toEqual(['phone']);
    const e = scan(intent({ row: '{"phone":"+447400123457","opt_ix":"no","more":"x"}' }), scanner);
    expect(e && e.type === 'intent' ? e.columns : 'none').toEqual(['phone', 'opt_ix', 'more']);
    const f = scan(intent(), scanner);
    expect(f && f.type === 'intent' ? f.columns : 'none').toBeUndefined();
  });
});

describe('scanSendRecord leaves every other line to parseRecord', () => {
  const times = [
    '2026x11-17T08:00:01.000Z', '2026-11x17T08:00:01.000Z', '2026-11-17x08:00:01.000Z', '2026-11-17T08x00:01.000Z', '2026-11-17T08:00x01.000Z', '2026-11-17T08:00:01x000Z', '2026-11-17T08:00:01.000x',
    '2026-00-17T08:00:01.000Z', '2026-13-17T08:00:01.000Z', '2026-11-00T08:00:01.000Z', '2026-11-32T08:00:01.000Z', '2026-11-17T25:00:01.000Z', '2026-11-17T08:60:01.000Z', '2026-11-17T08:00:60.000Z',
    '2026-1a-17T08:00:01.000Z', '202a-11-17T08:00:01.000Z', '2026-11-17T08:00:01.0a0Z', '2026-11-17T08:00:01.a00Z', '2026-11-17T0a:00:01.000Z', '2026-11-1aT08:00:01.000Z', '2026-11-17T08:0a:01.000Z', '2026-11-17T08:00:0a.000Z',
    '2026-11-17T08:00:01.000', '2026-11-17 08:00:01.000Z', '2026-11-17T08:00:01.000+24:00', '',
    // The fast shape and then more: 24 bytes are not the whole time.
    '2026-11-17T08:00:01.000Zx', '2026-11-17T08:00:01.000Z0',
    // The bytes just outside 0-9 ('/' and ':') where digits belong: not read as digits.
    '20/6-11-17T08:00:01.000Z', '2026-11-17T0/:00:01.000Z', '2026-11-17T08:0/:01.000Z', '2026-11-17T08:00:0/.000Z', '2026-11-17T08:00:01./00Z', '2026-11-17T08:00:01.00/Z',
    '20:6-11-17T08:00:01.000Z', '2026-11-17T0::00:01.000Z', '2026-11-17T08:0::01.000Z', '2026-11-17T08:00:0:.000Z', '2026-11-17T08:00:01.:00Z', '2026-11-17T08:00:01.00:Z',
  ];
  it.each(times)('the time %j', (at) => {
    const line = intent({ at });
    expect(scan(line), line).toBeUndefined();
    expect(scan(accepted('', { at })), at).toBeUndefined();
  });

  it.each([
    ['an empty cid', intent({ cid: '' })],
    ['a phone without its plus', intent({ phone: '447400123456' })],
    ['a phone with a leading 0', intent({ phone: '+0447400123' })],
    ['a phone of 16 digits', intent({ phone: '+1234567890123456' })],
    ['a phone of no digits', intent({ phone: '+' })],
    ['a phone with a letter', intent({ phone: '+4474a0123456' })],
    ['a line of 0', intent({ line: '0' })],
    ['a line with a leading 0', intent({ line: '02' })],
    ['a line of 16 digits', intent({ line: '1234567890123456' })],
    ['an attempt of 16 digits', intent({ attempt: '1234567890123456' })],
    ['an attempt of 0', intent({ attempt: '0' })],
    ['an attempt that is not a number', intent({ attempt: '"1"' })],
    ['a negative line', intent({ line: '-2' })],
    ['a row that is not an object', intent({ row: '"x"' })],
    ['a row with a number', intent({ row: '{"a":1}' })],
    ['a row with an index-like name', intent({ row: '{"0":"a"}' })],
    ['a row with an index-like name later', intent({ row: '{"a":"b","10":"c"}' })],
    ['a row name with an escape', intent({ row: '{"a\\"b":"c"}' })],
    ['a row value with a bad escape', intent({ row: '{"a":"\\x"}' })],
    ['a row value with a short \\u', intent({ row: '{"a":"\\u12"}' })],
    ['a row value with a \\u not hex', intent({ row: '{"a":"\\u12g4"}' })],
    ['a row value with a \\u not hex, upper', intent({ row: '{"a":"\\u12G4"}' })],
    // The bytes just outside each hex range, and a fourth digit that is not hex.
    ...['/', ':', '@', '`'].map((c): [string, string] => [`a row value with a \\u holding ${c}`, intent({ row: `{"a":"\\u12${c}4"}` })]),
    ['a row value with a \\u whose fourth digit is not hex', intent({ row: '{"a":"\\u123g"}' })],
    ['a row value with a control character', intent({ row: '{"a":"x\u0001y"}' })],
    ['a row not closed', intent({ row: '{"a":"b"' })],
    ['a row then another field', `${intent({ row: '{"a":"b"}' }).slice(0, -1)},"x":1}`],
    ['a row with a trailing comma', intent({ row: '{"a":"b",}' })],
    ['a row with spaces', intent({ row: '{"a": "b"}' })],
    ['a cell without its value', intent({ row: '{"a"}' })],
    ['an intent with "line" misspelt', intent().replace('"line":', '"linx":')],
    ['an intent with "attempt" misspelt', intent().replace('"attempt":', '"attemps":')],
    ['an intent with "row" misspelt (a field of its own: no row)', intent({ row: '{"a":"b"}' }).replace('"row":', '"rox":')],
    ['an outcome with "outcome" misspelt', accepted().replace('"outcome":"accepted"', '"outcomx":"accepted"')],
    ['an outcome with "cid" misspelt', accepted().replace('"cid":', '"cix":')],
    ['an intent with "phone" misspelt', intent().replace('"phone":', '"phonx":')],
    ['an outcome with "type" misspelt (as long as outcome)', accepted().replace('"type":"outcome"', '"type":"outcomx"')],
    ['an outcome field after a semicolon', accepted(';"wa_id":"1"')],
    ['an outcome field after a comma and no quote', accepted(',xwa_id":"1"')],
    ['a row name without its opening quote', intent({ row: '{xa":"b"}' })],
    ['a row cell with a semicolon for its colon', intent({ row: '{"a";"b"}' })],
    ['an intent without its attempt', '{"type":"intent","at":"2026-11-17T08:00:01.000Z","cid":"c","phone":"+447400123456","line":2}'],
    ['an intent with more after it', `${intent()} `],
    ['an intent not closed', intent().slice(0, -1)],
    ['an intent closed by another character', `${intent().slice(0, -1)}]`],
    ['an outcome closed by another character', `${accepted(',"wa_id":"1"').slice(0, -1)}]`],
    ['an outcome twice the same field', accepted(',"message_id":"a","message_id":"b"')],
    ['an outcome wa_id twice', accepted(',"wa_id":"a","wa_id":"b"')],
    ['an outcome with a field it does not read', accepted(',"code":"x"')],
    ['an outcome with an escape in its message id', accepted(',"message_id":"a\\u0041"')],
    ['an outcome with an escape in its wa_id', accepted(',"wa_id":"4\\/4"')],
    ['an outcome with a status of a bad escape', accepted(',"status":"\\q"')],
    ['an outcome with a status not closed', accepted(',"status":"x')],
    ['an outcome not closed', accepted().slice(0, -1)],
    ['an outcome with a trailing comma', `${accepted().slice(0, -1)},}`],
    ['an outcome with a space before its field', `${accepted().slice(0, -1)}, "wa_id":"1"}`],
    ['a failed outcome', accepted().replace('accepted', 'failed')],
    ['an outcome with a cid escape', accepted('', { cid: 'a\\"b' })],
    ['a run', '{"type":"run","v":1}'],
    ['nothing', ''],
  ])('%s', (_, line) => {
    expect(scan(line), line).toBeUndefined();
  });

  it('the row’s end is `}}` and the line’s end, nothing near it', () => {
    const head = intent().slice(0, -1);
    // A name that starts with a brace is a name, not the row's end.
    const braced = intent({ row: '{"}x":"y"}' });
    expect(scan(braced)).toEqual(viaParse(braced));
    for (const line of [`${head},"row":{"}`, `${head},"row":{}]`, `${head},"row":{}`, `${intent({ row: '{"a":"b"}' }).slice(0, -1)}x`, `${head},"row":{"a":"b"x}`, intent({ row: '{"a":"b"x}' }), `${head},"row":{"a":"b"}`, `${head},"row":{}}x`, `${head},"row":{"a":"b"}}x`]) {
      expect(parses(line), line).toBe(false);
      expect(scan(line), line).toBeUndefined();
    }
  });

  it('reads to `end`, not to the buffer’s end: a line cut before its closing brace is not one', () => {
    for (const line of [accepted(',"message_id":"wamid.A","status":"accepted"'), accepted(',"wa_id":"1"'), intent({ row: '{"a":"b"}' }), intent()]) {
      const buffer = Buffer.from(line);
      expect(new SendRecordScanner().scan(buffer, 0, buffer.length - 1), line).toBeUndefined();
      expect(new SendRecordScanner().scan(buffer, 0, buffer.length), line).toEqual(viaParse(line));
    }
  });

  it('bytes that are not UTF-8 in a value it uses', () => {
    const bad = Buffer.from([0xc3, 0x28]);
    const at = (text: string, bytes: Buffer) => Buffer.concat([Buffer.from(text.split('@')[0]!), bytes, Buffer.from(text.split('@')[1]!)]);
    expect(scan(at(intent({ cid: '@' }), bad))).toBeUndefined();
    expect(scan(at(intent({ row: '{"@":"x"}' }), bad))).toBeUndefined();
    expect(scan(at(accepted(',"message_id":"@"'), bad))).toBeUndefined();
    expect(scan(at(accepted(',"wa_id":"@"'), bad))).toBeUndefined();
    // 0x80, the first byte that is not ASCII, alone: not UTF-8 either.
    const lone = Buffer.from([0x80]);
    expect([scan(at(intent({ cid: '@' }), lone)), scan(at(intent({ row: '{"@":"x"}' }), lone)), scan(at(accepted(',"message_id":"@"'), lone)), scan(at(accepted(',"wa_id":"@"'), lone))]).toEqual([undefined, undefined, undefined, undefined]);
    // Not used (a row's value, a status): read, as parseRecord reads it.
    expect(scan(at(intent({ row: '{"a":"@"}' }), bad))).toEqual({ type: 'intent', at: Date.parse(AT), cid: 'r1-2-1', phone: '+447400123456', columns: ['a'] });
  });

  it('what it leaves, parseRecord decides: some of these are records (read there), the rest are not', () => {
    expect([parses(intent({ row: '{"0":"a"}' })), parses(intent({ phone: '+0447400123' })), parses(intent({ at: '2026-11-17T08:00:01.000' }))]).toEqual([true, false, false]);
  });
});
