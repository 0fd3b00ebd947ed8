import { access, appendFile, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { InputError, WriteError } from '../../src/errors.js';
import { FileLock } from '../../src/fs/file-lock.js';
import { JsonlAppender, type AppendFile, type JsonlAppenderOptions } from '../../src/fs/jsonl-appender.js';
import { openRegularFile } from '../../src/fs/open-regular-file.js';
import { writableFile } from '../../src/fs/writable-file.js';
import { tempDir } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';
import { FaultyDisk } from './faulty-disk.js';

// The appender's own rules (the ledger's and the webhook's writer), beside the ledger's tests of
// it through openLedgerWriter (test/ledger/): each test here fails on a mutant Stryker left alive
// in src/fs/jsonl-appender.ts (TESTING.md, "Surviving mutants in the critical parts").

interface Rec {
  n: number;
}
const rec = (n: number): Rec => ({ n });
const line = (n: number) => `${JSON.stringify(rec(n))}\n`;

async function fileWith(text = ''): Promise<string> {
  const file = path.join(await tempDir(), 'e.jsonl');
  await writeFile(file, text);
  return file;
}

/** The appender on a real file seen through `disk`. */
async function onDisk(disk: FaultyDisk, text = '', options: JsonlAppenderOptions = {}) {
  const file = await fileWith(text);
  const appender = await JsonlAppender.open<Rec>(file, { ...options, openFile: async (name) => disk.wrap(writableFile(await openRegularFile(name, 'append', { mode: 0o600 }))) });
  return { file, appender, text: () => readFile(file, 'utf8') };
}

/** A file that keeps what is written in memory and counts what is done to it; `gate` holds each write until released. */
function memoryFile() {
  const written: string[] = [];
  const counts = { syncs: 0, closes: 0 };
  let release: (() => void) | undefined;
  let gated = false;
  const file: AppendFile = {
    write: async (data) => {
      written.push(data.toString());
      if (gated) await new Promise<void>((resolve) => (release = resolve));
      return data.length;
    },
    sync: async () => void counts.syncs++,
    truncate: async () => undefined,
    size: async () => 0,
    close: async () => void counts.closes++,
  };
  return {
    file,
    written,
    counts,
    gate: () => (gated = true),
    release: () => {
      gated = false;
      release?.();
    },
  };
}

/** Whether `promise` has settled once pending callbacks and I/O had their turn (no clock moves). */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

const lockFileOf = async (file: string) => `${await realpath(file)}.lock`;
const exists = (file: string) => access(file).then(
  () => true,
  () => false,
);

describe('JsonlAppender: the lock', () => {
  it('opened with the caller’s lock: close leaves the lock held (the caller releases it)', async () => {
    const file = await fileWith();
    const lock = await FileLock.take(file);
    const appender = await JsonlAppender.open<Rec>(file, { lock });
    await appender.append(rec(1));
    await appender.close();
    expect(await exists(await lockFileOf(file))).toBe(true);
    await lock.release();
    expect(await exists(await lockFileOf(file))).toBe(false);
  });

  it('its own lock: released by close', async () => {
    const file = await fileWith();
    const appender = await JsonlAppender.open<Rec>(file);
    expect(await exists(await lockFileOf(file))).toBe(true);
    await appender.close();
    expect(await exists(await lockFileOf(file))).toBe(false);
  });
});

describe('JsonlAppender.open: a file that cannot be opened', () => {
  const sizeError = Object.assign(new Error('EIO: injected'), { code: 'EIO' });
  const unreadable = (closed: { count: number }) => async (): Promise<AppendFile> => ({
    ...memoryFile().file,
    size: async () => Promise.reject(sizeError),
    close: async () => void closed.count++,
  });

  it('its size unreadable: a WriteError naming the file and the cause; the handle closed, its own lock released', async () => {
    const file = await fileWith();
    const closed = { count: 0 };
    const error = await JsonlAppender.open<Rec>(file, { openFile: unreadable(closed) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as Error).message).toBe(`cannot open ${file}: I/O error (EIO)`);
    expect((error as Error).cause).toBe(sizeError);
    expect(closed.count).toBe(1);
    expect(await exists(await lockFileOf(file))).toBe(false);
  });

  it('with the caller’s lock: the lock stays held', async () => {
    const file = await fileWith();
    const lock = await FileLock.take(file);
    await expect(JsonlAppender.open<Rec>(file, { lock, openFile: unreadable({ count: 0 }) })).rejects.toThrow(WriteError);
    expect(await exists(await lockFileOf(file))).toBe(true);
    await lock.release();
  });

  it('a tail check that refuses the file (an InputError): that error, as it is', async () => {
    const file = await fileWith(`${line(1)}\0\0\0`);
    const refusal = new InputError('ends in zeros', { file });
    await expect(JsonlAppender.open<Rec>(file, { checkTail: async () => Promise.reject(refusal) })).rejects.toBe(refusal);
    expect(await readFile(file, 'utf8')).toBe(`${line(1)}\0\0\0`);
    expect(await exists(await lockFileOf(file))).toBe(false);
  });

  it('a tail that cannot be read or cut: a WriteError saying so, with the cause', async () => {
    const file = await fileWith(`${line(1)}{"n":`);
    const ioError = Object.assign(new Error('EIO: injected'), { code: 'EIO' });
    const error = await JsonlAppender.open<Rec>(file, { checkTail: async () => Promise.reject(ioError) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as Error).message).toBe(`cannot cut the torn last line of ${file}: I/O error (EIO)`);
    expect((error as Error).cause).toBe(ioError);
  });
});

describe('JsonlAppender: after close', () => {
  it('append and appendSoon reject, naming the file, and write nothing', async () => {
    const file = await fileWith(line(1));
    const appender = await JsonlAppender.open<Rec>(file);
    await appender.close();
    await expect(appender.append(rec(2))).rejects.toThrow(`${file} closed`);
    await expect(appender.appendSoon(rec(3))).rejects.toThrow(`${file} closed`);
    expect(await readFile(file, 'utf8')).toBe(line(1));
  });

  it('a second close does nothing: the file is closed once', async () => {
    const memory = memoryFile();
    const appender = await JsonlAppender.open<Rec>(await fileWith(), { openFile: async () => memory.file });
    await appender.append(rec(1));
    await appender.close();
    await appender.close();
    expect(memory.counts.closes).toBe(1);
  });

  it('no deferred flush stays planned once a write took its lines along', async () => {
    const manual = new ManualClock();
    let planned = 0;
    let waiting = 0;
    // The manual clock, counting the sleeps not yet over (fired or cancelled).
    const clock: Clock = {
      now: () => manual.now(),
      date: () => manual.date(),
      sleep: (ms, signal) => {
        planned++;
        waiting++;
        return manual.sleep(ms, signal).finally(() => waiting--);
      },
    };
    const memory = memoryFile();
    const appender = await JsonlAppender.open<Rec>(await fileWith(), { openFile: async () => memory.file, clock });
    const first = appender.append(rec(1)); // a write under way…
    const soon = appender.appendSoon(rec(2)); // …so this one plans a flush in 100 ms, and the write takes it along
    await Promise.all([first, soon]);
    await appender.settled();
    expect(memory.written.join('')).toBe(line(1) + line(2));
    expect(planned).toBe(1);
    expect(waiting).toBe(0);
    await appender.close();
  });
});

describe('JsonlAppender: waiting', () => {
  it('settled() resolves only once what was queued is written and synced', async () => {
    const memory = memoryFile();
    const appender = await JsonlAppender.open<Rec>(await fileWith(), { openFile: async () => memory.file, clock: new ManualClock() });
    void appender.appendSoon(rec(1));
    memory.gate();
    const settled = appender.settled();
    expect(await settledYet(settled)).toBe(false);
    expect(memory.written).toEqual([line(1)]); // the write is under way, held
    expect(memory.counts.syncs).toBe(0);
    memory.release();
    await settled;
    expect(memory.counts.syncs).toBe(1);
    await appender.close();
  });

  it('an append within its group window after an outcome appended soon: written at the window’s end (2 ms), not at once, not 100 ms later', async () => {
    const clock = new ManualClock();
    const memory = memoryFile();
    const appender = await JsonlAppender.open<Rec>(await fileWith(), { openFile: async () => memory.file, clock, groupMs: 2 });
    void appender.appendSoon(rec(1));
    const appended = appender.append(rec(2));
    expect(await settledYet(appended)).toBe(false);
    expect(memory.written).toEqual([]);
    await clock.advance(1);
    expect(memory.written).toEqual([]);
    await clock.advance(1);
    await appended;
    expect(memory.written).toEqual([line(1) + line(2)]);
    await appender.close();
  });
});

describe('JsonlAppender: when the deferred flush goes', () => {
  it('an outcome appended soon after an append in its group window: the window’s flush (2 ms) stands, not put off to 100 ms', async () => {
    const clock = new ManualClock();
    const memory = memoryFile();
    const appender = await JsonlAppender.open<Rec>(await fileWith(), { openFile: async () => memory.file, clock, groupMs: 2 });
    const appended = appender.append(rec(1));
    const soon = appender.appendSoon(rec(2));
    await clock.advance(1);
    expect(memory.written).toEqual([]);
    await clock.advance(1);
    await Promise.all([appended, soon]);
    expect(memory.written).toEqual([line(1) + line(2)]);
    await appender.close();
  });

  it('the 1,000th outcome waiting is written at once with the 999 before it, no clock move', async () => {
    const memory = memoryFile();
    const appender = await JsonlAppender.open<Rec>(await fileWith(), { openFile: async () => memory.file, clock: new ManualClock() });
    const waiting = Array.from({ length: 999 }, (_, i) => appender.appendSoon(rec(i)));
    expect(await settledYet(Promise.all(waiting))).toBe(false);
    expect(memory.written).toEqual([]);
    const thousandth = appender.appendSoon(rec(999));
    // The write checks the (real) lock beside it: give that I/O time, the clock standing still.
    let written = false;
    void Promise.all([...waiting, thousandth]).then(() => (written = true));
    for (let i = 0; i < 2000 && !written; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBe(true);
    expect(memory.written).toEqual([Array.from({ length: 1000 }, (_, i) => line(i)).join('')]);
    expect(memory.counts.syncs).toBe(1);
    await appender.close();
  });
});

describe('JsonlAppender after a failure', () => {
  it("stop: a later append rejects at once with the first failure, without waiting for a flush", async () => {
    const clock = new ManualClock();
    const disk = new FaultyDisk().failNext('write', 'EIO');
    const { appender, text } = await onDisk(disk, line(1), { clock, groupMs: 2 });
    const failed = appender.append(rec(2)).then(
      () => undefined,
      (error: unknown) => error,
    );
    await clock.advance(2);
    expect(String(await failed)).toContain('I/O error (EIO)');
    const first = appender.failed;
    expect(first).toBeInstanceOf(WriteError);
    // No clock move: were it queued for a flush, the group window (2 ms) or the deferral (100 ms) would hold it.
    const refusal = (promise: Promise<void>) => promise.then(
      () => 'written',
      (error: unknown) => error,
    );
    const later = refusal(appender.append(rec(3)));
    const soon = refusal(appender.appendSoon(rec(4)));
    expect(await settledYet(later)).toBe(true);
    expect(await settledYet(soon)).toBe(true);
    expect(await later).toBe(first);
    expect(await soon).toBe(first);
    // The failed write's line and the two refused after it: none of the three is on disk.
    expect(appender.unsaved).toBe(3);
    expect(disk.writes).toBe(1);
    await appender.close();
    expect(await text()).toBe(line(1));
  });

  it("retry: each failure is reported as it is (a second, different one is not the first's)", async () => {
    const disk = new FaultyDisk().failNext('write', 'ENOSPC').failNext('write', 'EIO');
    const { appender, text } = await onDisk(disk, line(1), { afterFailure: 'retry' });
    await expect(appender.append(rec(2))).rejects.toThrow('no space left on device (ENOSPC)');
    expect(appender.failed?.message).toContain('ENOSPC');
    await expect(appender.append(rec(3))).rejects.toThrow('I/O error (EIO)');
    expect(appender.failed?.message).toContain('EIO');
    expect(appender.failed?.message).not.toContain('ENOSPC');
    expect(appender.unsaved).toBe(2);
    await appender.append(rec(4));
    await appender.close();
    expect(await text()).toBe(line(1) + line(4));
  });

  it('retry: a line queued behind a failed write is not rejected with it, and goes in the next write; a cut is made once', async () => {
    const disk = new FaultyDisk().failNext('write', 'EIO');
    const { appender, text } = await onDisk(disk, line(1), { afterFailure: 'retry' });
    const results = await Promise.allSettled([appender.append(rec(2)), appender.append(rec(3))]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
    expect(appender.unsaved).toBe(0);
    // One sync for the cut after the failed write, one for the write of line 3: the cut is not made again.
    expect(disk.syncs).toBe(2);
    await appender.close();
    expect(disk.syncs).toBe(2);
    expect(await text()).toBe(line(1) + line(3));
  });
});

describe('JsonlAppender: a lock lost while writing', () => {
  it('noticed by an earlier write: a failed sync is not cut back over what another process appended', async () => {
    const disk = new FaultyDisk();
    const { file, appender, text } = await onDisk(disk, line(1));
    await rm(await lockFileOf(file));
    await appendFile(file, line(100)); // the process that took the ledger over
    await appender.append(rec(2)); // its check of the lock notices
    expect(appender.lockLost).toMatch(/was removed$/);
    disk.failNext('sync', 'EIO');
    await expect(appender.append(rec(3))).rejects.toThrow('EIO');
    await appender.close();
    expect(await text()).toBe(line(1) + line(100) + line(2) + line(3));
  });

  it('not noticed yet (the write fails before the check beside it answers): the cut asks again, and is not made', async () => {
    const disk = new FaultyDisk();
    const { file, appender, text } = await onDisk(disk, line(1));
    await rm(await lockFileOf(file));
    await appendFile(file, line(100));
    disk.failNext('write', 'EIO');
    await expect(appender.append(rec(2))).rejects.toThrow('EIO');
    expect(appender.lockLost).toMatch(/was removed$/);
    await appender.close();
    expect(await text()).toBe(line(1) + line(100));
  });
});
