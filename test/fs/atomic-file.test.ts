import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, WriteError } from '../../src/errors.js';
import { AtomicFile } from '../../src/fs/atomic-file.js';
import type { WritableFile } from '../../src/fs/writable-file.js';
import { tempDir } from '../helpers.js';

describe('AtomicFile', () => {
  it('replaces the file whole, owner-only', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'retry.csv');
    await writeFile(file, 'old\n');
    const list = await AtomicFile.open(file);
    await list.write('new\n');
    await list.commit();
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('never follows a symbolic link planted at its temp name: refused in one line, the target and the old list untouched', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'retry.csv');
    await writeFile(file, 'old\n');
    const victim = path.join(dir, 'victim.txt');
    await writeFile(victim, 'precious data\n', { mode: 0o644 });
    const temp = path.join(dir, `.retry.csv.${process.pid}.tmp`);
    await symlink(victim, temp);
    await expect(AtomicFile.open(file)).rejects.toThrow('symbolic link');
    expect(await readFile(victim, 'utf8')).toBe('precious data\n');
    expect((await stat(victim)).mode & 0o777).toBe(0o644);
    expect(await readFile(file, 'utf8')).toBe('old\n');
    expect((await lstat(temp)).isSymbolicLink()).toBe(true);
  });
});

/** What AtomicFile.open or commit threw: class, message, location, cause. */
async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected a failure');
  return { kind: error.constructor.name, message: error.message, file: (error as InputError).location?.file, cause: error.cause };
}

/** A temp file kept in memory, counting what is done to it; `failOn` makes that step fail with `error`. */
function memoryTemp(failOn?: { step: 'write' | 'sync' | 'close'; error: Error }) {
  const log = { writes: [] as string[], syncs: 0, closes: 0 };
  const step = (name: 'write' | 'sync' | 'close') => {
    if (failOn?.step === name) throw failOn.error;
  };
  const file: WritableFile = {
    write: async (data) => {
      step('write');
      log.writes.push(data.toString());
      return data.length;
    },
    sync: async () => {
      step('sync');
      log.syncs++;
    },
    truncate: async () => undefined,
    size: async () => 0,
    close: async () => {
      step('close');
      log.closes++;
    },
  };
  // The temp exists on disk (empty), so that a commit can rename it.
  const open = async (name: string) => {
    await writeFile(name, '');
    return file;
  };
  return { file, log, open };
}

const FLUSH_AT = 256 * 1024;

describe('AtomicFile: what it writes, and when', () => {
  it('a new file (none there before) in an existing folder: created whole', async () => {
    const file = path.join(await tempDir(), 'new.csv');
    const list = await AtomicFile.open(file);
    await list.write('a\n');
    await list.commit();
    expect(await readFile(file, 'utf8')).toBe('a\n');
  });

  it('pieces are joined as they are, with nothing between them', async () => {
    const file = path.join(await tempDir(), 'retry.csv');
    const list = await AtomicFile.open(file);
    await list.write('one,');
    await list.write('two\n');
    await list.write('three\n');
    await list.commit();
    expect(await readFile(file, 'utf8')).toBe('one,two\nthree\n');
  });

  it('buffered until 256 KiB: nothing written before, everything written once it is reached (exactly), then buffered again', async () => {
    const temp = memoryTemp();
    const list = await AtomicFile.open(path.join(await tempDir(), 'big.csv'), { openFile: temp.open });
    await list.write('x'.repeat(FLUSH_AT - 2));
    await list.write('y');
    expect(temp.log.writes).toEqual([]);
    await list.write('z'); // exactly FLUSH_AT buffered
    expect(temp.log.writes).toEqual(['x'.repeat(FLUSH_AT - 2) + 'yz']);
    await list.write('after');
    expect(temp.log.writes).toHaveLength(1); // counting from zero again: 5 bytes buffered
    await list.commit();
    expect(temp.log.writes).toEqual(['x'.repeat(FLUSH_AT - 2) + 'yz', 'after']);
    expect(temp.log.syncs).toBe(1);
    expect(temp.log.closes).toBe(1);
  });

  it('a write past 256 KiB on a real file: the file holds every byte once, in order', async () => {
    const file = path.join(await tempDir(), 'big.csv');
    const list = await AtomicFile.open(file);
    const big = 'r'.repeat(FLUSH_AT + 10);
    await list.write(big);
    await list.write('tail\n');
    await list.commit();
    expect(await readFile(file, 'utf8')).toBe(`${big}tail\n`);
  });

  it('nothing written: commit makes an empty file, no write made', async () => {
    const dir = await tempDir();
    const temp = memoryTemp();
    const file = path.join(dir, 'empty.csv');
    const list = await AtomicFile.open(file, { openFile: temp.open });
    await list.commit();
    expect(temp.log.writes).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('');
  });
});

describe('AtomicFile.open: what it refuses', () => {
  it('a folder where the file belongs: refused in one line (exit 2), nothing created', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'retry.csv');
    await mkdir(file);
    expect(await failure(AtomicFile.open(file))).toEqual({ kind: 'InputError', message: 'is a folder, not a regular file; nothing was changed', file, cause: undefined });
    expect(await readdir(dir)).toEqual(['retry.csv']);
  });

  it('a folder that does not exist: named', async () => {
    const dir = path.join(await tempDir(), 'missing');
    const file = path.join(dir, 'retry.csv');
    expect(await failure(AtomicFile.open(file))).toEqual({ kind: 'InputError', message: `the folder ${dir} does not exist`, file, cause: undefined });
  });

  it('a path through a file (ENOTDIR): "cannot be replaced", with the reason', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'plain'), 'x');
    const file = path.join(dir, 'plain', 'retry.csv');
    const error = await failure(AtomicFile.open(file));
    expect(error.kind).toBe('InputError');
    expect(error.message).toBe(`cannot be replaced: ENOTDIR: not a directory, stat '${file}'`);
    expect(error.file).toBe(file);
  });

  it('a folder that does not exist: refused before the temp is opened (also with a temp of the caller’s)', async () => {
    const folder = path.join(await tempDir(), 'nowhere');
    const file = path.join(folder, 'retry.csv');
    const temps: string[] = [];
    const openFile = async (temp: string): Promise<WritableFile> => {
      temps.push(temp);
      throw new Error('not to be opened');
    };
    expect(await failure(AtomicFile.open(file, { openFile }))).toEqual({ kind: 'InputError', message: `the folder ${folder} does not exist`, file, cause: undefined });
    expect(temps).toEqual([]);
  });

  it('a temp that cannot be opened for a reason of its own: a WriteError naming the file, with the cause', async () => {
    const file = path.join(await tempDir(), 'retry.csv');
    const eio = Object.assign(new Error('EIO: injected'), { code: 'EIO' });
    expect(await failure(AtomicFile.open(file, { openFile: async () => Promise.reject(eio) }))).toEqual({ kind: 'WriteError', message: 'could not be written: I/O error (EIO)', file, cause: eio });
  });

  it('a WriteError or InputError opening the temp: its message, named by the file (not the temp)', async () => {
    const file = path.join(await tempDir(), 'retry.csv');
    const temps: string[] = [];
    const write = new WriteError('disk trouble', { file: 'the temp' });
    expect(await failure(AtomicFile.open(file, { openFile: async (temp) => {
      temps.push(temp);
      throw write;
    } }))).toEqual({ kind: 'WriteError', message: 'disk trouble', file, cause: undefined });
    expect(temps).toEqual([path.join(path.dirname(file), `.retry.csv.${process.pid}.tmp`)]);
    const input = new InputError('bad temp', { file: 'the temp' });
    expect(await failure(AtomicFile.open(file, { openFile: async () => Promise.reject(input) }))).toEqual({ kind: 'InputError', message: 'bad temp', file, cause: undefined });
  });
});

describe('AtomicFile: failures and abort', () => {
  it('a failed write of the temp: a WriteError naming the file, with the cause; the old file kept', async () => {
    const file = path.join(await tempDir(), 'retry.csv');
    await writeFile(file, 'old\n');
    const eio = Object.assign(new Error('EIO: injected'), { code: 'EIO' });
    const temp = memoryTemp({ step: 'write', error: eio });
    const list = await AtomicFile.open(file, { openFile: temp.open });
    await list.write('new\n');
    expect(await failure(list.commit())).toEqual({ kind: 'WriteError', message: 'could not be written: I/O error (EIO); no file was replaced', file, cause: eio });
    expect(await readFile(file, 'utf8')).toBe('old\n');
    expect(temp.log.closes).toBe(1); // closed once, by the abort
  });

  it('the rename fails (the target became a folder with something in it): a WriteError with the cause; every temp removed, the other files kept', async () => {
    const dir = await tempDir();
    const first = path.join(dir, 'a.csv');
    const second = path.join(dir, 'b.csv');
    await writeFile(first, 'old a\n');
    const a = await AtomicFile.open(first);
    const b = await AtomicFile.open(second);
    await a.write('new a\n');
    await b.write('new b\n');
    await mkdir(second);
    await writeFile(path.join(second, 'inside'), 'x');
    const error = await failure(AtomicFile.commitAll([b, a]));
    expect(error.kind).toBe('WriteError');
    expect(error.message).toMatch(/^could not be replaced: (EISDIR|ENOTEMPTY|EEXIST): /);
    expect(error.file).toBe(second);
    expect((error.cause as NodeJS.ErrnoException).code).toMatch(/^(EISDIR|ENOTEMPTY|EEXIST)$/);
    expect((await readdir(dir)).sort()).toEqual(['a.csv', 'b.csv']);
    expect(await readFile(first, 'utf8')).toBe('old a\n');
  });

  it('abort of an open file: its temp closed once and removed; a second abort does nothing', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'retry.csv');
    const temp = memoryTemp();
    const list = await AtomicFile.open(file, { openFile: temp.open });
    await list.abort();
    expect(temp.log.closes).toBe(1);
    expect(await readdir(dir)).toEqual([]);
    await list.abort();
    expect(temp.log.closes).toBe(1);
  });

  it('commitAll where a later file fails to complete: the one already completed is not closed again', async () => {
    const dir = await tempDir();
    const good = memoryTemp();
    const bad = memoryTemp({ step: 'sync', error: Object.assign(new Error('EIO: injected'), { code: 'EIO' }) });
    const a = await AtomicFile.open(path.join(dir, 'a.csv'), { openFile: good.open });
    const b = await AtomicFile.open(path.join(dir, 'b.csv'), { openFile: bad.open });
    await a.write('a\n');
    await b.write('b\n');
    await expect(AtomicFile.commitAll([a, b])).rejects.toThrow('could not be written: I/O error (EIO); no file was replaced');
    expect(good.log.closes).toBe(1); // by its complete, not again by the abort
    expect(bad.log.closes).toBe(1); // its sync failed before its close: closed by the abort
  });

  it('abort after commit does nothing: a temp of the same name, made since by another open, stays', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'retry.csv');
    const first = await AtomicFile.open(file);
    await first.write('first\n');
    await first.commit();
    const second = await AtomicFile.open(file); // the same temp name (this pid)
    await first.abort();
    await second.write('second\n');
    await second.commit();
    expect(await readFile(file, 'utf8')).toBe('second\n');
  });
});
