import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { openLedgerWriter, type LedgerFile } from '../../src/ledger/open-ledger-writer.js';
import { tempDir } from '../helpers.js';

const outcome = (i: number): LedgerRecord => ({ type: 'outcome', at: 'x', cid: `c${i}`, phone: `+44${i}`, outcome: 'accepted' });
const intent = (i: number): LedgerRecord => ({ type: 'intent', at: 'x', cid: `c${i}`, phone: `+44${i}`, line: 2, attempt: 1 });

async function writer(groupMs?: number) {
  const written: string[] = [];
  let syncs = 0;
  const openFile = async (): Promise<LedgerFile> => ({
    write: async (data) => (written.push(data.toString()), data.length),
    sync: async () => void syncs++,
    truncate: async () => undefined,
    size: async () => 0,
    close: async () => undefined,
  });
  const w = await openLedgerWriter(path.join(await tempDir(), 'l.jsonl'), { openFile, ...(groupMs !== undefined ? { groupMs } : {}) });
  return { w, written, syncs: () => syncs };
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

  it('is written within 100 ms when nothing else comes', async () => {
    const { w, written } = await writer();
    const durable = w.appendSoon(outcome(1));
    await durable;
    expect(written.join('')).toContain('"c1"');
    await w.close();
  });

  it('keeps writing after its timer fires on a queue another write already emptied', async () => {
    const { w, written } = await writer();
    const first = w.append(intent(2)); // a write is under way…
    void w.appendSoon(outcome(1)); // …so this one arms the 100 ms timer, and the write takes it along
    await first;
    await new Promise((resolve) => setTimeout(resolve, 150)); // the timer fires on an empty queue
    const next = w.append(intent(3));
    const late = await Promise.race([next.then(() => 'written'), new Promise((resolve) => setTimeout(() => resolve('stuck'), 1000))]);
    expect(late).toBe('written');
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
    const { w, written, syncs } = await writer(200);
    let firstDone = false;
    const first = w.append(intent(1)).then(() => (firstDone = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(firstDone).toBe(false); // not durable yet, so not resolved
    const second = w.append(intent(2));
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
