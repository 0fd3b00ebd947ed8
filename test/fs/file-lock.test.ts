import { link, mkdir, readFile, realpath, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
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
