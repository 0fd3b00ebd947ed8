import type { FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { describeOpenError } from '../fs/describe-open-error.js';
import { lastNewline } from '../fs/last-newline.js';
import { openRegularFile } from '../fs/open-regular-file.js';
import { MAX_LINE_BYTES, readLineSpans, type LineBatch, type LineSpans } from '../fs/read-line-batches.js';
import { LEDGER_VERSION, ledgerRecordProblem, newerFormat, type LedgerRecord } from './ledger-records.js';

export interface LedgerLine {
  line: number;
  record: LedgerRecord;
}

/**
 * Streams a ledger's records in order, each one checked (`ledgerRecordProblem`). A last line without
 * its newline is what a crash mid-write leaves: it is skipped (the writer cuts it before appending).
 * A complete line that is not a well-formed ledger record is corruption: an InputError naming
 * `file:line`.
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
 * or empty ledger has none; one that cannot be read is an InputError. A line over the length cap
 * is never read into memory: the lines before it are yielded, then it is an InputError.
 */
export async function* readLedgerBatches(file: string, end?: number): AsyncGenerator<LineBatch> {
  for await (const { firstLine, buffer, starts, ends } of readLedgerSpans(file, end)) {
    const lines: string[] = new Array(starts.length);
    for (let i = 0; i < starts.length; i++) lines[i] = buffer.toString('utf8', starts[i]!, ends[i]!);
    yield { firstLine, lines, tooLong: [] };
  }
}

/**
 * readLedgerBatches' lines where they lie in the reader's buffer, undecoded (LineSpans: valid until
 * the next batch is asked for), for a reader that decodes only what it uses. The same rules: none
 * for a missing or empty ledger, an InputError at a line over the cap (after the lines before it).
 * From `start` (a line start; lines are then numbered from 1 there) to `end`, for a reader of part of it.
 */
export async function* readLedgerSpans(file: string, end?: number, start = 0): AsyncGenerator<LineSpans> {
  const size = await fileSize(file);
  if (size === undefined) return;
  for await (const spans of readLineSpans(file, { start, end: end ?? size })) {
    if (spans.tooLong.length === 0) {
      yield spans;
      continue;
    }
    const at = spans.tooLong[0]!;
    if (at > 0) yield { ...spans, starts: spans.starts.slice(0, at), ends: spans.ends.slice(0, at), tooLong: [] };
    throw new InputError(
      `corrupt ledger line: longer than ${MAX_LINE_BYTES >> 20} MiB, which no line send writes is; the ledger was edited or damaged: restore it from a backup`,
      { file, line: spans.firstLine + at },
    );
  }
}

/** One ledger line as a checked record; anything else is an InputError naming `file:line`. */
export function parseRecord(text: string, file: string, line: number): LedgerRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError('corrupt ledger line (not JSON): the ledger was edited or damaged; restore it from a backup', { file, line });
  }
  if ((value as { type?: unknown } | null)?.type === 'event') {
    throw new InputError('this is an events file written by webhook, not a ledger: --ledger names the file send wrote', { file, line });
  }
  const newer = newerFormat(value);
  if (newer !== undefined) {
    throw new InputError(`written by a newer wa-broadcast (ledger format ${newer}; this one reads format ${LEDGER_VERSION}): upgrade wa-broadcast to use this ledger`, { file, line });
  }
  const problem = ledgerRecordProblem(value);
  if (problem !== undefined) throw new InputError(`corrupt ledger line: ${problem}; the ledger was edited or damaged: restore it from a backup`, { file, line });
  return value as LedgerRecord;
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    // Only a regular file is a ledger: a named pipe would block the read forever, a device reads as empty.
    const handle = await openRegularFile(file, 'read');
    try {
      const size = (await handle.stat()).size;
      if (size > 0) await refuseZeroedTail(handle, size, file);
      return size || undefined;
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(describeOpenError(error), { file });
  }
}

/**
 * A crash leaves a half-written last line, which is cut; a file system that lost data it had
 * confirmed as written (a full or failing disk under a loop device, a power cut on a disk that lies
 * about its cache) leaves zero bytes instead. Cutting those as if torn would forget attempts that
 * were made, and resuming would send those people again: refused, with what to do.
 */
export async function refuseZeroedTail(handle: FileHandle, size: number, file: string): Promise<void> {
  const keep = (await lastNewline(handle, size)) + 1;
  if (keep >= size) return;
  const probe = Buffer.alloc(Math.min(size - keep, 64 * 1024));
  const { bytesRead } = await handle.read(probe, 0, probe.length, keep);
  if (probe.subarray(0, bytesRead).indexOf(0) < 0) return;
  throw new InputError(
    `ends in ${size - keep} bytes of zeros after its last complete line (byte ${keep}): the disk lost data it had confirmed as written, so attempts recorded there are unknown and resuming could message those people twice. Check the disk; to go on anyway (those sends may be repeated), cut the file there: truncate -s ${keep} ${file}`,
    { file },
  );
}
