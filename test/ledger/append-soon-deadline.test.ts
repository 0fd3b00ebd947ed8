import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { openLedgerWriter, type LedgerFile } from '../../src/ledger/open-ledger-writer.js';
import { tempDir } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';

// appendSoon's promise (append-soon.test.ts) is kept: "written within 100 ms, or once 1,000 are
// waiting". The writer waits on the injected clock, so these say when, exactly, without waiting for it.
const outcome = (i: number): LedgerRecord => ({ type: 'outcome', at: 'x', cid: `c${i}`, phone: `+44${i}`, outcome: 'accepted' });

async function writer() {
  const written: string[] = [];
  const openFile = async (): Promise<LedgerFile> => ({
    write: async (data) => (written.push(data.toString()), data.length),
    sync: async () => undefined,
    truncate: async () => undefined,
    size: async () => 0,
    close: async () => undefined,
  });
  const file = path.join(await tempDir(), 'l.jsonl');
  clock = new ManualClock();
  const w = await openLedgerWriter(file, { openFile, clock });
  return { w, lines: () => written.join('').split('\n').filter(Boolean).length };
}

let clock = new ManualClock();

/** Lets the writer's promises run (the fake file answers at once). */
const settle = () => clock.advance(0);

describe('an outcome appended soon', () => {
  it('is written 100 ms after it was appended: not at 99 ms, at 100 ms', async () => {
    const { w, lines } = await writer();
    let durableAt: number | undefined;
    const durable = w.appendSoon(outcome(1)).then(() => (durableAt = clock.now()));
    await clock.advance(99);
    expect([lines(), durableAt]).toEqual([0, undefined]);
    await clock.advance(1);
    await settle();
    expect(lines()).toBe(1);
    // Durable once the write and the lock's check (a real stat of the lock file, as long as a
    // loaded machine takes) are done; the clock stays at 100 ms meanwhile.
    await durable;
    expect(durableAt).toBe(100);
    await w.close();
  });

  it('a later one does not push the first one’s deadline back', async () => {
    const { w, lines } = await writer();
    void w.appendSoon(outcome(1));
    await clock.advance(60);
    void w.appendSoon(outcome(2));
    await clock.advance(40);
    await settle();
    expect(lines()).toBe(2);
    await w.close();
  });

  it('the thousandth waiting is written at once, with the 999 before it', async () => {
    const { w, lines } = await writer();
    for (let i = 0; i < 999; i++) void w.appendSoon(outcome(i));
    await settle();
    expect(lines()).toBe(0);
    void w.appendSoon(outcome(999));
    await settle();
    expect(lines()).toBe(1000);
    await w.close();
  });
});
