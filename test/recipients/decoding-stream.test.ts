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
});
