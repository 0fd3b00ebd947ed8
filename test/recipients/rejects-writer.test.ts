import { execFileSync } from 'node:child_process';
import { link, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, WriteError } from '../../src/errors.js';
import { openCsv } from '../../src/recipients/read-csv.js';
import { RejectsWriter } from '../../src/recipients/rejects-writer.js';
import { collect, fixture } from '../helpers.js';

describe('RejectsWriter', () => {
  it('writes the header, every row as it was plus line, reason, detail; UTF-8 with a BOM, mode 0600', async () => {
    const dir = await fixture({});
    const file = path.join(dir, 'rejected.csv');
    const writer = await RejectsWriter.open(file, ['phone', 'opt_in', 'name']);
    await writer.add({ line: 3, fields: ['07400 123456', 'x', 'Smith, "Ana"'] }, 'no_opt_in', '"x" is not a consent value');
    await writer.add({ line: 9, fields: ['+44 7400', 'yes'] }, 'invalid_number', 'wrong length for +44');
    await writer.commit();
    const bytes = await readFile(file);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.subarray(3).toString()).toBe(
      'phone,opt_in,name,line,reason,detail\n' +
        '07400 123456,x,"Smith, ""Ana""",3,no_opt_in,"""x"" is not a consent value"\n' +
        "'+44 7400,yes,,9,invalid_number,wrong length for +44\n",
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(writer.rows).toBe(2);
  });

  it('makes every cell formula-safe, a bare CR quoted', async () => {
    const dir = await fixture({});
    const file = path.join(dir, 'r.csv');
    const writer = await RejectsWriter.open(file, ['phone', 'opt_in', 'a', 'b', 'c', 'd']);
    await writer.add({ line: 2, fields: ['+447400123456', 'yes', '=HYPERLINK("x")', '-20%', '@me', 'one\rtwo'] }, 'missing_variable', 'x');
    await writer.commit();
    const text = (await readFile(file, 'utf8')).slice(1);
    expect(text.split('\n')[1]).toBe(`'+447400123456,yes,"'=HYPERLINK(""x"")",'-20%,'@me,"one\rtwo",2,missing_variable,x`);
  });

  it('writes with the delimiter of the CSV it came from, and keeps the cells past the header on the last column', async () => {
    const dir = await fixture({});
    const file = path.join(dir, 'r.csv');
    const writer = await RejectsWriter.open(file, ['phone', 'opt_in', 'name'], { delimiter: ';' });
    await writer.add({ line: 4, fields: ['+447400123456', 'yes', 'Smith', ' Ana', 'Jr'] }, 'malformed_row', '5 fields but the header has 3');
    await writer.commit();
    const csv = await openCsv(file);
    expect(csv.delimiter).toBe(';');
    expect(csv.header).toEqual(['phone', 'opt_in', 'name', 'line', 'reason', 'detail']);
    expect((await collect(csv.rows))[0]!.fields).toEqual(["'+447400123456", 'yes', 'Smith; Ana;Jr', '4', 'malformed_row', '5 fields but the header has 3']);
  });

  it('a rejects file fed back has its line, reason and detail replaced, not repeated', async () => {
    const dir = await fixture({});
    const file = path.join(dir, 'r2.csv');
    const writer = await RejectsWriter.open(file, ['phone', 'opt_in', 'name', 'line', 'reason', 'detail']);
    await writer.add({ line: 2, fields: ['+447400123456', 'x', 'Ana', '17', 'no_opt_in', 'old'] }, 'no_opt_in', 'new');
    await writer.commit();
    expect((await readFile(file, 'utf8')).slice(1)).toBe("phone,opt_in,name,line,reason,detail\n'+447400123456,x,Ana,2,no_opt_in,new\n");
  });

  it('is atomic: until commit the old file stays as it was, and an abort leaves no temp file', async () => {
    const dir = await fixture({ 'r.csv': 'old\n' });
    const file = path.join(dir, 'r.csv');
    const writer = await RejectsWriter.open(file, ['phone', 'opt_in']);
    for (let i = 0; i < 2000; i++) await writer.add({ line: i + 2, fields: [`+4474001${String(i).padStart(5, '0')}`, 'no'] }, 'no_opt_in', 'x'.repeat(200));
    expect(await readFile(file, 'utf8')).toBe('old\n');
    await writer.abort();
    expect(await readFile(file, 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['r.csv']);
  });

  it('removes the temp file a killed run left, not one of a running process', async () => {
    const dir = await fixture({ '.r.csv.999999999.tmp': 'killed run', [`.r.csv.${process.ppid}.tmp`]: 'running', '.other.csv.999999999.tmp': 'not ours' });
    const writer = await RejectsWriter.open(path.join(dir, 'r.csv'), ['phone']);
    await writer.commit();
    expect((await readdir(dir)).sort()).toEqual([`.other.csv.999999999.tmp`, `.r.csv.${process.ppid}.tmp`, 'r.csv']);
  });

  it('refuses a folder that does not exist, a path that is not a regular file, and an input file, writing nothing', async () => {
    const dir = await fixture({ 'c.csv': 'phone,opt_in\n' });
    const refusal = (file: string, options?: Parameters<typeof RejectsWriter.open>[2]) =>
      RejectsWriter.open(file, ['phone'], options).then(
        () => undefined,
        (e: unknown) => e as InputError,
      );
    const missing = await refusal(path.join(dir, 'nope', 'r.csv'));
    expect(missing).toBeInstanceOf(InputError);
    expect(missing!.message).toBe(`the folder ${path.join(dir, 'nope')} does not exist`);
    expect(missing!.location).toEqual({ file: path.join(dir, 'nope', 'r.csv') });

    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    const pipe = await refusal(path.join(dir, 'pipe'));
    expect(pipe!.message).toBe('is a named pipe (FIFO), not a regular file; nothing was changed');
    expect(await refusal(dir)).toMatchObject({ message: 'is a folder, not a regular file; nothing was changed' });

    const csv = path.join(dir, 'c.csv');
    const same = await refusal(path.join(dir, '.', 'c.csv'), { inputs: [{ file: csv, what: 'recipients CSV' }] });
    expect(same!.message).toBe('is the recipients CSV: --rejects must name another file, or it would be replaced');
    // Another name for the same file is the same file.
    await link(csv, path.join(dir, 'link.csv'));
    expect(await refusal(path.join(dir, 'link.csv'), { inputs: [{ file: csv, what: 'recipients CSV' }] })).toMatchObject({ message: expect.stringContaining('is the recipients CSV') });
    expect(await readFile(csv, 'utf8')).toBe('phone,opt_in\n');
    expect((await readdir(dir)).sort()).toEqual(['c.csv', 'link.csv', 'pipe']);
  });

  it('removes only its own `.name.<pid>.tmp` files: other names that end in digits and .tmp stay', async () => {
    const kept = ['backup-999999999.tmp', '.r.csv.x999999999.tmp', '.r.csv.999999999.tmp.bak', '.r.csv.bak', '.r.csv.tmp'];
    const dir = await fixture(Object.fromEntries([...kept, '.r.csv.999999998.tmp'].map((name) => [name, 'x'])));
    const writer = await RejectsWriter.open(path.join(dir, 'r.csv'), ['phone']);
    await writer.commit();
    expect((await readdir(dir)).sort()).toEqual([...kept, 'r.csv'].sort());
  });

  it('a commit that cannot put the file in place fails with a WriteError naming it', async () => {
    const dir = await fixture({});
    const folder = path.join(dir, 'out');
    await mkdir(folder);
    const writer = await RejectsWriter.open(path.join(folder, 'r.csv'), ['phone']);
    await writer.add({ line: 2, fields: ['x'] }, 'invalid_number', 'not a phone number');
    await rm(folder, { recursive: true });
    const error = await writer.commit().then(
      () => undefined,
      (e: unknown) => e as WriteError,
    );
    expect(error).toBeInstanceOf(WriteError);
    expect(error!.message).toMatch(/^could not be replaced: ENOENT/);
    expect(error!.location).toEqual({ file: path.join(folder, 'r.csv') });
  });
});

