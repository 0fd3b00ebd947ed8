// FileLock on a file system that fails where a real one seldom does (no hard links, a full disk, an
// I/O error, a race lost between two calls): node:fs/promises is replaced by a pass-through whose
// calls a test can take over one by one. A vi.mock needs a module graph of the file's own, so this
// file runs in vitest.config.ts's `unit-alone` project (ALONE), not beside the shared-module files.
import type { FileHandle } from 'node:fs/promises';
import { readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { InputError } from '../../src/errors.js';
import { FileLock } from '../../src/fs/file-lock.js';
import { formatIdentity, ownIdentity, parseIdentity } from '../../src/fs/process-identity.js';
import { tempDir } from '../helpers.js';
import { clearHooks, type FsHooks } from './hooked-fs.js';

const hooks = vi.hoisted(() => ({}) as FsHooks);
vi.mock('node:fs/promises', async (importOriginal) => (await import('./hooked-fs.js')).hookedFs(await importOriginal(), hooks));
afterEach(() => clearHooks(hooks));

const DEAD = 999_999_999;
const fail = (code: string) => Promise.reject(Object.assign(new Error(`${code}: injected failure`), { code }));
/** No pause between tries takes any time: the pauses are recorded. */
function recordingClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => 0, date: () => new Date(0), sleep: async (ms) => void slept.push(ms) };
}
const noHeartbeat = () => () => undefined;
const holderOf = async (file: string) => parseIdentity(await readFile(`${file}.lock`, 'utf8'))?.pid;
/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected a refusal');
  return { kind: error.constructor.name, message: error.message, location: (error as InputError).location };
}

/** A handle whose writes fail with ENOSPC (a full disk). */
async function fullDisk(handle: Promise<FileHandle>): Promise<FileHandle> {
  const opened = await handle;
  opened.write = (() => fail('ENOSPC')) as FileHandle['write'];
  return opened;
}

describe('FileLock on a file system without hard links: an exclusive create', () => {
  it.each(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV'])('link failing with %s: the lock is created exclusively, whole, and a second taker is refused', async (code) => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl');
    hooks.link = () => fail(code);
    const clock = recordingClock();
    const lock = await FileLock.take(file, { pid: 4242, isAlive: () => true, clock, every: noHeartbeat });
    expect(await readFile(lock.lockFile, 'utf8')).toBe(formatIdentity({ ...ownIdentity(), pid: 4242, start: undefined }));
    expect(await readdir(dir)).toEqual(['l.jsonl.lock']);
    expect(await lock.check()).toBe(true);
    // The exclusive create finds the lock there: refused as any taker is.
    expect(await refusal(FileLock.take(file, { pid: 4343, isAlive: () => true, clock, every: noHeartbeat }))).toEqual({
      kind: 'InputError',
      message: `in use by another wa-broadcast (pid 4242): one process at a time per file; wait for it to finish or stop it first (if no such process runs, remove ${lock.lockFile})`,
      location: { file },
    });
    expect(clock.slept).toEqual([]);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('the exclusive create failing to write (a full disk): a write error, and no lock left behind', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl');
    const lockFile = `${file}.lock`;
    hooks.link = () => fail('EPERM');
    hooks.open = (real, ...args) => (args[0] === lockFile ? fullDisk(real(...args)) : real(...args));
    expect(await refusal(FileLock.take(file, { clock: recordingClock() }))).toEqual({ kind: 'WriteError', message: 'cannot create the lock: no space left on device (ENOSPC)', location: { file: lockFile } });
    expect(await readdir(dir)).toEqual([]);
  });

  it('the exclusive create refused (permission denied): named, not retried', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl');
    const lockFile = `${file}.lock`;
    hooks.link = () => fail('EPERM');
    hooks.open = (real, ...args) => (args[0] === lockFile ? fail('EACCES') : real(...args));
    const clock = recordingClock();
    expect(await refusal(FileLock.take(file, { clock }))).toEqual({ kind: 'InputError', message: `cannot create the lock ${lockFile}: permission denied (EACCES)`, location: { file } });
    expect(clock.slept).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('FileLock: creating the lock fails', () => {
  it('link failing otherwise (EIO): a write error at once, not 50 tries, and no file of ours left', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl');
    hooks.link = () => fail('EIO');
    const clock = recordingClock();
    expect(await refusal(FileLock.take(file, { clock }))).toEqual({ kind: 'WriteError', message: 'cannot create the lock: I/O error (EIO)', location: { file: `${file}.lock` } });
    expect(clock.slept).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['EACCES', 'permission denied (EACCES)'],
    ['EPERM', 'permission denied (EPERM)'],
    ['EROFS', 'read-only file system (EROFS)'],
  ])('our own file refused with %s: what the user can fix, naming the lock', async (code, words) => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl');
    hooks.open = (real, ...args) => (String(args[0]).endsWith('.tmp') ? fail(code) : real(...args));
    expect(await refusal(FileLock.take(file, { clock: recordingClock() }))).toEqual({ kind: 'InputError', message: `cannot create the lock ${file}.lock: ${words}`, location: { file } });
  });

  it('our own file cut short by a full disk: a write error, the file removed', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl');
    hooks.open = (real, ...args) => (String(args[0]).endsWith('.tmp') ? fullDisk(real(...args)) : real(...args));
    expect(await refusal(FileLock.take(file, { clock: recordingClock() }))).toEqual({ kind: 'WriteError', message: 'cannot create the lock: no space left on device (ENOSPC)', location: { file: `${file}.lock` } });
    expect(await readdir(dir)).toEqual([]);
  });

  it('the lock there when we tried, gone when we looked (released meanwhile): one pause, then taken', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    let refused = 0;
    hooks.link = (real, ...args) => (refused++ === 0 ? fail('EEXIST') : real(...args));
    const clock = recordingClock();
    const lock = await FileLock.take(file, { pid: 4242, clock, every: noHeartbeat });
    expect(clock.slept).toEqual([1]);
    expect(await holderOf(file)).toBe(4242);
    await lock.release();
  });

  it('a dead holder’s lock taken over by another process while we made our guard: not ours; we try again and find it live', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    await writeFile(`${file}.lock`, `${DEAD}\n`);
    hooks.link = async (real, existing, target) => {
      // The other process finished its takeover just before our guard appeared.
      if (String(target).endsWith('.takeover')) await writeFile(`${file}.lock`, formatIdentity({ pid: 5555 }));
      return real(existing, target);
    };
    const clock = recordingClock();
    expect(await refusal(FileLock.take(file, { pid: 4242, isAlive: (pid) => pid === 5555, clock, every: noHeartbeat }))).toEqual({
      kind: 'InputError',
      message: `in use by another wa-broadcast (pid 5555): one process at a time per file; wait for it to finish or stop it first (if no such process runs, remove ${file}.lock)`,
      location: { file },
    });
    expect(clock.slept).toEqual([1]);
    expect(await holderOf(file)).toBe(5555);
    expect(await readdir(path.dirname(file))).toEqual(['l.jsonl.lock']);
  });

  it('a takeover whose rename fails: a write error; the dead holder’s lock stays, nothing of ours beside it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl');
    await writeFile(`${file}.lock`, `${DEAD}\n`);
    hooks.rename = () => fail('EIO');
    const clock = recordingClock();
    expect(await refusal(FileLock.take(file, { pid: 4242, isAlive: () => false, clock }))).toEqual({ kind: 'WriteError', message: 'cannot create the lock: I/O error (EIO)', location: { file: `${file}.lock` } });
    expect(await readdir(dir)).toEqual(['l.jsonl.lock']);
    expect(await readFile(`${file}.lock`, 'utf8')).toBe(`${DEAD}\n`);
    expect(clock.slept).toEqual([]);
  });
});

describe('FileLock.check: the lock file by device, inode and birth time', () => {
  it.each(['dev', 'ino'] as const)('a lock file with the same birth time but another %s is not ours', async (field) => {
    const file = path.join(await tempDir(), 'l.jsonl');
    const lost: string[] = [];
    const lock = await FileLock.take(file, { every: noHeartbeat, onLost: (why) => lost.push(why) });
    hooks.stat = (real, ...args) => (args[0] === lock.lockFile ? real(...args).then((info) => Object.assign(info, { [field]: info[field] + 1 })) : real(...args));
    expect(await lock.check()).toBe(false);
    expect(lost).toEqual([`the lock ${lock.lockFile} was taken over by another process`]);
  });

  it('the heartbeat noticing while check looks: lost once, said once', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    const jobs: (() => void)[] = [];
    const lost: string[] = [];
    const lock = await FileLock.take(file, { every: (_ms, fn) => (jobs.push(fn), () => undefined), onLost: (why) => lost.push(why) });
    const looking = gate();
    let asked!: () => void;
    const statAsked = new Promise<void>((resolve) => (asked = resolve));
    hooks.stat = (real, ...args) => {
      asked();
      return looking.opened.then(() => real(...args));
    };
    await unlink(lock.lockFile);
    const checking = lock.check();
    await statAsked;
    jobs[0]!();
    for (let i = 0; i < 1000 && lost.length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(lost).toEqual([`the lock ${lock.lockFile} was removed`]);
    looking.open();
    expect(await checking).toBe(false);
    expect(lost).toEqual([`the lock ${lock.lockFile} was removed`]);
  });

  it('check noticing while the heartbeat reads: lost once, said once', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    const jobs: (() => void)[] = [];
    const lost: string[] = [];
    const lock = await FileLock.take(file, { every: (_ms, fn) => (jobs.push(fn), () => undefined), onLost: (why) => lost.push(why) });
    const reading = gate();
    let read!: () => void;
    const readDone = new Promise<void>((resolve) => (read = resolve));
    hooks.readFile = (real, ...args) => {
      const result = reading.opened.then(() => real(...args));
      void result.then(read, read);
      return result;
    };
    jobs[0]!();
    await unlink(lock.lockFile);
    expect(await lock.check()).toBe(false);
    expect(lost).toEqual([`the lock ${lock.lockFile} was removed`]);
    reading.open();
    await readDone;
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(lost).toEqual([`the lock ${lock.lockFile} was removed`]);
  });
});

describe('FileLock: a takeover is a compare-and-swap', () => {
  it("a lock another process made in the moment between our check and the replacement is never replaced: it stays theirs, whole, and we are refused", async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl');
    const lockFile = `${file}.lock`;
    await writeFile(lockFile, `${DEAD}\n`);
    const theirs = formatIdentity({ ...ownIdentity(), pid: 4343 });
    let swapped = false;
    hooks.rename = async (real, from, to) => {
      // Just before our first rename, the other process wins the dead lock (its own lock, a new file).
      if (!swapped) {
        swapped = true;
        await writeFile(`${lockFile}.theirs`, theirs);
        await real(`${lockFile}.theirs`, lockFile);
      }
      return real(from, to);
    };
    const isAlive = (pid: number) => pid !== DEAD;
    const refused = await refusal(FileLock.take(file, { pid: 4242, isAlive, every: noHeartbeat, clock: recordingClock() }));
    expect(swapped).toBe(true);
    expect(refused.message).toMatch(/in use by another wa-broadcast \(pid 4343\)/);
    expect(await readFile(lockFile, 'utf8')).toBe(theirs);
    // Nothing of ours left beside it: the file moved aside was put back, not copied.
    expect((await readdir(dir)).sort()).toEqual(['l.jsonl.lock']);
  });

  it('the dead lock moved aside is removed, and ours is created in its place', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl');
    await writeFile(`${file}.lock`, `${DEAD}\n`);
    const renames: string[] = [];
    hooks.rename = async (real, from, to) => {
      renames.push(`${path.basename(String(from))} -> ${path.basename(String(to)).replace(/\.[0-9a-f]{12}\./, '.<random>.')}`);
      return real(from, to);
    };
    const lock = await FileLock.take(file, { pid: 4242, isAlive: (pid) => pid !== DEAD, every: noHeartbeat });
    expect(renames).toEqual(['l.jsonl.lock -> l.jsonl.lock.<random>.dead']);
    expect(await holderOf(file)).toBe(4242);
    expect((await readdir(dir)).sort()).toEqual(['l.jsonl.lock']);
    await lock.release();
  });
});
