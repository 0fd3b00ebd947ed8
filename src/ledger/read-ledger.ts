import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { InputError } from '../errors.js';
import { describeOpenError } from '../recipients/read-csv.js';
import type { LedgerRecord } from './ledger-records.js';

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
  const size = await fileSize(file);
  if (size === undefined) return;
  const completeUpTo = await lastNewline(file, size);
  // readline drops lines emitted before its iterator exists: nothing may be awaited between here
  // and the loop.
  const input = createReadStream(file, { encoding: 'utf8', end: size - 1 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let offset = 0;
  for await (const text of lines) {
    line++;
    offset += Buffer.byteLength(text) + 1;
    if (offset > completeUpTo + 1) return; // the torn tail
    if (text.trim() === '') continue;
    yield { line, record: parseRecord(text, file, line) };
  }
}

function parseRecord(text: string, file: string, line: number): LedgerRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError('corrupt ledger line (not JSON): the ledger was edited or damaged; restore it from a backup', { file, line });
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (type !== 'run' && type !== 'intent' && type !== 'outcome') {
    throw new InputError(`corrupt ledger line (unknown record type ${JSON.stringify(type)})`, { file, line });
  }
  return value as LedgerRecord;
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    const handle = await open(file, 'r');
    try {
      return (await handle.stat()).size || undefined;
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(describeOpenError(error), { file });
  }
}

/** Byte offset of the last newline in the file, or -1: everything after it is a torn write. */
export async function lastNewline(file: string, size: number): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (at >= 0) return start + at;
      end = start;
    }
    return -1;
  } finally {
    await handle.close();
  }
}
