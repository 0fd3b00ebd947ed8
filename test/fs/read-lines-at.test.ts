import { open, readdir, readFile, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readLineSpans } from '../../src/fs/read-line-batches.js';
import { LinesAt } from '../../src/fs/read-lines-at.js';
import { collect, tempDir } from '../helpers.js';

/** Lines of growing length, some longer than the 1 MiB window, CRLF on some: 3 MiB or so in all. */
function lines(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 400; i++) out.push(`${i}:${'é'.repeat(i * 37)}`);
  out.splice(150, 0, 'x'.repeat((1 << 20) + 5), '', 'after the long one');
  return out;
}

describe('LinesAt and the offsets readLineSpans gives', () => {
  it('reads back every line at the file offset and length readLineSpans gave it, and only those bytes', async () => {
    const file = path.join(await tempDir(), 'f.jsonl');
    const all = lines();
    await writeFile(file, all.map((line, i) => (i % 3 === 0 ? `${line}\r\n` : `${line}\n`)).join(''));
    const places: { offset: number; length: number }[] = [];
    for (const { buffer, offset, starts, ends } of await collect(readLineSpans(file, { maxLineBytes: 4 << 20 }))) {
      expect(buffer.length).toBeGreaterThan(0);
      for (let i = 0; i < starts.length; i++) places.push({ offset: offset + starts[i]!, length: ends[i]! - starts[i]! });
    }
    expect(places).toHaveLength(all.length);
    const bytes = await readFile(file);
    const reader = await LinesAt.open(file);
    try {
      // Every third line, then all of them: scattered reads and reads within one window.
      for (const step of [3, 1]) {
        const again = await LinesAt.open(file);
        for (let i = 0; i < places.length; i += step) {
          expect(await again.text(places[i]!.offset, places[i]!.length)).toBe(all[i]);
          expect(bytes.toString('utf8', places[i]!.offset, places[i]!.offset + places[i]!.length)).toBe(all[i]);
        }
        await again.close();
      }
      // Past the end of a file that became shorter: undefined, not a short line.
      await truncate(file, places[10]!.offset + 2);
      expect(await reader.text(places[10]!.offset, places[10]!.length)).toBeUndefined();
    } finally {
      await reader.close();
    }
  });
});

describe('LinesAt: one read per window', () => {
  const MiB = 1 << 20;

  /** The file's reads (offset, length asked) while `use` runs. */
  async function reads(file: string, use: (lines: LinesAt) => Promise<void>): Promise<[number, number][]> {
    const probe = await open(file, 'r');
    const prototype = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    const spy = vi.spyOn(prototype, 'read');
    const lines = await LinesAt.open(file);
    try {
      await use(lines);
      // read(buffer, offset, length, position): the file's position and the length asked.
      return spy.mock.calls.map((call) => [(call as unknown[])[3] as number, (call as unknown[])[2] as number]);
    } finally {
      spy.mockRestore();
      await lines.close();
    }
  }

  it('lines within the window read so far cost no read; the last line of the file, to its last byte, neither', async () => {
    const file = path.join(await tempDir(), 'f.jsonl');
    // 10 lines of 10 bytes: "line 0…0\n".
    const text = Array.from({ length: 10 }, (_, i) => `line ${String(i).repeat(4)}\n`).join('');
    await writeFile(file, text);
    const got: (string | undefined)[] = [];
    const calls = await reads(file, async (lines) => {
      for (let i = 0; i < 10; i++) got.push(await lines.text(i * 10, 9));
      got.push(await lines.text(90, 10));
      // The window's first byte again: still within it.
      got.push(await lines.text(0, 4));
    });
    expect(got).toEqual([...Array.from({ length: 10 }, (_, i) => `line ${String(i).repeat(4)}`), 'line 9999\n', 'line']);
    // The window at 0: the whole file, then a read that finds its end.
    expect(calls).toEqual([
      [0, MiB],
      [100, MiB - 100],
    ]);
  });

  it('a window filled whole is not read again; a line past it moves the window there', async () => {
    const file = path.join(await tempDir(), 'f.jsonl');
    const line = `${'x'.repeat(1023)}\n`; // 1 KiB
    await writeFile(file, line.repeat(2048)); // 2 MiB
    const got: (string | undefined)[] = [];
    const calls = await reads(file, async (lines) => {
      got.push(await lines.text(0, 1023));
      got.push(await lines.text(MiB - 1024, 1023));
      got.push(await lines.text(MiB + 1024, 1023));
      got.push(await lines.text(MiB + 1024, 1023));
    });
    expect(got).toEqual([line.slice(0, 1023), line.slice(0, 1023), line.slice(0, 1023), line.slice(0, 1023)]);
    expect(calls).toEqual([
      [0, MiB],
      [MiB + 1024, MiB],
      [2 * MiB, 1024],
    ]);
  });

  it('a line before the window (asked out of order) is read again, not taken from the wrong place', async () => {
    const file = path.join(await tempDir(), 'f.jsonl');
    await writeFile(file, `first\n${'y'.repeat(2 * MiB)}\nlast\n`);
    const lines = await LinesAt.open(file);
    try {
      expect(await lines.text(2 * MiB + 7, 4)).toBe('last');
      expect(await lines.text(0, 5)).toBe('first');
    } finally {
      await lines.close();
    }
  });

  it('a line longer than the window: a window of its length, read whole', async () => {
    const file = path.join(await tempDir(), 'f.jsonl');
    const long = 'z'.repeat(MiB + 10);
    await writeFile(file, `${long}\nafter\n`);
    const got: (string | undefined)[] = [];
    const calls = await reads(file, async (lines) => {
      got.push(await lines.text(0, long.length));
      got.push(await lines.text(long.length + 1, 5));
    });
    expect(got).toEqual([long, 'after']);
    expect(calls).toEqual([
      [0, MiB + 10],
      [MiB + 11, MiB + 10],
      [MiB + 17, MiB + 4],
    ]);
  });

  it('close closes the file', async () => {
    const file = path.join(await tempDir(), 'f.jsonl');
    await writeFile(file, 'a\n');
    const before = (await readdir('/proc/self/fd')).length;
    for (let i = 0; i < 5; i++) {
      const lines = await LinesAt.open(file);
      expect(await lines.text(0, 1)).toBe('a');
      await lines.close();
    }
    expect((await readdir('/proc/self/fd')).length).toBe(before);
  });
});
