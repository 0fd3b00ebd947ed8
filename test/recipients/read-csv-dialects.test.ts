import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { openCsv, type CsvReadOptions } from '../../src/recipients/read-csv.js';
import { collect, fixture } from '../helpers.js';

/** UTF-16 bytes with their byte-order mark, as Excel's "Unicode text" writes them (little-endian). */
function utf16le(text: string, bom = true): Buffer {
  return Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
}
function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le.swap16()]);
}
/** windows-1252 bytes for text whose characters are all in it (é is E9, € is 80). */
function cp1252(text: string): Buffer {
  const table: Record<string, number> = { '€': 0x80, '’': 0x92, '“': 0x93, '”': 0x94 };
  return Buffer.from([...text].map((c) => table[c] ?? c.charCodeAt(0)));
}

async function read(contents: string | Buffer, options?: CsvReadOptions) {
  const dir = await fixture({ 'in.csv': contents });
  const csv = await openCsv(path.join(dir, 'in.csv'), options);
  return { header: csv.header, delimiter: csv.delimiter, encoding: csv.encoding, rows: await collect(csv.rows) };
}

async function failure(contents: string | Buffer, options?: CsvReadOptions): Promise<InputError> {
  const error = await read(contents, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('the delimiter is found from the header line', () => {
  it('reads a semicolon CSV (Excel in a European locale), commas in cells kept', async () => {
    const { header, delimiter, rows } = await read('phone;opt_in;name;discount\r\n+49 151 23456789;ja;Jürgen;10,5%\r\n');
    expect(delimiter).toBe(';');
    expect(header).toEqual(['phone', 'opt_in', 'name', 'discount']);
    expect(rows).toEqual([{ line: 2, fields: ['+49 151 23456789', 'ja', 'Jürgen', '10,5%'] }]);
  });

  it('reads a tab-separated file', async () => {
    const { header, delimiter, rows } = await read('phone\topt_in\tname\n+447400123456\tyes\tSmith, Ana\n');
    expect(delimiter).toBe('\t');
    expect(header).toEqual(['phone', 'opt_in', 'name']);
    expect(rows[0]!.fields).toEqual(['+447400123456', 'yes', 'Smith, Ana']);
  });

  it('does not count delimiters inside quoted column names, line breaks included', async () => {
    const { header, delimiter } = await read('"first, last";"notes,\nmore, and more";phone\nA;B;C\n');
    expect(delimiter).toBe(';');
    expect(header).toEqual(['first, last', 'notes,\nmore, and more', 'phone']);
  });

  it('reads a one-column file with a comma', async () => {
    const { header, delimiter, rows } = await read('phone\n+447400123456\n');
    expect(delimiter).toBe(',');
    expect(header).toEqual(['phone']);
    expect(rows).toHaveLength(1);
  });

  it('finds the delimiter of a header longer than one read (10,000 columns)', async () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `column_number_${i}`);
    const { header, delimiter } = await read(`${names.join(';')}\n${names.map(() => 'x').join(';')}\n`);
    expect(delimiter).toBe(';');
    expect(header).toHaveLength(10_000);
  });

  it('refuses to guess between two delimiters used equally often, pointing to --delimiter', async () => {
    const error = await failure('phone,opt_in;name\n1,2;3\n');
    expect(error.location?.line).toBe(1);
    expect(error.message).toBe('the header row has as many commas as semicolons: say which one separates the columns with --delimiter');
  });

  it('--delimiter forces one, | included', async () => {
    const forced = await read('phone;opt_in,name\n+447400123456;yes,Ana\n', { delimiter: ',' });
    expect(forced.header).toEqual(['phone;opt_in', 'name']);
    const pipes = await read('phone|opt_in|name\n+447400123456|yes|Ana\n', { delimiter: '|' });
    expect(pipes.header).toEqual(['phone', 'opt_in', 'name']);
  });
});

describe('encodings', () => {
  it("decodes Excel's Unicode text: UTF-16LE with a BOM, tab-separated, CRLF, across many chunks", async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => `+4474001${String(i).padStart(5, '0')}\tyes\tNíkos 🌸 Νίκος ${i}`);
    const text = `phone\topt_in\tname\r\n${rows.join('\r\n')}\r\n`;
    const bytes = utf16le(text);
    expect(bytes.length).toBeGreaterThan(3 * 64 * 1024);
    const csv = await read(bytes);
    expect(csv.encoding).toBe('utf-16le');
    expect(csv.delimiter).toBe('\t');
    expect(csv.header).toEqual(['phone', 'opt_in', 'name']);
    expect(csv.rows).toHaveLength(6000);
    expect(csv.rows[0]).toEqual({ line: 2, fields: ['+447400100000', 'yes', 'Níkos 🌸 Νίκος 0'] });
    expect(csv.rows[5999]).toEqual({ line: 6001, fields: ['+447400105999', 'yes', 'Níkos 🌸 Νίκος 5999'] });
  });

  it('decodes UTF-16BE with a BOM', async () => {
    const csv = await read(utf16be('phone,opt_in,name\n+447400123456,yes,Chloé\n'));
    expect(csv.encoding).toBe('utf-16be');
    expect(csv.rows).toEqual([{ line: 2, fields: ['+447400123456', 'yes', 'Chloé'] }]);
  });

  it('names the line of UTF-16 that is not text (a lone surrogate)', async () => {
    const good = utf16le('phone\topt_in\tname\r\n+447400123456\tyes\tAna\r\n+447400123457\tyes\t');
    const bad = Buffer.concat([good, Buffer.from([0x00, 0xd8]), Buffer.from('x\r\n', 'utf16le')]);
    const error = await failure(bad);
    expect(error.location?.line).toBe(3);
    expect(error.message).toContain('not utf-16le text');
  });

  it('reads windows-1252 with --encoding, € and curly quotes (0x80–0x9F) included', async () => {
    // Node 20's one-shot windows-1252 decode turns these into control characters (nodejs/node#56542).
    const csv = await read(cp1252('phone;opt_in;name;price\r\n+33612345678;yes;Élodie “l’As”;9,90 €\r\n'), { encoding: 'windows-1252' });
    expect(csv.encoding).toBe('windows-1252');
    expect(csv.rows).toEqual([{ line: 2, fields: ['+33612345678', 'yes', 'Élodie “l’As”', '9,90 €'] }]);
  });

  it('without --encoding, a windows-1252 file is refused at its line, naming the flag', async () => {
    const error = await failure(cp1252('phone;opt_in;name\n+447400123456;yes;Ana\n+33612345678;yes;Élodie\n'));
    expect(error.location?.line).toBe(3);
    expect(error.message).toBe('not UTF-8 text: save as CSV UTF-8, or pass --encoding windows-1252 (or the encoding it was saved in)');
  });

  it('names the line of a byte the named encoding does not have', async () => {
    const bytes = Buffer.concat([Buffer.from('phone,name\n1,a\n2,b\n'), Buffer.from([0x33, 0x2c, 0xa1, 0x0a])]);
    const error = await failure(bytes, { encoding: 'iso-8859-8' });
    expect(error.location?.line).toBe(4);
    expect(error.message).toContain('not iso-8859-8 text');
  });

  it('a byte-order mark wins over --encoding (Excel\'s "CSV UTF-8" has one)', async () => {
    const csv = await read(Buffer.from('\ufeffphone,opt_in,name\n+447400123456,yes,Chloé\n'), { encoding: 'windows-1252' });
    expect(csv.encoding).toBe('utf-8');
    expect(csv.header[0]).toBe('phone');
    expect(csv.rows[0]!.fields[2]).toBe('Chloé');
  });

  it('says a UTF-16 file without its byte-order mark is UTF-16, and reads it with --encoding', async () => {
    const bytes = utf16le('phone,opt_in\n+447400123456,yes\n', false);
    const error = await failure(bytes);
    expect(error.message).toBe('looks like UTF-16 text without a byte-order mark: pass --encoding utf-16le');
    const csv = await read(bytes, { encoding: 'utf-16le' });
    expect(csv.rows).toEqual([{ line: 2, fields: ['+447400123456', 'yes'] }]);
  });

  it('names an Excel workbook for what it is', async () => {
    const xlsx = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(40, 1)]);
    expect((await failure(xlsx)).message).toContain('an Excel .xlsx workbook?');
    const xls = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(40, 1)]);
    expect((await failure(xls)).message).toContain('Excel 97-2003 workbook');
  });

  it('refuses a NUL character in decoded text with its line', async () => {
    const error = await failure(utf16le('phone\tname\r\n1\tA\r\n2\tB\0b\r\n'));
    expect(error.location?.line).toBe(3);
    expect(error.message).toContain('NUL');
  });

  it('reads from a named pipe (the header is read ahead, not read twice)', async () => {
    const dir = await fixture({});
    const fifo = path.join(dir, 'in.csv');
    execFileSync('mkfifo', [fifo]);
    const writing = writeFile(fifo, 'phone;opt_in\n+447400123456;yes\n+447400123457;no\n');
    const csv = await openCsv(fifo);
    const rows = await collect(csv.rows);
    await writing;
    expect(csv.delimiter).toBe(';');
    expect(rows.map((row) => row.fields)).toEqual([
      ['+447400123456', 'yes'],
      ['+447400123457', 'no'],
    ]);
  });
});
