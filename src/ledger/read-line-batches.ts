import { open } from 'node:fs/promises';

const CHUNK = 1 << 20;

export interface LineBatch {
  /** The 1-based line number of `lines[0]`. */
  firstLine: number;
  lines: string[];
}

/**
 * Streams a JSONL file's complete lines (those ending in `\n`), a chunk's worth at a time, from
 * byte `start` (a line's first byte; line numbers then count from there) up to byte `end` (default:
 * the size when opened). A last line without its newline is a torn write (a
 * crash mid-append) and is not returned. Batches keep the per-line cost of a million-line ledger
 * to a loop over an array rather than an await per line (readline cost reconcile ~15 %).
 */
export async function* readLineBatches(file: string, end?: number, start = 0): AsyncGenerator<LineBatch> {
  const handle = await open(file, 'r');
  try {
    const limit = end ?? (await handle.stat()).size;
    let buffer = Buffer.allocUnsafe(CHUNK);
    let filled = 0; // bytes of `buffer` holding unread data (a partial line carried over)
    let position = start;
    let line = 1;
    while (position < limit) {
      if (filled === buffer.length) {
        // One line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, filled, Math.min(buffer.length - filled, limit - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const available = filled + bytesRead;
      const lines: string[] = [];
      let start = 0;
      for (let newline = buffer.indexOf(10, 0); newline >= 0 && newline < available; newline = buffer.indexOf(10, start)) {
        const stop = newline > start && buffer[newline - 1] === 13 ? newline - 1 : newline;
        lines.push(buffer.toString('utf8', start, stop));
        start = newline + 1;
      }
      buffer.copy(buffer, 0, start, available);
      filled = available - start;
      if (lines.length > 0) {
        yield { firstLine: line, lines };
        line += lines.length;
      }
    }
  } finally {
    await handle.close();
  }
}

/** The offset of the first line that starts at or after byte `at` (the file's size if none does). */
export async function lineStartAfter(file: string, at: number): Promise<number> {
  if (at <= 0) return 0;
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const chunk = Buffer.allocUnsafe(64 * 1024);
    for (let position = at - 1; position < size; position += chunk.length) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      const newline = chunk.subarray(0, bytesRead).indexOf(10);
      if (newline >= 0) return position + newline + 1;
      if (bytesRead === 0) break;
    }
    return size;
  } finally {
    await handle.close();
  }
}
