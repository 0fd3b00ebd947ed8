// AtomicFile's last step, the fsync of each folder a rename changed (without it a power cut can
// lose the rename): seen through a pass-through of node:fs/promises whose `open` records what it
// opened. A vi.mock needs a module graph of the file's own, so this file runs in vitest.config.ts's
// `unit-alone` project (ALONE), not beside the shared-module files.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AtomicFile } from '../../src/fs/atomic-file.js';
import type { WritableFile } from '../../src/fs/writable-file.js';
import { tempDir } from '../helpers.js';
import { clearHooks, type FsHooks } from './hooked-fs.js';

const hooks = vi.hoisted(() => ({}) as FsHooks);
vi.mock('node:fs/promises', async (importOriginal) => (await import('./hooked-fs.js')).hookedFs(await importOriginal(), hooks));
afterEach(() => clearHooks(hooks));

/** A temp kept in memory (the real file beside it empty, so that the rename has something to move). */
function memoryTemp(contents: string[]) {
  return async (name: string): Promise<WritableFile> => {
    await writeFile(name, '');
    return {
      write: async (data) => {
        contents.push(data.toString());
        await writeFile(name, contents.join(''));
        return data.length;
      },
      sync: async () => undefined,
      truncate: async () => undefined,
      size: async () => 0,
      close: async () => undefined,
    };
  };
}

describe('AtomicFile.commitAll: the folders are synced', () => {
  it('each folder of the files once, after the renames, each handle synced and closed', async () => {
    const first = await tempDir();
    const second = path.join(first, 'sub');
    await mkdir(second);
    const contents: string[][] = [[], [], []];
    const names = [path.join(first, 'a.csv'), path.join(first, 'b.csv'), path.join(second, 'c.csv')];
    const files = await Promise.all(names.map((name, i) => AtomicFile.open(name, { openFile: memoryTemp(contents[i]!) })));
    for (const [i, file] of files.entries()) await file.write(`${i}\n`);
    const opened: { path: string; flags: unknown; syncs: number; closed: boolean; renamed: boolean }[] = [];
    hooks.open = async (real, ...args) => {
      const handle = await real(...args);
      const seen = { path: String(args[0]), flags: args[1], syncs: 0, closed: false, renamed: (await readFile(names[2]!, 'utf8').catch(() => '')) === '2\n' };
      opened.push(seen);
      const { sync, close } = handle;
      handle.sync = () => (seen.syncs++, sync.apply(handle));
      handle.close = () => ((seen.closed = true), close.apply(handle));
      return handle;
    };
    await AtomicFile.commitAll(files);
    expect(await Promise.all(names.map((name) => readFile(name, 'utf8')))).toEqual(['0\n', '1\n', '2\n']);
    expect(opened).toEqual([
      { path: first, flags: 'r', syncs: 1, closed: true, renamed: true },
      { path: second, flags: 'r', syncs: 1, closed: true, renamed: true },
    ]);
  });
});
