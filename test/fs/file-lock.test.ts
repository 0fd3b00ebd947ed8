import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLock } from '../../src/fs/file-lock.js';
import { tempDir } from '../helpers.js';

const DEAD = 999_999_999;

/** Starts `contenders` takes at once, each as its own pid; everyone but DEAD is alive. */
async function race(file: string, contenders: number): Promise<{ winners: number[]; refused: number }> {
  const isAlive = (pid: number) => pid !== DEAD;
  const results = await Promise.allSettled(Array.from({ length: contenders }, (_, i) => FileLock.take(file, { pid: 1000 + i, isAlive })));
  const winners: number[] = [];
  let refused = 0;
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') winners.push(1000 + i);
    else {
      expect(String(result.reason.message)).toMatch(/in use by another wa-broadcast \(pid 10\d\d\)|another process keeps taking it/);
      refused++;
    }
  });
  return { winners, refused };
}

describe('FileLock', () => {
  it('of many processes starting at once, exactly one holds the lock, and the lock names it', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    for (let round = 0; round < 20; round++) {
      const { winners, refused } = await race(file, 8);
      expect(winners).toHaveLength(1);
      expect(refused).toBe(7);
      expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(winners[0]));
      // The winner finishes; the next round starts from no lock.
      const lock = await FileLock.take(file, { pid: winners[0]!, isAlive: () => true });
      await lock.release();
    }
  });

  it('of many processes taking over a dead holder’s lock at once, exactly one wins', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    for (let round = 0; round < 20; round++) {
      await writeFile(`${file}.lock`, `${DEAD}\n`);
      const { winners, refused } = await race(file, 8);
      expect(winners).toHaveLength(1);
      expect(refused).toBe(7);
      expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe(String(winners[0]));
    }
  });

  it('a live holder’s lock is never taken over; a released one is taken at once', async () => {
    const file = path.join(await tempDir(), 'c.ledger.jsonl');
    const first = await FileLock.take(file, { pid: 4242, isAlive: () => true });
    await expect(FileLock.take(file, { pid: 4343, isAlive: () => true })).rejects.toThrow(/pid 4242/);
    await first.release();
    const second = await FileLock.take(file, { pid: 4343, isAlive: () => true });
    expect((await readFile(`${file}.lock`, 'utf8')).trim()).toBe('4343');
    await second.release();
  });
});
