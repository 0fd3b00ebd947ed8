import { open } from 'node:fs/promises';

const CHUNK = 1 << 20;

/**
 * The longest line read (bytes, without its newline). The longest line `send` writes is an intent
 * with its CSV row: the row is at most 256 KiB (read-csv's MAX_RECORD_SIZE), and it is written with
 * the header's names as keys and JSON's escapes, which can make either part up to six times longer
 * in theory (1.5 MiB each) and about twice as long in practice; an outcome's message id or title
 * comes from an answer of at most 1 MiB. 4 MiB is above all of these and far below what would
 * strain memory. A longer line is not read: a ledger reports it as corrupt, an events file counts it
 * as a line it does not understand.
 */
export const MAX_LINE_BYTES = 4 << 20;

export interface LineBatch {
  /** The 1-based line number of `lines[0]`. */
  firstLine: number;
  lines: string[];
  /**
   * Indices in `lines` of lines longer than the cap, listed as soon as the cap is passed (before
   * their end is read, so a torn last line may be among them): never read into memory, they are
   * `''` in `lines`, and each reader decides what they mean (usually empty).
   */
  tooLong: number[];
}

export interface LineBatchOptions {
  /** Read up to this byte (default: the size when opened). */
  end?: number;
  /** Start at this byte, a line's first byte; line numbers then count from there. */
  start?: number;
  /** Lines longer than this many bytes are skipped and listed in `tooLong` (default MAX_LINE_BYTES). */
  maxLineBytes?: number;
}

/**
 * Streams a JSONL file's complete lines (those ending in `\n`), a chunk's worth at a time. A last
 * line without its newline is a torn write (a crash mid-append) and is not returned. Batches keep
 * the per-line cost of a million-line ledger to a loop over an array rather than an await per line
 * (readline cost reconcile ~15 %).
 *
 * Memory stays bounded whatever the file holds: the buffer grows for a long line only up to
 * `maxLineBytes`; past that, the line is reported in `tooLong` and the rest of it is read a buffer
 * at a time and dropped.
 */
export async function* readLineBatches(file: string, options: LineBatchOptions = {}): AsyncGenerator<LineBatch> {
  for await (const { firstLine, buffer, starts, ends, tooLong } of readLineSpans(file, options)) {
    const lines: string[] = new Array(starts.length);
    for (let i = 0; i < starts.length; i++) lines[i] = buffer.toString('utf8', starts[i]!, ends[i]!);
    yield { firstLine, lines, tooLong };
  }
}

/**
 * A batch of lines as where they are in the reader's buffer, undecoded: for a reader that looks at
 * part of each line only (an events line's `facts`, not its `raw`). Valid until the next batch is
 * asked for (the buffer is reused). A line longer than the cap is an empty span, listed in `tooLong`.
 */
export interface LineSpans {
  firstLine: number;
  buffer: Buffer;
  /** The file offset of `buffer[0]`: line i starts at byte `offset + starts[i]` of the file. */
  offset: number;
  /** Line i is `buffer[starts[i], ends[i])`, without its newline (or CRLF). */
  starts: number[];
  ends: number[];
  tooLong: number[];
}

/** readLineBatches' lines as spans of its buffer (LineSpans), with the same rules and the same bounds on memory. */
export async function* readLineSpans(file: string, options: LineBatchOptions = {}): AsyncGenerator<LineSpans> {
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const handle = await open(file, 'r');
  try {
    const limit = options.end ?? (await handle.stat()).size;
    let buffer = Buffer.allocUnsafe(Math.min(CHUNK, maxLineBytes + 1));
    let filled = 0; // bytes of `buffer` holding unread data (a partial line carried over)
    let skipping = false; // inside a line found longer than the cap: its bytes are dropped
    let position = options.start ?? 0;
    let line = 1;
    while (position < limit) {
      if (filled === buffer.length) {
        // A partial line fills the buffer (and is within the cap, or it would have been dropped).
        const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxLineBytes + 1));
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, filled, Math.min(buffer.length - filled, limit - position), position);
      if (bytesRead === 0) break;
      const offset = position - filled;
      position += bytesRead;
      const available = filled + bytesRead;
      let start = 0;
      if (skipping) {
        const newline = buffer.indexOf(10, 0);
        if (newline < 0 || newline >= available) {
          filled = 0;
          continue;
        }
        skipping = false;
        start = newline + 1;
      }
      const starts: number[] = [];
      const ends: number[] = [];
      const tooLong: number[] = [];
      // The buffer holds at most maxLineBytes + 1 bytes, so a line found in it is within the cap.
      for (let newline = buffer.indexOf(10, start); newline >= 0 && newline < available; newline = buffer.indexOf(10, start)) {
        starts.push(start);
        ends.push(newline > start && buffer[newline - 1] === 13 ? newline - 1 : newline);
        start = newline + 1;
      }
      const rest = start;
      const overCap = available - rest > maxLineBytes;
      if (overCap) {
        // The line in progress is over the cap: say so now (a reader may stop here), drop what was
        // read of it, and skip the rest up to its newline.
        tooLong.push(starts.length);
        starts.push(0);
        ends.push(0);
        skipping = true;
      }
      if (starts.length > 0) {
        // The spans point into the buffer: the reader looks at them before the buffer is reused.
        yield { firstLine: line, buffer, offset, starts, ends, tooLong };
        line += starts.length;
      }
      if (overCap) {
        filled = 0;
      } else {
        buffer.copy(buffer, 0, rest, available);
        filled = available - rest;
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
