import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { openRegularFile } from '../../src/fs/open-regular-file.js';
import { tempDir } from '../helpers.js';

/** What `openRegularFile` threw: its class, message and location. */
async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected a refusal');
  return { kind: error.constructor.name, message: error.message, location: (error as InputError).location, code: (error as NodeJS.ErrnoException).code };
}

describe('openRegularFile: what it opens, and how', () => {
  it('append: created if missing, mode 0600 by default, every write at the end (a write at offset 0 too)', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    const handle = await openRegularFile(file, 'append');
    await handle.write('one\n');
    await handle.write('two\n', 0, 'utf8');
    await handle.close();
    expect(await readFile(file, 'utf8')).toBe('one\ntwo\n');
    expect((await stat(file)).mode & 0o7777).toBe(0o600);
    const again = await openRegularFile(file, 'append');
    // Read-write: the writer reads its own tail (the torn-line check).
    const { bytesRead } = await again.read(Buffer.alloc(3), 0, 3, 0);
    expect(bytesRead).toBe(3);
    await again.write('three\n');
    await again.close();
    expect(await readFile(file, 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('write: emptied when it existed', async () => {
    const file = path.join(await tempDir(), 'd.csv');
    await writeFile(file, 'old contents\n');
    const handle = await openRegularFile(file, 'write', { mode: 0o600 });
    await handle.write('new\n');
    await handle.close();
    expect(await readFile(file, 'utf8')).toBe('new\n');
  });

  it('read: an existing file, read-only, its mode left as it was even when a mode is given', async () => {
    const file = path.join(await tempDir(), 'list.csv');
    await writeFile(file, 'phone\n');
    await chmod(file, 0o644);
    const handle = await openRegularFile(file, 'read', { mode: 0o600 });
    expect(await handle.readFile('utf8')).toBe('phone\n');
    await expect(handle.write('x')).rejects.toMatchObject({ code: 'EBADF' });
    await handle.close();
    expect((await stat(file)).mode & 0o7777).toBe(0o644);
  });

  it('a mode given: an existing file with a wider one (or set-id bits) is narrowed to it; without a mode, left alone', async () => {
    const dir = await tempDir();
    const wide = path.join(dir, 'wide');
    await writeFile(wide, 'x');
    await chmod(wide, 0o4644);
    await (await openRegularFile(wide, 'append', { mode: 0o600 })).close();
    expect((await stat(wide)).mode & 0o7777).toBe(0o600);
    const untouched = path.join(dir, 'untouched');
    await writeFile(untouched, 'x');
    await chmod(untouched, 0o640);
    await (await openRegularFile(untouched, 'write')).close();
    expect((await stat(untouched)).mode & 0o7777).toBe(0o640);
  });

  it('a new file gets the mode given', async () => {
    const file = path.join(await tempDir(), 'n');
    await (await openRegularFile(file, 'write', { mode: 0o640 })).close();
    expect((await stat(file)).mode & 0o7777).toBe(0o640);
  });
});

describe('openRegularFile: refusals, one line naming the path', () => {
  it('read: a missing file is passed on as ENOENT itself (a missing list can mean an empty one)', async () => {
    const file = path.join(await tempDir(), 'missing.csv');
    expect(await refusal(openRegularFile(file, 'read'))).toMatchObject({ kind: 'Error', code: 'ENOENT' });
  });

  it('append or write in a folder that does not exist: that folder named', async () => {
    const dir = path.join(await tempDir(), 'nowhere');
    const file = path.join(dir, 'l.jsonl');
    for (const how of ['append', 'write'] as const) {
      expect(await refusal(openRegularFile(file, how))).toEqual({ kind: 'InputError', message: `the folder ${dir} does not exist`, location: { file }, code: 'INPUT' });
    }
  });

  it('a path through a file; a name too long; a loop of symbolic links', async () => {
    const dir = await tempDir();
    const plain = path.join(dir, 'plain');
    await writeFile(plain, '');
    const through = path.join(plain, 'l.jsonl');
    expect(await refusal(openRegularFile(through, 'append'))).toEqual({ kind: 'InputError', message: 'a folder on this path is a file', location: { file: through }, code: 'INPUT' });
    const long = path.join(dir, 'x'.repeat(300));
    expect(await refusal(openRegularFile(long, 'append'))).toEqual({ kind: 'InputError', message: 'the path is too long', location: { file: long }, code: 'INPUT' });
    const loop = path.join(dir, 'a');
    await symlink(path.join(dir, 'b'), loop);
    await symlink(loop, path.join(dir, 'b'));
    expect(await refusal(openRegularFile(loop, 'append'))).toEqual({
      kind: 'InputError',
      message: 'too many symbolic links (or a symbolic link where a file of our own belongs)',
      location: { file: loop },
      code: 'INPUT',
    });
  });

  it('noFollow: a symbolic link is refused without touching what it points to; without it, the link is followed', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'target');
    await writeFile(target, 'kept\n');
    await chmod(target, 0o644);
    const link = path.join(dir, 'link');
    await symlink(target, link);
    expect(await refusal(openRegularFile(link, 'write', { mode: 0o600, noFollow: true }))).toEqual({
      kind: 'InputError',
      message: 'is a symbolic link where a file of our own belongs: remove it',
      location: { file: link },
      code: 'INPUT',
    });
    expect(await readFile(target, 'utf8')).toBe('kept\n');
    expect((await stat(target)).mode & 0o7777).toBe(0o644);
    const handle = await openRegularFile(link, 'append');
    await handle.write('more\n');
    await handle.close();
    expect(await readFile(target, 'utf8')).toBe('kept\nmore\n');
  });

  it('a folder, a named pipe, a device: refused by type, nothing written or chmod-ed', async () => {
    const dir = await tempDir();
    const folder = path.join(dir, 'folder');
    await mkdir(folder, { mode: 0o755 });
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', ['-m', '644', fifo]);
    for (const how of ['read', 'append', 'write'] as const) {
      expect(await refusal(openRegularFile(folder, how, { mode: 0o600 }))).toEqual({ kind: 'InputError', message: 'is a folder, not a regular file; nothing was changed', location: { file: folder }, code: 'INPUT' });
      // A pipe with no reader: opened, it would block (or fail); refused before any open.
      expect(await refusal(openRegularFile(fifo, how, { mode: 0o600 }))).toEqual({ kind: 'InputError', message: 'is a named pipe (FIFO), not a regular file; nothing was changed', location: { file: fifo }, code: 'INPUT' });
    }
    expect((await stat(folder)).mode & 0o7777).toBe(0o755);
    expect((await stat(fifo)).mode & 0o7777).toBe(0o644);
    const before = (await stat('/dev/null')).mode;
    expect(await refusal(openRegularFile('/dev/null', 'append', { mode: 0o600 }))).toEqual({ kind: 'InputError', message: 'is a character device, not a regular file; nothing was changed', location: { file: '/dev/null' }, code: 'INPUT' });
    expect((await stat('/dev/null')).mode).toBe(before);
  });
});
