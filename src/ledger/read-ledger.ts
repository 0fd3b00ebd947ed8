import type { FileHandle } from 'node:fs/promises';
import { openRegularFile } from '../fs/open-regular-file.js';
import { InputError } from '../errors.js';
import { describeOpenError } from '../recipients/read-csv.js';
import type { LedgerRecord } from './ledger-records.js';
import { readLineBatches, type LineBatch } from './read-line-batches.js';

export interface LedgerLine {
  line: number;
  record: LedgerRecord;
}

/**
 * Streams a ledger's records in order. A last line without its newline is what a crash mid-write
 * leaves: it is skipped (the writer cuts it before appending). A complete line that is not a
 * ledger record is corruption: an InputError naming `file:line`.
 */
export async function* readLedger(file: string): AsyncGenerator<LedgerLine> {
  for await (const { firstLine, lines } of readLedgerBatches(file)) {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      if (text.trim() === '') continue;
      yield { line: firstLine + i, record: parseRecord(text, file, firstLine + i) };
    }
  }
}

/**
 * The ledger's complete lines in batches, unparsed (reconcile parses only what it needs). A missing
 * or empty ledger has none; one that cannot be read is an InputError.
 */
export async function* readLedgerBatches(file: string, end?: number): AsyncGenerator<LineBatch> {
  const size = await fileSize(file);
  if (size === undefined) return;
  yield* readLineBatches(file, end ?? size);
}

export function parseRecord(text: string, file: string, line: number): LedgerRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError('corrupt ledger line (not JSON): the ledger was edited or damaged; restore it from a backup', { file, line });
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (type === 'event') {
    throw new InputError('this is an events file written by webhook, not a ledger: --ledger names the file send wrote', { file, line });
  }
  if (type !== 'run' && type !== 'intent' && type !== 'outcome') {
    throw new InputError(`corrupt ledger line (unknown record type ${JSON.stringify(type)})`, { file, line });
  }
  return value as LedgerRecord;
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    // Only a regular file is a ledger: a named pipe would block the read forever, a device reads as empty.
    const handle = await openRegularFile(file, 'read');
    try {
      return (await handle.stat()).size || undefined;
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(describeOpenError(error), { file });
  }
}

/** Byte offset of the last newline among the first `size` bytes, or -1: everything after it is a torn write. */
export async function lastNewline(handle: FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at >= 0) return start + at;
    end = start;
  }
  return -1;
}
