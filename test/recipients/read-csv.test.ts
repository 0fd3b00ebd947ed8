import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MAX_RECORD_SIZE, openCsv } from '../../src/recipients/read-csv.js';
import { Utf8Guard } from '../../src/recipients/utf8-guard.js';
import { collect, fixture } from '../helpers.js';

async function readAll(contents: string | Buffer) {
  const dir = await fixture({ 'in.csv': contents });
  const csv = await openCsv(path.join(dir, 'in.csv'));
  return { header: csv.header, rows: await collect(csv.rows), file: csv.file };
}

async function failure(contents: string | Buffer): Promise<InputError> {
  const error = await readAll(contents).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('openCsv', () => {
  it('reads a BOM, CRLF, quoted commas and newlines, and UTF-8 names, with the line each row starts on', async () => {
    const text = '\ufeffphone,opt_in,name\r\n+447400123456,yes,"Smith, Ana"\r\n+447400123457,yes,"two\nlines"\r\n\r\n+447400123458,yes,Νίκος 🌸\r\n';
    const { header, rows } = await readAll(text);
    expect(header).toEqual(['phone', 'opt_in', 'name']);
    expect(rows).toEqual([
      { line: 2, fields: ['+447400123456', 'yes', 'Smith, Ana'] },
      { line: 3, fields: ['+447400123457', 'yes', 'two\nlines'] },
      { line: 6, fields: ['+447400123458', 'yes', 'Νίκος 🌸'] },
    ]);
  });

  it('counts lines right with CRLF inside quoted fields and mixed line endings', async () => {
    const { rows } = await readAll('a,b\r\n1,"x\r\ny"\r\n2,z\n3,w');
    expect(rows.map((row) => row.line)).toEqual([2, 4, 5]);
  });

  it('trims header names and skips blank lines', async () => {
    const { header, rows } = await readAll(' phone , opt_in \n\n , \n1,2\n');
    expect(header).toEqual(['phone', 'opt_in']);
    expect(rows).toEqual([{ line: 4, fields: ['1', '2'] }]);
  });

  it('names the line of an unclosed quote', async () => {
    const error = await failure('phone,opt_in,name\n1,yes,ok\n2,yes,"never closed\n3,yes,x\n');
    expect(error.location).toEqual({ file: expect.stringContaining('in.csv'), line: 3 });
    expect(error.message).toContain('never closed');
  });

  it('stops a runaway record at the record-size limit', async () => {
    const error = await failure(`phone,name\n1,"${'x'.repeat(MAX_RECORD_SIZE + 10)}"\n`);
    expect(error.location?.line).toBe(2);
    expect(error.message).toContain('longer than');
  });

  it('names the line of a stray quote inside a field', async () => {
    const error = await failure('phone,name\n1,ok\n2,Mia "Mimi" Smith\n');
    expect(error.location?.line).toBe(3);
  });

  it('names the line of invalid UTF-8 (a Latin-1 export)', async () => {
    const latin1 = Buffer.concat([Buffer.from('phone,name\n1,Ana\n2,Jos'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const error = await failure(latin1);
    expect(error.location?.line).toBe(3);
    expect(error.message).toContain('UTF-8');
  });

  it('names the line of a NUL byte', async () => {
    const error = await failure(Buffer.from('phone,name\n1,Ana\n2,B\0b\n'));
    expect(error.location?.line).toBe(3);
    expect(error.message).toContain('NUL');
  });

  it('refuses an empty file, a missing file and a header with a repeated or empty column', async () => {
    expect((await failure('')).message).toContain('empty');
    expect((await failure('\n\n')).message).toContain('empty');
    expect((await failure('phone,Phone\n1,2\n')).message).toContain('appears twice');
    expect((await failure('phone,,x\n1,2,3\n')).message).toContain('no name');
    const missing = await openCsv('/nonexistent/campaign.csv').catch((e: unknown) => e as InputError);
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as InputError).message).toBe('no such file');
  });
});

describe('Utf8Guard', () => {
  async function through(chunks: Buffer[]): Promise<Buffer> {
    const out: Buffer[] = [];
    await pipeline(Readable.from(chunks), new Utf8Guard('x.csv'), async function* (source) {
      for await (const chunk of source) out.push(chunk as Buffer);
    });
    return Buffer.concat(out);
  }

  it('passes multi-byte characters split across chunks at every byte', async () => {
    const text = Buffer.from('a,Νίκος 🌸 Chloé\nb,日本\n');
    const oneByOne = [...text].map((byte) => Buffer.from([byte]));
    expect((await through(oneByOne)).equals(text)).toBe(true);
  });

  it('finds the line of a bad byte far into a stream of small chunks', async () => {
    const good = Buffer.from('row,ok\n'.repeat(1000));
    const chunks = [good.subarray(0, 3001), good.subarray(3001), Buffer.from('x,\xff'.split('').map((c) => c.charCodeAt(0)))];
    const error = await through(chunks).catch((e: unknown) => e as InputError);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location?.line).toBe(1001);
  });

  it('refuses a truncated multi-byte sequence at the very end', async () => {
    const error = await through([Buffer.from('a,b\nc,'), Buffer.from([0xe2, 0x82])]).catch((e: unknown) => e as InputError);
    expect((error as InputError).location?.line).toBe(2);
  });
});
