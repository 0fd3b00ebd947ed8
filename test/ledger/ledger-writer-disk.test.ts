import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRegularFile } from '../../src/fs/open-regular-file.js';
import { writableFile } from '../../src/fs/writable-file.js';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { intentFor } from '../ledger-record-builders.js';
import { openLedgerWriter, type LedgerWriterOptions } from '../../src/ledger/open-ledger-writer.js';
import { FaultyDisk } from '../fs/faulty-disk.js';
import { tempDir } from '../helpers.js';

const intent = (i: number): LedgerRecord => intentFor(`+4474000000${String(i).padStart(2, '0')}`, { cid: `r-${i}-1`, line: i + 1 });
const line = (record: LedgerRecord) => `${JSON.stringify(record)}\n`;

/** A ledger holding `records`, opened through `disk` (a real file underneath). */
async function ledgerOn(disk: FaultyDisk, records: LedgerRecord[] = [], options: LedgerWriterOptions = {}) {
  const file = path.join(await tempDir(), 'c.ledger.jsonl');
  await writeFile(file, records.map(line).join(''));
  const writer = await openLedgerWriter(file, { ...options, openFile: async (name) => disk.wrap(writableFile(await openRegularFile(name, 'append', { mode: 0o600 }))) });
  return { file, writer, text: () => readFile(file, 'utf8') };
}

describe('LedgerWriter on a failing disk', () => {
  it('loops over short writes: an append resolves only once its whole line is on disk', async () => {
    const disk = new FaultyDisk();
    disk.maxWrite = 7; // each write(2) takes 7 bytes: the line goes out in pieces
    const { writer, text } = await ledgerOn(disk);
    await writer.append(intent(1));
    expect(await text()).toBe(line(intent(1)));
    expect(disk.writes).toBe(Math.ceil(line(intent(1)).length / 7));
    await writer.close();
  });

  it('a full disk (a short write, then ENOSPC): the append rejects and the file is cut back to its last durable line', async () => {
    const disk = new FaultyDisk();
    const { writer, text } = await ledgerOn(disk, [intent(1)]);
    await writer.append(intent(2));
    disk.free = 25; // a third of the next line fits
    await expect(writer.append(intent(3))).rejects.toThrow(/no space left on device \(ENOSPC\)/);
    expect(await text()).toBe(line(intent(1)) + line(intent(2)));
    expect(writer.failed?.message).toContain('ENOSPC');
    await writer.close(); // else its file handle is closed on garbage collection (DEP0137, seen once per suite)
  });

  it('stops at the first failure: later appends reject at once, even once space is back (send stops sending)', async () => {
    const disk = new FaultyDisk(10);
    const { writer, text } = await ledgerOn(disk, [intent(1)]);
    await expect(writer.append(intent(2))).rejects.toThrow('ENOSPC');
    disk.free = Infinity;
    await expect(writer.append(intent(3))).rejects.toThrow('ENOSPC');
    await writer.close();
    expect(await text()).toBe(line(intent(1)));
    expect(writer.failed).toBeInstanceOf(Error);
  });

  it('a write that makes no progress (0 bytes, no error) is a failure, not an endless loop or a success', async () => {
    const disk = new FaultyDisk();
    disk.zeroWrites = true;
    const { writer, text } = await ledgerOn(disk, [intent(1)]);
    await expect(writer.append(intent(2))).rejects.toThrow('ENOSPC');
    expect(await text()).toBe(line(intent(1)));
    await writer.close();
  });

  it('an I/O error on write rejects the append and everything queued with it', async () => {
    const disk = new FaultyDisk().failNext('write', 'EIO');
    const { writer, text } = await ledgerOn(disk, [intent(1)]);
    const results = await Promise.allSettled([writer.append(intent(2)), writer.appendSoon(intent(3))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toContain('I/O error (EIO)');
    expect(await text()).toBe(line(intent(1)));
    await writer.close();
  });

  it('a failed fsync: the append rejects, and the bytes written but not synced are cut off', async () => {
    const disk = new FaultyDisk().failNext('sync', 'EIO');
    const { writer, text } = await ledgerOn(disk, [intent(1)]);
    await expect(writer.append(intent(2))).rejects.toThrow('EIO');
    // The whole line had reached the file; it is not durable, so it is not kept.
    expect(await text()).toBe(line(intent(1)));
    await writer.close();
  });

  describe("afterFailure: 'retry' (the webhook's events file)", () => {
    it('rejects only the appends of the failed write; the next append tries again and succeeds once space is back', async () => {
      const disk = new FaultyDisk(30);
      const { writer, text } = await ledgerOn(disk, [intent(1)], { afterFailure: 'retry' });
      await expect(writer.append(intent(2))).rejects.toThrow('ENOSPC');
      await expect(writer.append(intent(3))).rejects.toThrow('ENOSPC');
      expect(writer.unsaved).toBe(2);
      expect(await text()).toBe(line(intent(1))); // no partial line stays
      disk.free = Infinity;
      await writer.append(intent(4));
      expect(writer.failed).toBeUndefined();
      expect(writer.unsaved).toBe(0);
      await writer.close();
      expect(await text()).toBe(line(intent(1)) + line(intent(4)));
    });

    it('a cut-back that failed is retried before the next write, so no partial line is ever left in the middle', async () => {
      const disk = new FaultyDisk(30).failNext('truncate', 'EIO');
      const { writer, text } = await ledgerOn(disk, [intent(1)], { afterFailure: 'retry' });
      await expect(writer.append(intent(2))).rejects.toThrow('ENOSPC');
      // The cut failed: 30 bytes of intent 2 are still in the file.
      expect((await text()).length).toBe(line(intent(1)).length + 30);
      disk.free = Infinity;
      await writer.append(intent(3));
      await writer.close();
      expect(await text()).toBe(line(intent(1)) + line(intent(3)));
    });

    it('close leaves `failed` set, and what was not saved counted, while the disk is still failing', async () => {
      const disk = new FaultyDisk(0);
      const { writer } = await ledgerOn(disk, [], { afterFailure: 'retry' });
      await expect(writer.append(intent(1))).rejects.toThrow('ENOSPC');
      await writer.close();
      expect(writer.failed?.message).toContain('ENOSPC');
      expect(writer.unsaved).toBe(1);
    });
  });
});
