import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutAtLineStarts } from '../../src/fs/cut-at-line-starts.js';
import { tempDir } from '../helpers.js';

/** The cuts by their definition: from each part's start, the first line start at or after start + partBytes, below `size`; then `size`. */
function expectedCuts(bytes: Buffer, size: number, partBytes: number): number[] {
  const cuts = [0];
  if (size === 0) return cuts; // no parts
  for (let start = 0; start + partBytes < size; ) {
    let cut = start + partBytes;
    while (cut < size && bytes[cut - 1] !== 10) cut++;
    if (cut >= size) break;
    cuts.push(cut);
    start = cut;
  }
  cuts.push(size);
  return cuts;
}

describe('cutAtLineStarts', () => {
  it('cuts a file of lines every partBytes or so, each cut the first line start past it, up to `size` only', async () => {
    const dir = await tempDir();
    // Short lines (a part's end often falls on a line start) and some longer than a part and than
    // the 64 KiB read; parts of a few bytes and of many lines; some files without a last newline.
    const lines = fc.array(fc.oneof({ arbitrary: fc.integer({ min: 0, max: 12 }), weight: 6 }, { arbitrary: fc.integer({ min: 65_000, max: 70_000 }), weight: 1 }), { minLength: 1, maxLength: 25 });
    const partBytes = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 70_000 }));
    await fc.assert(
      fc.asyncProperty(lines, fc.boolean(), partBytes, fc.integer({ min: 0, max: 100 }), async (lengths, lastNewline, part, percent) => {
        const text = lengths.map((n, i) => String.fromCharCode(97 + (i % 26)).repeat(n)).join('\n') + (lastNewline ? '\n' : '');
        const bytes = Buffer.from(text);
        const file = path.join(dir, 'f.jsonl');
        await writeFile(file, bytes);
        const size = Math.floor((bytes.length * percent) / 100);
        const cuts = await cutAtLineStarts(file, size, part);
        expect(cuts).toEqual(expectedCuts(bytes, size, part));
      }),
      { numRuns: 80 },
    );
  });

  it('gives one part for a file within a part, none for an empty one, and cuts only at line starts', async () => {
    const file = path.join(await tempDir(), 'f.jsonl');
    await writeFile(file, 'aaaa\nbbbb\ncccc\n');
    expect(await cutAtLineStarts(file, 15, 100)).toEqual([0, 15]);
    expect(await cutAtLineStarts(file, 0, 4)).toEqual([0]);
    // From 0, 0 + 4 is inside "aaaa\n": the next line start is 5; from 5, 9 is inside "bbbb\n": 10.
    expect(await cutAtLineStarts(file, 15, 4)).toEqual([0, 5, 10, 15]);
    // 0 + 5 is a line start itself: the cut is there.
    expect(await cutAtLineStarts(file, 15, 5)).toEqual([0, 5, 10, 15]);
    // A cut at the size itself is no cut (no empty last part).
    expect(await cutAtLineStarts(file, 15, 6)).toEqual([0, 10, 15]);
    expect(await cutAtLineStarts(file, 15, 11)).toEqual([0, 15]);
  });

  it('closes the file', async () => {
    const file = path.join(await tempDir(), 'f.jsonl');
    await writeFile(file, 'aaaa\nbbbb\ncccc\n');
    const before = (await readdir('/proc/self/fd')).length;
    for (let i = 0; i < 5; i++) expect(await cutAtLineStarts(file, 15, 4)).toEqual([0, 5, 10, 15]);
    expect((await readdir('/proc/self/fd')).length).toBe(before);
  });
});
