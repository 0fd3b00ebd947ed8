// node:fs/promises as a pass-through whose calls a test can take over one by one, for the files that
// replace it with vi.mock (they run in vitest.config.ts's `unit-alone` project: a mock needs a
// module graph of the file's own). In the test file:
//
//   const hooks = vi.hoisted(() => ({}) as FsHooks);
//   vi.mock('node:fs/promises', async (importOriginal) => (await import('./hooked-fs.js')).hookedFs(await importOriginal(), hooks));
//   afterEach(() => clearHooks(hooks));
import type { PathLike, Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

type Fs = typeof import('node:fs/promises');

/** A call taken over: given the real function and the call's arguments. */
export interface FsHooks {
  link?: (real: Fs['link'], existing: PathLike, target: PathLike) => Promise<void>;
  open?: (real: (path: PathLike, flags?: number | string, mode?: number) => Promise<FileHandle>, path: PathLike, flags?: number | string, mode?: number) => Promise<FileHandle>;
  rename?: (real: Fs['rename'], from: PathLike, to: PathLike) => Promise<void>;
  stat?: (real: (path: PathLike) => Promise<Stats>, path: PathLike) => Promise<Stats>;
  readFile?: (real: (path: PathLike, encoding: BufferEncoding) => Promise<string>, path: PathLike, encoding: BufferEncoding) => Promise<string>;
}

/** `real` with link, open, rename, stat and readFile going through `hooks` when one is set. */
export function hookedFs(real: Fs, hooks: FsHooks): Fs {
  const hooked = (name: keyof FsHooks) => {
    const original = real[name] as (...args: unknown[]) => unknown;
    return (...args: unknown[]) => {
      const hook = hooks[name] as ((real: unknown, ...args: unknown[]) => unknown) | undefined;
      return hook ? hook(original, ...args) : original(...args);
    };
  };
  return { ...real, default: real, link: hooked('link'), open: hooked('open'), rename: hooked('rename'), stat: hooked('stat'), readFile: hooked('readFile') } as Fs;
}

/** Every hook removed: each test starts on the real file system. */
export function clearHooks(hooks: FsHooks): void {
  for (const name of Object.keys(hooks) as (keyof FsHooks)[]) delete hooks[name];
}
