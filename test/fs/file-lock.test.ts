import { link, mkdir, readdir, readFile, realpath, rename, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { InputError } from '../../src/errors.js';
import { FileLock, HEARTBEAT_MS, STALE_MS } from '../../src/fs/file-lock.js';
import { formatIdentity, holderState, ownIdentity, parseIdentity, startTimeOf, type ProcessIdentity } from '../../src/fs/process-identity.js';
import { tempDir } from '../helpers.js';

const DEAD = 999_999_999;

/** Starts `contenders` takes at once, each as its own pid; everyone but DEAD is alive. */
async function race(file: string, contenders: number): Promise<{ winners: number[]; refused: number }> {
  const isAlive = (pid: number) => pid !== DEAD;
  const results = await Promise.allSettled(Array.from({ length: contenders }, (_, i) => FileLock.take(file, { pid: 1000 + i, isAlive })));
  const winners: number[] = [];
  let refused = 0;
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') {
      winners.push(1000 + i);
    } else {
      expect(String(result.reason.message)).toMatch(/in use by another wa-broadcast \(pid 10\d\d\)|another process keeps taking it/);
      refused++;
    }
  });
  return { winners, refused };
}

/** Waits for real I/O (the lock's heartbeat writes and reads files) until `condition` holds: each check is I/O itself, no timer. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition never held');
}

const holderOf = async (file: string) => parseIdentity(await readFile(`${file}.lock`, 'utf8'))?.pid;

/** A manual heartbeat: `tick()` runs what the lock scheduled. */
function manualTimer() {
  const jobs: (() => void)[] = [];
  return {
    every: (_ms: number, fn: () => void) => {
      jobs.push(fn);
      return () => jobs.splice(jobs.indexOf(fn), 1);
    },
    tick: () => {
      for (const job of [...jobs]) job();
    },
  };
}

describe('FileLock: one holder', () => {
  it('of many processes starting at once, exactly one holds the lock, and the lock names it', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    for (let round = 0; round < 20; round++) {
      const { winners, refused } = await race(file, 8);
      expect(winners).toHaveLength(1);
      expect(refused).toBe(7);
      expect(await holderOf(file)).toBe(winners[0]);
      // The winner finishes; the next round starts from no lock.
      await writeFile(`${file}.lock`, formatIdentity({ pid: DEAD }));
    }
  });

  it('of many processes taking over a dead holder’s lock at once, exactly one wins', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    for (let round = 0; round < 20; round++) {
      await writeFile(`${file}.lock`, `${DEAD}\n`);
      const { winners, refused } = await race(file, 8);
      expect(winners).toHaveLength(1);
      expect(refused).toBe(7);
      expect(await holderOf(file)).toBe(winners[0]);
    }
  });

  it('a live holder’s lock is never taken over; a released one is taken at once', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    const first = await FileLock.take(file, { pid: 4242, isAlive: () => true });
    await expect(FileLock.take(file, { pid: 4343, isAlive: () => true })).rejects.toThrow(/pid 4242\).*remove .*c\.ledger\.jsonl\.lock/);
    await first.release();
    const second = await FileLock.take(file, { pid: 4343, isAlive: () => true });
    expect(await holderOf(file)).toBe(4343);
    await second.release();
  });

  it('a takeover guard left by a process that died in the middle of a takeover is cleared once old', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    await writeFile(`${file}.lock`, `${DEAD}\n`);
    await writeFile(`${file}.lock.takeover`, `${DEAD}\n`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock.takeover`, old, old);
    const { winners } = await race(file, 4);
    expect(winners).toHaveLength(1);
  });
});

describe('FileLock: the pause between tries', () => {
  it('waits on the injected clock, growing, while another process keeps a takeover under way, then gives up', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    await writeFile(`${file}.lock`, `${DEAD}\n`);
    // A fresh guard: a takeover another process is in the middle of, never finished here.
    await writeFile(`${file}.lock.takeover`, `${DEAD}\n`);
    const slept: number[] = [];
    const clock: Clock = { now: () => 0, date: () => new Date(), sleep: async (ms) => void slept.push(ms) };
    await expect(FileLock.take(file, { pid: 4242, isAlive: () => false, clock })).rejects.toThrow(/could not take the lock .*c\.ledger\.jsonl\.lock: another process keeps taking it/);
    // 50 tries, a pause after each: 1, 3, 5, … ms, at most 50.
    expect(slept).toEqual(Array.from({ length: 50 }, (_, tries) => Math.min(50, 1 + tries * 2)));
  });
});

describe('FileLock: the same file by another name', () => {
  it('a symbolic link to a ledger in use shares its lock: the second send is refused', async () => {
    const dir = await tempDir();
    const real = path.join(dir, 'real.ledger.jsonl');
    await writeFile(real, '');
    await mkdir(path.join(dir, 'other'));
    const alias = path.join(dir, 'other', 'alias.ledger.jsonl');
    await symlink(real, alias);
    const first = await FileLock.take(real, { pid: 4242, isAlive: () => true });
    await expect(FileLock.take(alias, { pid: 4343, isAlive: () => true })).rejects.toThrow(/pid 4242/);
    await expect(FileLock.refuseIfHeld(alias, { pid: 4343, isAlive: () => true })).rejects.toThrow(/pid 4242/);
    await first.release();
  });

  it('a ledger with a second hard link is refused: the other name would have a lock of its own', async () => {
    const dir = await tempDir();
    const real = path.join(dir, 'real.ledger.jsonl');
    await writeFile(real, '');
    await link(real, path.join(dir, 'hard.ledger.jsonl'));
    await expect(FileLock.take(real, { pid: 4242 })).rejects.toThrow(/has 2 hard links/);
    // Refused without leaving a lock behind.
    await expect(stat(`${real}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a symbolic link to nothing is named as such', async () => {
    const dir = await tempDir();
    const dangling = path.join(dir, 'gone.ledger.jsonl');
    await symlink(path.join(dir, 'nowhere.jsonl'), dangling);
    await expect(FileLock.take(dangling)).rejects.toThrow(/symbolic link to a file that does not exist/);
  });

  it('a lock path that is a symbolic link is refused at once, not retried', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'c.ledger.jsonl');
    await symlink(path.join(dir, 'nowhere'), `${file}.lock`);
    await expect(FileLock.take(file)).rejects.toThrow(/is a symbolic link, not a lock file/);
  });
});

describe('FileLock: holders it cannot check by pid', () => {
  const foreign = (over: Partial<ProcessIdentity>): ProcessIdentity => ({ ...ownIdentity(), ...over });

  it('a lock of pid 1 in another container (pid namespace) is live while its heartbeat is fresh, dead once stale', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    await writeFile(`${file}.lock`, formatIdentity(foreign({ pid: 1, pidns: 'pid:[1]', start: '7' })));
    const now = Date.now();
    // pid 1 runs here too, and has another start time: neither says anything about the other container's pid 1.
    await expect(FileLock.take(file, { now: () => now + STALE_MS - 1000 })).rejects.toThrow(/pid 1\)/);
    const lock = await FileLock.take(file, { now: () => now + STALE_MS + 1000 });
    expect(await holderOf(file)).toBe(process.pid);
    await lock.release();
  });

  it('a lock from another host: the same; one from an earlier boot of this host is dead at once', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    await writeFile(`${file}.lock`, formatIdentity(foreign({ pid: process.pid, host: 'worker-2' })));
    await expect(FileLock.take(file)).rejects.toThrow(/on worker-2/);
    await writeFile(`${file}.lock`, formatIdentity(foreign({ pid: process.pid, boot: 'an-earlier-boot' })));
    const lock = await FileLock.take(file);
    await lock.release();
  });

  it('a pid now used by another process (its start time differs) is a dead holder', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    // This test process runs, but it is not the process that took the lock.
    await writeFile(`${file}.lock`, formatIdentity(foreign({ pid: process.ppid, start: '1' })));
    expect(startTimeOf(process.ppid)).not.toBe('1');
    const lock = await FileLock.take(file);
    await lock.release();
    // The same pid with its real start time is live.
    await writeFile(`${file}.lock`, formatIdentity(foreign({ pid: process.ppid, start: startTimeOf(process.ppid) })));
    await expect(FileLock.take(file)).rejects.toThrow(new RegExp(`pid ${process.ppid}\\)`));
  });

  it('the holder refreshes its lock every few seconds, and says so when the lock was taken from it', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    const timer = manualTimer();
    const lost: string[] = [];
    const lock = await FileLock.take(file, { every: timer.every, now: () => Date.parse('2030-01-01T00:00:00Z'), onLost: (why) => lost.push(why) });
    timer.tick();
    await until(async () => (await stat(`${file}.lock`)).mtime.toISOString() === '2030-01-01T00:00:00.000Z');
    expect(HEARTBEAT_MS).toBeLessThan(STALE_MS / 4);
    await writeFile(`${file}.lock`, formatIdentity({ pid: 77, host: 'elsewhere' }));
    timer.tick();
    await until(async () => lost.length > 0);
    expect(lost).toEqual([`the lock ${lock.lockFile} was taken over by another process`]);
    expect(lock.lockFile).toBe(path.join(await realpath(path.dirname(file)), 'c.ledger.jsonl.lock'));
    expect(lock.lost).toContain('taken over');
    // Releasing does not remove the other process's lock.
    await lock.release();
    expect(await holderOf(file)).toBe(77);
  });
});

describe('FileLock: check, asked before each write', () => {
  it('is true while the lock file is ours; false once it is removed or replaced, and the lock is lost from then on', async () => {
    for (const replace of [false, true]) {
      const file = path.join(await tempDir(), 'l.jsonl');
      const lost: string[] = [];
      // No heartbeat: only `check` can notice.
      const lock = await FileLock.take(file, { every: () => () => undefined, onLost: (why) => lost.push(why) });
      expect(await lock.check()).toBe(true);
      await unlink(lock.lockFile);
      if (replace) await writeFile(lock.lockFile, `${JSON.stringify({ pid: 999_999_999 })}\n`);
      expect(await lock.check()).toBe(false);
      expect(lost).toEqual([replace ? `the lock ${lock.lockFile} was taken over by another process` : `the lock ${lock.lockFile} was removed`]);
      expect(lock.lost).toBe(lost[0]);
      expect(await lock.check()).toBe(false);
      expect(lost).toHaveLength(1); // said once
      await lock.release();
      if (replace) expect(await readFile(lock.lockFile, 'utf8')).toBe(`${JSON.stringify({ pid: 999_999_999 })}\n`);
    }
  });
});

describe('holderState', () => {
  const me: ProcessIdentity = { pid: 10, host: 'h', boot: 'b', pidns: 'n', start: '100' };
  const facts = (over: Partial<Parameters<typeof holderState>[2]> = {}) => ({ isAlive: () => true, startTimeOf: () => '100', ageMs: 0, staleMs: 30_000, ...over });

  it.each([
    ['same host, boot and namespace, running, same start', { pid: 11, host: 'h', boot: 'b', pidns: 'n', start: '100' }, facts(), 'live'],
    ['same host, boot and namespace, not running', { pid: 11, host: 'h', boot: 'b', pidns: 'n', start: '100' }, facts({ isAlive: () => false }), 'dead'],
    ['same host, boot and namespace, pid reused', { pid: 11, host: 'h', boot: 'b', pidns: 'n', start: '99' }, facts(), 'dead'],
    ['same host, another boot', { pid: 11, host: 'h', boot: 'old', pidns: 'n', start: '100' }, facts(), 'dead'],
    ['another namespace, fresh', { pid: 1, host: 'h', boot: 'b', pidns: 'other', start: '5' }, facts({ ageMs: 29_000 }), 'live'],
    ['another namespace, stale', { pid: 1, host: 'h', boot: 'b', pidns: 'other', start: '5' }, facts({ ageMs: 31_000 }), 'dead'],
    ['another host, fresh', { pid: 11, host: 'x' }, facts({ ageMs: 1_000, isAlive: () => false }), 'live'],
    ['another host, stale', { pid: 11, host: 'x' }, facts({ ageMs: 30_000 }), 'dead'],
    ['a bare pid (an earlier version), running', { pid: 11 }, facts({ ageMs: 10 ** 9 }), 'live'],
    ['a bare pid (an earlier version), not running', { pid: 11 }, facts({ isAlive: () => false }), 'dead'],
  ] as const)('%s: %s', async (_name, holder, given, expected) => {
    expect(await holderState(holder, me, given)).toBe(expected);
  });
});

/** A heartbeat whose stop does not take the job away: a tick already on its way when the lock is released or lost. */
function stubbornTimer() {
  const jobs: (() => void)[] = [];
  return {
    every: (_ms: number, fn: () => void) => {
      jobs.push(fn);
      return () => undefined;
    },
    tick: () => {
      for (const job of jobs) job();
    },
  };
}

/** How many files this process has open (Linux). */
async function openFiles(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

/** What `promise` rejected with: its class, message and location. */
async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected a refusal');
  return { kind: error.constructor.name, message: error.message, location: (error as InputError).location };
}

describe('FileLock: after release', () => {
  it('check says true and loses nothing; a heartbeat tick still on its way does nothing', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    const timer = stubbornTimer();
    const lost: string[] = [];
    const lock = await FileLock.take(file, { every: timer.every, onLost: (why) => lost.push(why) });
    await lock.release();
    expect(await lock.check()).toBe(true);
    timer.tick();
    await lock.release();
    expect(await lock.check()).toBe(true);
    expect(lost).toEqual([]);
    expect(lock.lost).toBeUndefined();
    await expect(stat(lock.lockFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a second release leaves alone the lock taken since (even by the same identity)', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    const options = { pid: 4242, isAlive: () => true, every: () => () => undefined };
    const first = await FileLock.take(file, options);
    await first.release();
    const second = await FileLock.take(file, options);
    await first.release();
    expect(await readFile(second.lockFile, 'utf8')).toBe(formatIdentity({ ...ownIdentity(), pid: 4242, start: undefined }));
    expect(await second.check()).toBe(true);
    await second.release();
    await expect(stat(second.lockFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the default heartbeat (an interval) is cleared by release', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const lock = await FileLock.take(file);
      expect(vi.getTimerCount()).toBe(1);
      await lock.release();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('FileLock: the heartbeat and check together', () => {
  it('once the heartbeat found the lock taken over, check says false, though the file (rewritten in place) is the one we made', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    const timer = stubbornTimer();
    const lost: string[] = [];
    const lock = await FileLock.take(file, { every: timer.every, onLost: (why) => lost.push(why) });
    const before = await stat(lock.lockFile);
    // The same inode, another holder's text.
    await writeFile(lock.lockFile, formatIdentity({ pid: 77, host: 'elsewhere' }));
    timer.tick();
    await until(async () => lost.length > 0);
    expect((await stat(lock.lockFile)).ino).toBe(before.ino);
    expect(await lock.check()).toBe(false);
    timer.tick();
    expect(await lock.check()).toBe(false);
    expect(lost).toEqual([`the lock ${lock.lockFile} was taken over by another process`]);
    await lock.release();
    expect(await holderOf(file)).toBe(77);
  });

  it('a tick while the last one is still reading is skipped', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    const timer = manualTimer();
    let asked = 0;
    const at = Date.parse('2031-02-03T04:05:06Z');
    const lock = await FileLock.take(file, { every: timer.every, now: () => (asked++, at) });
    expect(asked).toBe(0);
    timer.tick();
    timer.tick();
    await until(async () => (await stat(lock.lockFile)).mtimeMs === at);
    // Real I/O in between: a second refresh begun beside the first would be done by now.
    for (let i = 0; i < 20; i++) await stat(lock.lockFile);
    expect(asked).toBe(1);
    // Once the first is done, the next tick refreshes again.
    timer.tick();
    await until(async () => asked === 2);
    await lock.release();
  });

  it('check cannot tell when the lock cannot be looked at (not ENOENT: a folder on its path became a file): true, not lost', async () => {
    const dir = await tempDir();
    const sub = path.join(dir, 'sub');
    await mkdir(sub);
    const lost: string[] = [];
    const lock = await FileLock.take(path.join(sub, 'l.jsonl'), { every: () => () => undefined, onLost: (why) => lost.push(why) });
    await rename(sub, `${sub}.moved`);
    await writeFile(sub, '');
    await expect(stat(lock.lockFile)).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await lock.check()).toBe(true);
    expect(lost).toEqual([]);
    expect(lock.lost).toBeUndefined();
  });
});

describe('FileLock: paths it cannot lock, named', () => {
  it('a folder that does not exist (the lock named after the file, ".lock" elsewhere in the path kept)', async () => {
    const dir = path.join(await tempDir(), 'a.lock.d');
    const file = path.join(dir, 'x.jsonl');
    expect(await refusal(FileLock.take(file))).toEqual({ kind: 'InputError', message: `the folder ${dir} does not exist`, location: { file } });
  });

  it('a folder on the path that is a file', async () => {
    const plain = path.join(await tempDir(), 'plain');
    await writeFile(plain, '');
    const file = path.join(plain, 'x.jsonl');
    expect(await refusal(FileLock.take(file))).toEqual({ kind: 'InputError', message: 'a folder on this path is a file', location: { file } });
  });

  it('a loop of symbolic links', async () => {
    const dir = await tempDir();
    const a = path.join(dir, 'a');
    await symlink(path.join(dir, 'b'), a);
    await symlink(a, path.join(dir, 'b'));
    expect(await refusal(FileLock.take(a))).toEqual({ kind: 'InputError', message: 'is a symbolic link, not a regular file', location: { file: `${a}.lock` } });
  });

  it('a name too long: a write error with the system’s words', async () => {
    const file = path.join(await tempDir(), 'x'.repeat(300));
    expect(await refusal(FileLock.take(file))).toEqual({ kind: 'WriteError', message: `cannot create the lock: ENAMETOOLONG: name too long, realpath '${file}'`, location: { file: `${file}.lock` } });
  });

  it('refuseIfHeld: a lock path that is a folder is refused, not taken for no lock', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    await mkdir(`${file}.lock`);
    expect(await refusal(FileLock.refuseIfHeld(file))).toEqual({ kind: 'InputError', message: 'is a folder, not a regular file; nothing was changed', location: { file: `${file}.lock` } });
  });

  it('reading a lock closes it', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    await writeFile(`${file}.lock`, `${DEAD}\n`);
    const before = await openFiles();
    for (let i = 0; i < 5; i++) await FileLock.refuseIfHeld(file, { isAlive: () => false });
    expect(await openFiles()).toBe(before);
  });

  it('takes the lock leaving no file of its own beside it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl');
    const lock = await FileLock.take(file, { every: () => () => undefined });
    expect(await readdir(dir)).toEqual(['l.jsonl.lock']);
    await lock.release();
    await writeFile(`${file}.lock`, `${DEAD}\n`);
    const again = await FileLock.take(file, { every: () => () => undefined, isAlive: () => false });
    expect(await readdir(dir)).toEqual(['l.jsonl.lock']);
    await again.release();
  });
});

describe('FileLock: whose lock it is', () => {
  const own = () => ownIdentity();

  it('a lock naming nobody readable is a dead holder’s, however alive every pid looks', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    await writeFile(`${file}.lock`, 'not a lock\n');
    const lock = await FileLock.take(file, { pid: 4242, isAlive: () => true, every: () => () => undefined });
    expect(await holderOf(file)).toBe(4242);
    await lock.release();
  });

  it('a lock this very process left (its identity exactly) is taken over', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    await writeFile(`${file}.lock`, formatIdentity(own()));
    const lock = await FileLock.take(file, { every: () => () => undefined });
    expect(await readFile(lock.lockFile, 'utf8')).toBe(formatIdentity(own()));
    await lock.release();
  });

  it.each([
    ['another pid namespace', { pidns: 'pid:[1]' }],
    ['no boot id', { boot: undefined }],
  ])('a lock like ours but for %s, freshly refreshed, is a live holder’s', async (_name, over) => {
    const file = path.join(await tempDir(), 'l.jsonl');
    await writeFile(`${file}.lock`, formatIdentity({ ...own(), ...over }));
    await expect(FileLock.take(file, { every: () => () => undefined })).rejects.toThrow(`in use by another wa-broadcast (pid ${process.pid})`);
  });

  it('a test’s own pid has no start time of ours: a lock naming that pid with a start time is a live holder’s', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    // process.ppid runs, with a start time other than '1'; the lock is judged by isAlive alone.
    await writeFile(`${file}.lock`, formatIdentity({ ...own(), pid: process.ppid, start: '1' }));
    await expect(FileLock.take(file, { pid: process.ppid, isAlive: () => true, every: () => () => undefined })).rejects.toThrow(`in use by another wa-broadcast (pid ${process.ppid})`);
  });

  it('a takeover guard exactly 10 s old is not yet old enough to clear', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    await writeFile(`${file}.lock`, `${DEAD}\n`);
    await writeFile(`${file}.lock.takeover`, `${DEAD}\n`);
    const made = Date.parse('2030-01-01T00:00:00Z');
    await utimes(`${file}.lock.takeover`, made / 1000, made / 1000);
    const clock: Clock = { now: () => 0, date: () => new Date(0), sleep: async () => undefined };
    await expect(FileLock.take(file, { pid: 4242, isAlive: () => false, clock, now: () => made + 10_000 })).rejects.toThrow(/another process keeps taking it/);
    expect((await stat(`${file}.lock.takeover`)).mtimeMs).toBe(made);
    const lock = await FileLock.take(file, { pid: 4242, isAlive: () => false, clock, now: () => made + 10_001, every: () => () => undefined });
    expect(await holderOf(file)).toBe(4242);
    await lock.release();
  });
});
