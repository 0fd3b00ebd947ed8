import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, jsonStringEnd } from '../../src/fs/json-bytes.js';

// jsonStringEnd is what the ledger's and the events' scanners take a string value by: where it
// says a string ends, JSON.parse must read the same string, and where it refuses (-1), the scanner
// falls back to JSON.parse. So it is checked against JSON.parse itself.

/** `text` (latin1, one byte a character) in a buffer after `before` bytes of padding, and `after` bytes beyond. */
function placed(text: string, before = '', after = ''): { buffer: Buffer; start: number; end: number } {
  const buffer = Buffer.from(before + text + after, 'latin1');
  return { buffer, start: before.length, end: before.length + text.length };
}

/** The string's end as JSON.parse finds it: the first quote before which the contents parse, else -1. */
function referenceEnd(contents: Buffer): number {
  for (let p = 0; p < contents.length; p++) {
    if (contents[p] !== 0x22) continue;
    try {
      JSON.parse(`"${contents.toString('latin1', 0, p)}"`);
      return p;
    } catch {
      // an escaped quote, or contents JSON refuses: try the next quote
    }
  }
  return -1;
}

describe('jsonStringEnd', () => {
  it.each([
    ['plain', 'abc"', 3],
    ['empty', '"', 0],
    ['each simple escape', String.raw`\"\\\/\b\f\n\r\t"`, 16],
    ['an escaped quote is not the end', String.raw`a\"b"`, 4],
    ['\\u with lower, upper and digit hex', String.raw`\u00e9\uABCD\u0a1F"`, 18],
    ['space, DEL and bytes of UTF-8 are plain', ' \x7f\xc3\xa9"', 4],
  ])('%s: the closing quote', (_, text, at) => {
    const { buffer, start, end } = placed(text, '{"k":"', '}');
    expect(jsonStringEnd(buffer, start, end)).toBe(start + at);
  });

  it.each([
    ['no closing quote', 'abc'],
    ['a raw control character (0x1f)', 'a\x1fb"'],
    ['a raw tab', 'a\tb"'],
    ['a raw NUL', '\x00"'],
    ['an unknown escape', String.raw`\x41"`],
    ['a backslash before the end', 'ab\\'],
    ['a backslash before the closing quote', 'ab\\"'],
    ['\\u with a non-hex digit', String.raw`\u12G4"`],
    ['\\u with a non-hex fourth digit', String.raw`\u123G"`],
    ['\\u with a byte below 0 (/) as a digit', String.raw`\u12/4"`],
    ['\\u with a byte between 9 and A (:) as a digit', String.raw`\u12:4"`],
    ['\\u with a byte between F and a (_) as a digit', String.raw`\u12_4"`],
    ['\\u with g as a digit', String.raw`\u12g4"`],
    ['\\u with three digits then the quote', String.raw`\u123"`],
    ['\\u cut by the end', String.raw`\u12`],
    ['\\u with its digits but no quote after', String.raw`\u1234`],
  ])('%s: -1', (_, text) => {
    const { buffer, start, end } = placed(text, '"', '"}');
    expect(jsonStringEnd(buffer, start, end)).toBe(-1);
  });

  it('never looks at or past `end`: a quote there is not the end', () => {
    const { buffer, start } = placed('abc"', '"');
    expect(jsonStringEnd(buffer, start, start + 3)).toBe(-1);
    expect(jsonStringEnd(buffer, start, start + 4)).toBe(start + 3);
    // An escape whose closing quote lies at `end`.
    const escaped = placed(String.raw`ab\n"`, '"');
    expect(jsonStringEnd(escaped.buffer, escaped.start, escaped.start + 4)).toBe(-1);
    expect(jsonStringEnd(escaped.buffer, escaped.start, escaped.start + 5)).toBe(escaped.start + 4);
    const unicode = placed(String.raw`\u00e9"`, '"');
    expect(jsonStringEnd(unicode.buffer, unicode.start, unicode.start + 6)).toBe(-1);
    expect(jsonStringEnd(unicode.buffer, unicode.start, unicode.start + 7)).toBe(unicode.start + 6);
  });

  it('property: any string as JSON.stringify writes it (UTF-8) ends at its closing quote', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 4 }), (text, after) => {
        const json = Buffer.from(JSON.stringify(text) + after, 'utf8');
        const close = Buffer.byteLength(JSON.stringify(text), 'utf8') - 1;
        expect(jsonStringEnd(json, 1, json.length)).toBe(close);
      }),
    );
  });

  it('property: on any bytes, the end JSON.parse finds (the first quote before which the contents parse), else -1', () => {
    const alphabet = [...bytes('"\\/bfnrtu0aFG x'), 0x00, 0x1f, 0x20, 0x7f, 0xe9];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }), fc.array(fc.constantFrom(...alphabet), { maxLength: 6 }), (inside, beyond) => {
        const contents = Buffer.from(inside);
        const buffer = Buffer.concat([Buffer.from('{"k":"'), contents, Buffer.from(beyond)]);
        const expected = referenceEnd(contents);
        expect(jsonStringEnd(buffer, 6, 6 + contents.length)).toBe(expected === -1 ? -1 : 6 + expected);
      }),
      { numRuns: 2000 },
    );
  });
});
