import { open, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { lineStartAfter, MAX_LINE_BYTES, readLineBatches, type LineBatch } from '../../src/fs/read-line-batches.js';
import { collect, tempDir } from '../helpers.js';

const CAP = 64 * 1024;

async function fileWith(contents: string | Buffer): Promise<string> {
  const file = path.join(await tempDir(), 'f.jsonl');
  await writeFile(file, contents);
  return file;
}

/** The largest buffer the reader asked for while `read` ran. */
async function largestAllocation(read: () => Promise<void>): Promise<number> {
  const allocations = vi.spyOn(Buffer, 'allocUnsafe');
  try {
    await read();
    return Math.max(...allocations.mock.calls.map(([size]) => size));
  } finally {
    allocations.mockRestore();
  }
}

/** Every line as [number, text], with `null` for a line reported too long. */
function numbered(batches: LineBatch[]): [number, string | null][] {
  return batches.flatMap(({ firstLine, lines, tooLong }) => lines.map((text, i): [number, string | null] => [firstLine + i, tooLong.includes(i) ? null : text]));
}

describe('readLineBatches', () => {
  it('returns complete lines with their numbers, CRLF or LF, and not a torn last line', async () => {
    const file = await fileWith('a\r\nb\n\nc\ntorn');
    expect(numbered(await collect(readLineBatches(file)))).toEqual([[1, 'a'], [2, 'b'], [3, ''], [4, 'c']]);
  });

  it('reads a line exactly at the cap, and reports one byte over it without its text, going on after it', async () => {
    const atCap = 'a'.repeat(CAP);
    const overCap = 'b'.repeat(CAP + 1);
    const file = await fileWith(`first\n${atCap}\n${overCap}\nlast\n`);
    expect(numbered(await collect(readLineBatches(file, { maxLineBytes: CAP })))).toEqual([[1, 'first'], [2, atCap], [3, null], [4, 'last']]);
  });

  it('skips a line many times the cap in a file larger than the cap, holding no more than the cap of it', async () => {
    const huge = 'x'.repeat(20 * CAP);
    const file = await fileWith(`one\n${huge}\ntwo\n${huge}\nthree\n`);
    const batches = await collect(readLineBatches(file, { maxLineBytes: CAP }));
    expect(numbered(batches)).toEqual([[1, 'one'], [2, null], [3, 'two'], [4, null], [5, 'three']]);
    for (const { lines } of batches) for (const text of lines) expect(text.length).toBeLessThanOrEqual(CAP);
  });

  it('reports a line over the cap as soon as the cap is passed, before reading the rest of it', async () => {
    // A sparse file: a 600 MB line of zeros costs no disk. A reader that stops at the report reads
    // a few MiB of it; one that held the line would need 600 MB.
    const file = await fileWith('{"type":"run"}\n');
    const handle = await open(file, 'r+');
    const length = 600 * 1024 * 1024;
    await handle.truncate(15 + length);
    await handle.write('\n{"after":1}\n', 15 + length);
    await handle.close();
    const seen: [number, string | null][] = [];
    const largest = await largestAllocation(async () => {
      for await (const batch of readLineBatches(file)) {
        seen.push(...numbered([batch]));
        if (batch.tooLong.length > 0) break; // what the ledger reader does: stop at the first one
      }
    });
    expect(seen).toEqual([[1, '{"type":"run"}'], [2, null]]);
    expect(largest).toBe(MAX_LINE_BYTES + 1);
  });

  it('skips a line over the cap to its end when the reader goes on (events files)', async () => {
    const file = await fileWith(`one\n${'x'.repeat(3 * CAP)}\nthree\n`);
    let lines: [number, string | null][] = [];
    const largest = await largestAllocation(async () => {
      lines = numbered(await collect(readLineBatches(file, { maxLineBytes: CAP })));
    });
    expect(lines).toEqual([[1, 'one'], [2, null], [3, 'three']]);
    expect(largest).toBe(CAP + 1);
  });
});

const MiB = 1 << 20;

describe('readLineBatches: the buffer, and where the reading stops', () => {
  it('starts with a buffer of the cap and one byte, when the cap is under a MiB', async () => {
    const file = await fileWith('a\nb\n');
    let lines: [number, string | null][] = [];
    const largest = await largestAllocation(async () => {
      lines = numbered(await collect(readLineBatches(file, { maxLineBytes: 100 })));
    });
    expect(lines).toEqual([[1, 'a'], [2, 'b']]);
    expect(largest).toBe(101);
  });

  it('reads a file of short lines larger than its buffer through that one MiB buffer', async () => {
    const line = 'y'.repeat(99);
    const file = await fileWith(`${line}\n`.repeat(30_000));
    let count = 0;
    const largest = await largestAllocation(async () => {
      for await (const { lines } of readLineBatches(file)) count += lines.filter((text) => text === line).length;
    });
    expect(count).toBe(30_000);
    expect(largest).toBe(MiB);
  });

  it('grows the buffer by doubling for a line longer than a MiB and within the cap', async () => {
    const long = 'z'.repeat(MiB + MiB / 2);
    const file = await fileWith(`a\n${long}\nb\n`);
    let lines: [number, string | null][] = [];
    const largest = await largestAllocation(async () => {
      lines = numbered(await collect(readLineBatches(file)));
    });
    expect(lines).toEqual([[1, 'a'], [2, long], [3, 'b']]);
    expect(largest).toBe(2 * MiB);
  });

  it('a torn last line that fills the buffer exactly at the end of the file: the buffer is not grown for it', async () => {
    const file = await fileWith(`a\n${'x'.repeat(MiB)}`);
    let lines: [number, string | null][] = [];
    const largest = await largestAllocation(async () => {
      lines = numbered(await collect(readLineBatches(file)));
    });
    expect(lines).toEqual([[1, 'a']]);
    expect(largest).toBe(MiB);
  });

  it('an end past the file (it became shorter since): the lines there are, and the reading ends', async () => {
    const file = await fileWith('a\nb\nc');
    expect(numbered(await collect(readLineBatches(file, { end: 1000 })))).toEqual([[1, 'a'], [2, 'b']]);
  });
});

describe('lineStartAfter', () => {
  /** How many files this process has open (Linux). */
  const openFiles = async () => (await readdir('/proc/self/fd')).length;

  it('the first line start at or after the byte, the file’s size when none', async () => {
    const file = await fileWith('ab\ncd\nef\n');
    const answers: number[] = [];
    for (const at of [-5, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20]) answers.push(await lineStartAfter(file, at));
    expect(answers).toEqual([0, 0, 3, 3, 3, 6, 6, 6, 9, 9, 9, 9]);
  });

  it('a torn last line has no start after it: the size', async () => {
    const file = await fileWith('ab\ncd');
    expect([await lineStartAfter(file, 1), await lineStartAfter(file, 4), await lineStartAfter(file, 6)]).toEqual([3, 5, 5]);
  });

  it('looks past a line longer than its 64 KiB chunk', async () => {
    const long = 'x'.repeat(200 * 1024);
    const file = await fileWith(`${long}\nnext\n${long}`);
    expect(await lineStartAfter(file, 1)).toBe(long.length + 1);
    expect(await lineStartAfter(file, long.length + 2)).toBe(long.length + 6);
    // Inside the torn last line: no start after it, however many chunks it takes to see that.
    expect(await lineStartAfter(file, long.length + 7)).toBe(2 * long.length + 6);
  });

  it('closes the file', async () => {
    const file = await fileWith('ab\ncd\n');
    const before = await openFiles();
    for (let i = 0; i < 5; i++) await lineStartAfter(file, 1);
    expect(await openFiles()).toBe(before);
  });
});
