// openRegularFile where the path changes between the look and the open, or the open or the handle
// fails as a real disk seldom does: node:fs/promises is replaced by a pass-through whose calls a
// test can take over. A vi.mock needs a module graph of the file's own, so this file runs in
// vitest.config.ts's `unit-alone` project (ALONE), not beside the shared-module files.
import type { FileHandle } from 'node:fs/promises';
import { chmod, readFile, stat as realStat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InputError } from '../../src/errors.js';
import { openRegularFile } from '../../src/fs/open-regular-file.js';
import { tempDir } from '../helpers.js';
import { clearHooks, type FsHooks } from './hooked-fs.js';

const hooks = vi.hoisted(() => ({}) as FsHooks);
vi.mock('node:fs/promises', async (importOriginal) => (await import('./hooked-fs.js')).hookedFs(await importOriginal(), hooks));
afterEach(() => clearHooks(hooks));

const fail = (code: string) => Promise.reject(Object.assign(new Error(`${code}: injected failure`), { code }));

/** What `openRegularFile` threw: its class, message, location and code. */
async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    (value) => {
      void (value as FileHandle | undefined)?.close();
      return undefined;
    },
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected a refusal');
  return { kind: error.constructor.name, message: error.message, location: (error as InputError).location, code: (error as NodeJS.ErrnoException).code };
}

async function existing(contents = 'x\n'): Promise<string> {
  const file = path.join(await tempDir(), 'f.jsonl');
  await writeFile(file, contents);
  return file;
}

/** The handles opened, each with how often it was truncated and chmod-ed, and whether it was closed. */
function countingHandles(change: (handle: FileHandle) => void = () => undefined) {
  const seen: { truncates: number; chmods: number; closed: boolean }[] = [];
  hooks.open = async (real, ...args) => {
    const handle = await real(...args);
    const counts = { truncates: 0, chmods: 0, closed: false };
    seen.push(counts);
    const { truncate, chmod: changeMode, close } = handle;
    handle.truncate = (...rest) => (counts.truncates++, truncate.apply(handle, rest));
    handle.chmod = (...rest) => (counts.chmods++, changeMode.apply(handle, rest));
    handle.close = () => ((counts.closed = true), close.apply(handle));
    change(handle);
    return handle;
  };
  return seen;
}

describe('openRegularFile: the path changed between the look and the open', () => {
  it('read: gone at the look, there at the open: passed on as the ENOENT it looked like', async () => {
    const file = await existing();
    hooks.stat = () => fail('ENOENT');
    expect(await refusal(openRegularFile(file, 'read'))).toEqual({ kind: 'Error', message: 'ENOENT: injected failure', location: undefined, code: 'ENOENT' });
  });

  it('read: there at the look, gone at the open: ENOENT itself as well', async () => {
    const file = await existing();
    hooks.open = () => fail('ENOENT');
    expect(await refusal(openRegularFile(file, 'read'))).toEqual({ kind: 'Error', message: 'ENOENT: injected failure', location: undefined, code: 'ENOENT' });
  });

  it('append: gone at the open (its folder removed meanwhile): that folder named', async () => {
    const file = await existing();
    hooks.open = () => fail('ENOENT');
    expect(await refusal(openRegularFile(file, 'append'))).toEqual({ kind: 'InputError', message: `the folder ${path.dirname(file)} does not exist`, location: { file }, code: 'INPUT' });
  });

  it('a regular file at the look, a folder by the open: refused from the handle, which is closed', async () => {
    const file = await existing();
    const folderInfo = await realStat(path.dirname(file));
    const handles = countingHandles((handle) => {
      handle.stat = (async () => folderInfo) as FileHandle['stat'];
    });
    expect(await refusal(openRegularFile(file, 'write', { mode: 0o600 }))).toEqual({ kind: 'InputError', message: 'is a folder, not a regular file; nothing was changed', location: { file }, code: 'INPUT' });
    expect(handles).toEqual([{ truncates: 0, chmods: 0, closed: true }]);
    expect(await readFile(file, 'utf8')).toBe('x\n');
  });
});

describe('openRegularFile: failures of the look, the open and the handle', () => {
  it.each(['read', 'append', 'write'] as const)('%s: the look failing otherwise (EIO): a write error naming the path, nothing opened', async (how) => {
    const file = await existing();
    hooks.stat = () => fail('EIO');
    const handles = countingHandles();
    expect(await refusal(openRegularFile(file, how))).toEqual({ kind: 'WriteError', message: 'cannot open: I/O error (EIO)', location: { file }, code: 'WRITE' });
    expect(handles).toEqual([]);
  });

  it.each([
    ['EISDIR', 'InputError', 'is a folder, not a regular file', 'INPUT'],
    ['ENXIO', 'InputError', 'is not a regular file', 'INPUT'],
    ['ENODEV', 'InputError', 'is not a regular file', 'INPUT'],
    ['EACCES', 'InputError', 'permission denied', 'INPUT'],
    ['EPERM', 'InputError', 'permission denied', 'INPUT'],
    ['EROFS', 'InputError', 'is on a read-only file system', 'INPUT'],
    ['EMFILE', 'WriteError', 'cannot open: EMFILE: injected failure', 'WRITE'],
  ])('the open failing with %s: %s "%s"', async (code, kind, message, errorCode) => {
    for (const how of ['read', 'append'] as const) {
      const file = await existing();
      hooks.open = () => fail(code);
      expect(await refusal(openRegularFile(file, how))).toEqual({ kind, message, location: { file }, code: errorCode });
    }
  });

  it('the handle failing to truncate: a write error ("cannot prepare"), the handle closed', async () => {
    const file = await existing();
    const handles = countingHandles((handle) => {
      handle.truncate = () => fail('EIO');
    });
    expect(await refusal(openRegularFile(file, 'write'))).toEqual({ kind: 'WriteError', message: 'cannot prepare the file: I/O error (EIO)', location: { file }, code: 'WRITE' });
    expect(handles).toEqual([{ truncates: 0, chmods: 0, closed: true }]);
  });
});

describe('openRegularFile: only what is needed', () => {
  it('write: an empty file is not truncated, one with bytes in it is', async () => {
    const dir = await tempDir();
    const empty = path.join(dir, 'empty');
    await writeFile(empty, '');
    const handles = countingHandles();
    await (await openRegularFile(empty, 'write')).close();
    await (await openRegularFile(path.join(dir, 'new'), 'write')).close();
    await (await openRegularFile(await existing(), 'write')).close();
    expect(handles).toEqual([
      { truncates: 0, chmods: 0, closed: true },
      { truncates: 0, chmods: 0, closed: true },
      { truncates: 1, chmods: 0, closed: true },
    ]);
  });

  it('a mode given that the file already has: no chmod; another one: one chmod', async () => {
    const file = await existing();
    await chmod(file, 0o600);
    const handles = countingHandles();
    await (await openRegularFile(file, 'append', { mode: 0o600 })).close();
    await chmod(file, 0o644);
    await (await openRegularFile(file, 'append', { mode: 0o600 })).close();
    expect(handles).toEqual([
      { truncates: 0, chmods: 0, closed: true },
      { truncates: 0, chmods: 1, closed: true },
    ]);
    expect((await realStat(file)).mode & 0o7777).toBe(0o600);
  });
});
