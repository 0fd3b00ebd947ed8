import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MAX_RECORD_SIZE, openCsv, type CsvReadOptions } from '../../src/recipients/read-csv.js';
import { collect, fixture } from '../helpers.js';

async function open(contents: string | Buffer, options?: CsvReadOptions) {
  const dir = await fixture({ 'in.csv': contents });
  return openCsv(path.join(dir, 'in.csv'), options);
}

async function read(contents: string | Buffer, options?: CsvReadOptions) {
  const csv = await open(contents, options);
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

/** ASCII text as UTF-16 without a byte-order mark. */
function utf16(text: string, order: 'le' | 'be'): Buffer {
  const le = Buffer.from(text, 'utf16le');
  return order === 'le' ? le : le.swap16();
}

describe('the header line', () => {
  it('finds the delimiter of a header-only file without a final line break', async () => {
    const csv = await read('phone;opt_in');
    expect(csv.delimiter).toBe(';');
    expect(csv.header).toEqual(['phone', 'opt_in']);
    expect(csv.rows).toEqual([]);
  });

  it('names the column without a name by its position', async () => {
    const error = await failure('phone,,x\n1,2,3\n');
    expect(error.message).toBe('column 2 of the header row has no name');
    expect(error.location?.line).toBe(1);
  });

  it('tells columns apart as their lower-case names do (Straße is not STRASSE)', async () => {
    const csv = await read('phone,Straße,strasse\n1,a,b\n');
    expect(csv.header).toEqual(['phone', 'Straße', 'strasse']);
    expect(csv.rows).toEqual([{ line: 2, fields: ['1', 'a', 'b'] }]);
  });

  it('skips a byte-order mark written twice (a tool adding one to a file that had one), before a quoted name', async () => {
    const csv = await read('\ufeff\ufeff"phone",opt_in\n+447400123456,yes\n');
    expect(csv.encoding).toBe('utf-8');
    expect(csv.header).toEqual(['phone', 'opt_in']);
    expect(csv.rows).toEqual([{ line: 2, fields: ['+447400123456', 'yes'] }]);
  });

  it('stops reading ahead at a header line longer than any record, and says the row is too long', async () => {
    // 4 × MAX_RECORD_SIZE bytes and more without a line break, as many commas as semicolons: the
    // header is not read to its end to find the delimiter (no tie to report), it is a runaway row.
    const half = 'a,b;'.repeat(MAX_RECORD_SIZE + 10);
    const error = await failure(`${half}\nphone\n`);
    expect(error.message).toBe(`row longer than ${MAX_RECORD_SIZE} characters: is a quote left open?`);
    expect(error.location?.line).toBe(1);
  });

  it('returns once the header line is read from a pipe, before the writer has finished', async () => {
    const dir = await fixture({});
    const fifo = path.join(dir, 'in.csv');
    execFileSync('mkfifo', [fifo]);
    const writer = createWriteStream(fifo);
    writer.write('phone;opt_in\n+447400123456;yes\n');
    const csv = await openCsv(fifo);
    expect(csv.delimiter).toBe(';');
    expect(csv.header).toEqual(['phone', 'opt_in']);
    const closed = once(writer, 'close');
    writer.end('+447400123457;no\n');
    const rows = await collect(csv.rows);
    await closed;
    expect(rows).toEqual([
      { line: 2, fields: ['+447400123456', 'yes'] },
      { line: 3, fields: ['+447400123457', 'no'] },
    ]);
  });
});

describe('UTF-16 without a byte-order mark, and binary files', () => {
  it('names big-endian UTF-16 too', async () => {
    const error = await failure(utf16('phone,opt_in\n+447400123456,yes\n', 'be'));
    expect(error.message).toBe('looks like UTF-16 text without a byte-order mark: pass --encoding utf-16be');
    expect(error.location).toEqual({ file: expect.stringMatching(/in\.csv$/), line: 1 });
  });

  it('names the shortest file it can tell (4 bytes), and an odd-length one (a cut-off last byte)', async () => {
    expect((await failure(utf16('p\n', 'le'))).message).toBe('looks like UTF-16 text without a byte-order mark: pass --encoding utf-16le');
    expect((await failure(Buffer.concat([utf16('p\n', 'le'), Buffer.from([0])]))).message).toBe(
      'looks like UTF-16 text without a byte-order mark: pass --encoding utf-16le',
    );
  });

  it('names UTF-16 with 80 % of its characters ASCII, either byte order', async () => {
    // Five code units, one of them (日) without a zero byte.
    expect((await failure(utf16('a\nbc日', 'le'))).message).toBe('looks like UTF-16 text without a byte-order mark: pass --encoding utf-16le');
    expect((await failure(utf16('a\nbc日', 'be'))).message).toBe('looks like UTF-16 text without a byte-order mark: pass --encoding utf-16be');
  });

  it('calls a file of zero bytes binary, not UTF-16', async () => {
    const error = await failure(Buffer.alloc(300));
    expect(error.message).toBe('NUL byte in the file: is it a spreadsheet or other binary file rather than CSV?');
    expect(error.location?.line).toBe(1);
  });
});

describe('rows', () => {
  it('counts a line break at the very start of a quoted field', async () => {
    const csv = await read('phone,note\n1,"\nstarts on a new line"\n2,x\n');
    expect(csv.rows).toEqual([
      { line: 2, fields: ['1', '\nstarts on a new line'] },
      { line: 4, fields: ['2', 'x'] },
    ]);
  });

  it('hands rows over in batches of at most 512', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `+4474001${String(i).padStart(5, '0')},yes`);
    const csv = await open(`phone,opt_in\n${lines.join('\n')}\n`);
    const batches = await collect(csv.batches);
    const sizes = batches.map((batch) => batch.length);
    expect(Math.max(...sizes)).toBe(512);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(batches.flat().map((row) => row.line)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 2));
  });

  it('a header-only file has no batch at all, not an empty one', async () => {
    const csv = await open('phone,opt_in\n');
    expect(await collect(csv.batches)).toEqual([]);
  });

  it('estimates the rows from the file size and the first rows (fields plus separators)', async () => {
    // 24 bytes; the first rows' fields plus one separator each: 6 + 7 + 2 + 4 + 2 + 3 = 24, over 3 rows.
    expect((await open('phone,opt_in\n1,yes\n2,no\n')).estimatedRows).toBe(3);
  });
});

describe('quoting errors, worded for a spreadsheet user', () => {
  it('a quote inside an unquoted field', async () => {
    const error = await failure('phone,name\n1,ok\n2,Mia "Mimi" Smith\n');
    expect(error.message).toBe('a quote inside an unquoted field: put the whole field in double quotes and double the inner quote ("")');
    expect(error.location?.line).toBe(3);
  });

  it('text after a closing quote', async () => {
    const error = await failure('phone,name\n1,ok\n2,"Mia" Smith\n');
    expect(error.message).toBe('text after a closing quote: double a quote inside a quoted field ("")');
    expect(error.location?.line).toBe(3);
  });
});

describe('closing', () => {
  /** Whether this process holds `file` open (Linux: its descriptors are links in /proc/self/fd). */
  const isOpen = (file: string) =>
    readdirSync('/proc/self/fd').some((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false; // the descriptor readdir itself used, closed since
      }
    });
  /** Lets the event loop run until `file` is closed, for at most `turns` turns; whether it was. */
  async function closedWithin(file: string, turns: number): Promise<boolean> {
    for (let i = 0; i < turns; i++) {
      if (!isOpen(file)) return true;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return !isOpen(file);
  }
  const big = () => `phone,opt_in\n${Array.from({ length: 200_000 }, (_, i) => `+4474${String(10_000_000 + i)},yes`).join('\n')}\n`;

  it('close() releases the file before it was read to the end', async () => {
    const dir = await fixture({ 'in.csv': big() });
    const file = path.join(dir, 'in.csv');
    const csv = await openCsv(file);
    const first = await csv.batches[Symbol.asyncIterator]().next();
    expect(first.value).toHaveLength(511);
    expect(isOpen(file)).toBe(true);
    csv.close();
    expect(await closedWithin(file, 10_000)).toBe(true);
  });

  it('leaving the batches early releases the file', async () => {
    const dir = await fixture({ 'in.csv': big() });
    const file = path.join(dir, 'in.csv');
    const csv = await openCsv(file);
    let seen = 0;
    for await (const batch of csv.batches) {
      seen += batch.length;
      break;
    }
    expect(seen).toBe(511);
    expect(await closedWithin(file, 10_000)).toBe(true);
  });
});

