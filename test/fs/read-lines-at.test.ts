import { readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
