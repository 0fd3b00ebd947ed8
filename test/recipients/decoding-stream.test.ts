import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { DecodingStream } from '../../src/recipients/decoding-stream.js';

async function through(chunks: Buffer[], encoding: string, maxLineBytes = 1 << 20): Promise<string> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), new DecodingStream('x.csv', encoding, maxLineBytes), async function* (source) {
    for await (const chunk of source) out.push(chunk as Buffer);
  });
  return Buffer.concat(out).toString('utf8');
}

async function refusal(chunks: Buffer[], encoding: string, maxLineBytes?: number): Promise<InputError> {
  const error = await through(chunks, encoding, maxLineBytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

const oneByOne = (bytes: Buffer) => [...bytes].map((byte) => Buffer.from([byte]));

describe('DecodingStream', () => {
  it('decodes UTF-16LE split at every byte, surrogate pairs and a false line feed across two characters included', async () => {
    // ਅĀ is 05 0A 00 01: "0A 00" at an odd offset is not a line feed.
    const text = 'a,Νίκος 🌸\nਅĀ,日本\r\nlast ਅĀ';
    expect(await through(oneByOne(Buffer.from(text, 'utf16le')), 'utf-16le')).toBe(text);
  });

  it('decodes UTF-16BE split at every byte', async () => {
    // Āਅ is 01 00 0A 05 in big-endian: "00 0A" at an odd offset.
    const text = 'a,Chloé 🌸\nĀਅ,x\nĀਅ';
    expect(await through(oneByOne(Buffer.from(text, 'utf16le').swap16()), 'utf-16be')).toBe(text);
  });

  it('decodes windows-1252 split at every byte, 0x80–0x9F as the standard says', async () => {
    const bytes = Buffer.from([0x80, 0x2c, 0x92, 0x93, 0x94, 0x0a, 0xe9, 0x0a]);
    expect(await through(oneByOne(bytes), 'windows-1252')).toBe('€,’“”\né\n');
  });

  it('finds the line of a bad sequence far into a stream of small chunks', async () => {
    const good = Buffer.from('row,ok\n'.repeat(1000), 'utf16le');
    const bad = Buffer.concat([Buffer.from('x,', 'utf16le'), Buffer.from([0x00, 0xdc])]);
    const chunks = [good.subarray(0, 3001), good.subarray(3001), bad];
    const error = await through(chunks, 'utf-16le').catch((e: unknown) => e as InputError);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location?.line).toBe(1001);
  });

  it('refuses a file that ends inside a character (an odd byte of UTF-16)', async () => {
    const error = await through([Buffer.from('a,b\nc', 'utf16le'), Buffer.from([0x41])], 'utf-16le').catch((e: unknown) => e as InputError);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location?.line).toBe(2);
  });

  it('refuses a line longer than the limit instead of holding it in memory', async () => {
    const error = await through([Buffer.from('a,b\n'), Buffer.alloc(600, 0x41), Buffer.alloc(600, 0x41)], 'windows-1252', 1000).catch(
      (e: unknown) => e as InputError,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location?.line).toBe(2);
    expect((error as InputError).message).toContain('longer than 1000 bytes');
  });

  it('keeps a U+FEFF at the start: the byte-order mark is the caller\'s to strip', async () => {
    expect(await through([Buffer.from('\ufeffa,b\n', 'utf16le')], 'utf-16le')).toBe('\ufeffa,b\n');
  });

  it('cuts UTF-16BE at its line feeds: many short lines are not one long one', async () => {
    const text = 'ab\n'.repeat(20);
    expect(await through([Buffer.from(text, 'utf16le').swap16()], 'utf-16be', 16)).toBe(text);
  });

  it('finds no line feed in UTF-16BE characters whose first byte is 0A (ਅ is 0A 05)', async () => {
    const error = await refusal([Buffer.from('ਅ'.repeat(20), 'utf16le').swap16()], 'utf-16be', 16);
    expect(error.message).toBe('a line longer than 16 bytes: is a quote left open, or is this not utf-16be text?');
    expect(error.location).toEqual({ file: 'x.csv', line: 1 });
  });

  it('finds no line feed in UTF-16LE 0A 00 across two characters, where the line is cut', async () => {
    // ab\n is 6 bytes; ਅĀ (05 0A 00 01) is the 4 after it, within the limit of 8.
    expect(await through([Buffer.from('ab\nਅĀ', 'utf16le')], 'utf-16le', 8)).toBe('ab\nਅĀ');
  });

  it('refuses a UTF-16 line one byte over the limit, with no line feed in it', async () => {
    const error = await refusal([Buffer.from('abcde', 'utf16le')], 'utf-16le', 9);
    expect(error.message).toBe('a line longer than 9 bytes: is a quote left open, or is this not utf-16le text?');
    expect(error.location).toEqual({ file: 'x.csv', line: 1 });
  });

  it('accepts a line exactly as long as the limit, and one after a chunk that starts with its line feed', async () => {
    expect(await through([Buffer.from('abcdefgh'), Buffer.from('\n')], 'windows-1252', 8)).toBe('abcdefgh\n');
    expect(await through([Buffer.from('a\n'), Buffer.from('\nxxxxx')], 'windows-1252', 5)).toBe('a\n\nxxxxx');
  });

  it('names the line of a line too long after line feeds in the same chunk, the first one at its start', async () => {
    const error = await refusal([Buffer.from(`\nb\n${'c'.repeat(10)}`)], 'windows-1252', 4);
    expect(error.location).toEqual({ file: 'x.csv', line: 3 });
  });

  it('counts only the line feeds at even offsets of UTF-16LE for that line', async () => {
    const error = await refusal([Buffer.from(`ਅĀ\nb\n${'c'.repeat(10)}`, 'utf16le')], 'utf-16le', 8);
    expect(error.location).toEqual({ file: 'x.csv', line: 3 });
  });

  it('names the line of a NUL character at the start of a run of lines, and after a run that is one line feed', async () => {
    const nul = 'NUL character in the text: is it a spreadsheet or other binary file rather than CSV?';
    const first = await refusal([Buffer.from('a\n'), Buffer.from('\0b\n')], 'windows-1252');
    expect(first.message).toBe(nul);
    expect(first.location).toEqual({ file: 'x.csv', line: 2 });
    const later = await refusal([Buffer.from('a\n'), Buffer.from('\n'), Buffer.from('b\0\n')], 'windows-1252');
    expect(later.location).toEqual({ file: 'x.csv', line: 3 });
  });

  it('names the line of a bad byte on the last line, with no line feed after it', async () => {
    const error = await refusal([Buffer.from('a\n1,\xa1', 'latin1')], 'iso-8859-8');
    expect(error.message).toBe('not iso-8859-8 text: is the file in another encoding? (--encoding names it)');
    expect(error.location).toEqual({ file: 'x.csv', line: 2 });
  });

  it('names the line of a bad byte after an empty line at the start of a chunk', async () => {
    const error = await refusal([Buffer.from('a\n'), Buffer.from('\nb\xa1\n', 'latin1')], 'iso-8859-8');
    expect(error.location).toEqual({ file: 'x.csv', line: 3 });
  });
});

