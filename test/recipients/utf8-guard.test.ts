import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { Utf8Guard } from '../../src/recipients/utf8-guard.js';

async function through(chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), new Utf8Guard('x.csv'), async function* (source) {
    for await (const chunk of source) out.push(chunk as Buffer);
  });
  return Buffer.concat(out);
}

async function refusal(chunks: Buffer[]): Promise<InputError> {
  const error = await through(chunks).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

const NOT_UTF8 = 'not UTF-8 text: save as CSV UTF-8, or pass --encoding windows-1252 (or the encoding it was saved in)';
const NUL = 'NUL byte in the file: is it a spreadsheet or other binary file rather than CSV?';

describe('Utf8Guard', () => {
  it('passes on at once a chunk that ends in a whole character, and holds back only an unfinished one', () => {
    const guard = new Utf8Guard('x.csv');
    for (const whole of ['a,b', 'é', '€', '🌸', 'ࠀ', 'x\n']) {
      guard.write(Buffer.from(whole));
      expect((guard.read() as Buffer).toString()).toBe(whole);
    }
    const flower = Buffer.from('🌸');
    guard.write(flower.subarray(0, 3));
    expect(guard.read()).toBeNull();
    guard.write(flower.subarray(3));
    expect((guard.read() as Buffer).toString()).toBe('🌸');
    const euro = Buffer.from('€');
    guard.write(Buffer.concat([Buffer.from('a,'), euro.subarray(0, 2)]));
    expect((guard.read() as Buffer).toString()).toBe('a,');
    guard.write(euro.subarray(2));
    expect((guard.read() as Buffer).toString()).toBe('€');
  });

  it('passes characters led by E0 and F0 (the smallest three- and four-byte ones) split at every byte', async () => {
    const text = Buffer.from('ࠀ,\u0fff,𐀀\n');
    const oneByOne = [...text].map((byte) => Buffer.from([byte]));
    expect((await through(oneByOne)).toString()).toBe('ࠀ,\u0fff,𐀀\n');
  });

  it('names the line of a bad byte in a chunk that starts with a line break', async () => {
    const error = await refusal([Buffer.from('a,b'), Buffer.from('\nx,\xff\n', 'latin1')]);
    expect(error.message).toBe(NOT_UTF8);
    expect(error.location).toEqual({ file: 'x.csv', line: 2 });
  });

  it('counts a line break at the start of a chunk', async () => {
    const error = await refusal([Buffer.from('a,b'), Buffer.from('\nc,d\n'), Buffer.from('e,\xff', 'latin1')]);
    expect(error.location).toEqual({ file: 'x.csv', line: 3 });
  });

  it('names the line of a NUL byte at the start of a chunk', async () => {
    const error = await refusal([Buffer.from('a,b\n'), Buffer.from('\0x\n')]);
    expect(error.message).toBe(NUL);
    expect(error.location).toEqual({ file: 'x.csv', line: 2 });
  });
});
