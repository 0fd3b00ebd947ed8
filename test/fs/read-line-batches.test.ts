import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MAX_LINE_BYTES, readLineBatches, type LineBatch } from '../../src/fs/read-line-batches.js';
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
