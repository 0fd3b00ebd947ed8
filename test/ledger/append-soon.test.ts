import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { intentFor, outcomeFor } from '../ledger-record-builders.js';
import { openLedgerWriter, type LedgerFile } from '../../src/ledger/open-ledger-writer.js';
import { tempDir } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';

const outcome = (i: number): LedgerRecord => outcomeFor(`+44${i}`, 'accepted', { cid: `c${i}` });
const intent = (i: number): LedgerRecord => intentFor(`+44${i}`, { cid: `c${i}` });

async function writer(groupMs?: number, clock = new ManualClock()) {
  const written: string[] = [];
  let syncs = 0;
  const openFile = async (): Promise<LedgerFile> => ({
    write: async (data) => (written.push(data.toString()), data.length),
    sync: async () => void syncs++,
    truncate: async () => undefined,
    size: async () => 0,
    close: async () => undefined,
  });
  const w = await openLedgerWriter(path.join(await tempDir(), 'l.jsonl'), { openFile, clock, ...(groupMs !== undefined ? { groupMs } : {}) });
  return { w, written, syncs: () => syncs, clock };
}

describe('LedgerWriter.appendSoon', () => {
  it('rides along with the next append: one write, one fsync', async () => {
    const { w, written, syncs } = await writer();
    void w.appendSoon(outcome(1));
    void w.appendSoon(outcome(2));
    expect(written).toHaveLength(0);
    await w.append(intent(3));
    expect(written).toHaveLength(1);
    expect(written[0]!.trim().split('\n')).toHaveLength(3);
    expect(syncs()).toBe(1);
    await w.close();
  });

  it('is written 100 ms later when nothing else comes, and not before', async () => {
    const { w, written, clock } = await writer();
    let durable = false;
    const appended = w.appendSoon(outcome(1)).then(() => (durable = true));
    await clock.advance(99);
    expect(written).toEqual([]);
    expect(durable).toBe(false);
    await clock.advance(1);
    // Written the moment the timer fires; durable once the write's check of its lock (real I/O) is done.
    expect(written).toEqual([`${JSON.stringify(outcome(1))}\n`]);
    await appended;
    await w.close();
  });

  it('keeps writing after a write took the outcome along and its timer was due', async () => {
    const { w, written, clock } = await writer();
    const first = w.append(intent(2)); // a write is under way…
    void w.appendSoon(outcome(1)); // …so this one arms the 100 ms timer, and the write takes it along
    await first;
    // The write's pass took the outcome along and cancelled its timer (startFlush aborts it):
    // moving past the time it was due must not leave the writer stuck.
    await clock.advance(150);
    // Written without the clock moving (were the writer stuck, the test would time out here).
    await w.append(intent(3));
    expect(written.join('')).toContain('"c3"');
    await w.close();
  });

  it('is written on close', async () => {
    const { w, written } = await writer();
    void w.appendSoon(outcome(1));
    await w.close();
    expect(written.join('')).toContain('"c1"');
  });
});

describe('LedgerWriter groupMs', () => {
  it('lets appends within the window share one fsync, and resolves each only once it is synced', async () => {
    const { w, written, syncs, clock } = await writer(200);
    let firstDone = false;
    const first = w.append(intent(1)).then(() => (firstDone = true));
    await clock.advance(5);
    expect(firstDone).toBe(false); // not durable yet, so not resolved
    const second = w.append(intent(2));
    await clock.advance(194);
    expect(syncs()).toBe(0); // the window is 200 ms from the first append
    expect(firstDone).toBe(false);
    await clock.advance(1);
    await Promise.all([first, second]);
    expect(syncs()).toBe(1);
    expect(written).toHaveLength(1);
    expect(written[0]!.trim().split('\n')).toHaveLength(2);
    await w.close();
  });

  it('without it, an append starts its fsync at once', async () => {
    const { w, syncs } = await writer();
    await w.append(intent(1));
    await w.append(intent(2));
    expect(syncs()).toBe(2);
    await w.close();
  });
});
