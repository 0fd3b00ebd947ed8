import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { InputError } from '../errors.js';
import { Utf8Guard } from './utf8-guard.js';

/** One data record of a CSV file, with the physical line it starts on (1-based, header is line 1). */
export interface CsvRow {
  line: number;
  fields: string[];
}

export interface CsvFile {
  file: string;
  /** Column names as written in the header row, trimmed. */
  header: string[];
  /** The data rows in batches, streamed: read from disk only as they are asked for. Blank lines are skipped. */
  batches: AsyncIterable<CsvRow[]>;
  /** The same rows one at a time, for callers that do slow work per row anyway. */
  rows: AsyncIterable<CsvRow>;
  /** About how many data rows the file holds, from its size and the first rows' length. */
  estimatedRows: number;
  /** Stops reading and releases the file; safe to call at any time, more than once. */
  close(): void;
}

/**
 * The longest record accepted, in characters. Far above any real row (Meta caps a text parameter at
 * 32,768 characters), and what stops an unclosed quote from swallowing the rest of a large file
 * into memory before it is reported.
 */
export const MAX_RECORD_SIZE = 256 * 1024;

// Rows handed over at a time: one promise per batch, not per row, keeps a million-row file fast.
const BATCH_SIZE = 512;

/**
 * Opens a CSV file for streaming: UTF-8 (checked), optional BOM, LF or CRLF, RFC 4180 quoting.
 * Reads the header row before returning, so a missing, empty or unreadable file is reported at
 * once as an InputError naming the file.
 */
export async function openCsv(file: string): Promise<CsvFile> {
  const handle = await openForReading(file);
  // Before the stream starts: it closes the handle when it ends, which a header-only file does at once.
  const size = (await handle.stat()).size;
  const parser = parse({
    bom: true,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    max_record_size: MAX_RECORD_SIZE,
  });
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    wake?.();
    wake = undefined;
  };
  parser.on('readable', wakeUp);
  parser.on('end', () => {
    ended = true;
    wakeUp();
  });
  parser.on('error', (error) => {
    failure = error;
    wakeUp();
  });
  // Errors from any stage (file, UTF-8 check, parser) reach the parser's 'error' handler above.
  pipeline(handle.createReadStream(), new Utf8Guard(file), parser, () => undefined);

  // Line tracking is ours: a record starts on the line after the previous one ended, and ends as
  // many lines later as its quoted fields hold newlines. csv-parse's own count drifts on CRLF inside
  // quoted fields, so it is used only for errors met before we had read every record before them.
  let nextLine = 1;
  let recordsRead = 0;

  const nextBatch = async (): Promise<CsvRow[] | undefined> => {
    for (;;) {
      const batch: CsvRow[] = [];
      let fields: string[] | null;
      while (batch.length < BATCH_SIZE && (fields = parser.read() as string[] | null) !== null) {
        recordsRead++;
        const line = nextLine;
        nextLine = line + 1 + newlinesIn(fields);
        if (!isBlank(fields)) batch.push({ line, fields });
      }
      if (batch.length > 0) return batch;
      if (failure !== undefined) {
        // Exact when every record before the failing one was read; else the line csv-parse stopped on.
        const exact = (failure as { records?: number }).records === recordsRead;
        throw csvError(failure, file, exact ? nextLine : ((failure as { lines?: number }).lines ?? nextLine), exact);
      }
      if (ended) return undefined;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };

  const first = await nextBatch();
  if (!first) throw new InputError('the file is empty: expected a header row (phone,opt_in,…)', { file });
  const estimatedRows = estimateRows(size, first);
  const headerRow = first.shift()!;
  const header = headerRow.fields.map((name) => name.trim());
  checkHeader(header, file, headerRow.line);
  // Destroying the parser makes pipeline() destroy the file stream, which closes the handle.
  const close = () => parser.destroy();

  async function* batches(): AsyncGenerator<CsvRow[]> {
    try {
      if (first!.length > 0) yield first!;
      for (let batch = await nextBatch(); batch; batch = await nextBatch()) yield batch;
    } finally {
      close();
    }
  }
  const batchIterable = batches();
  async function* rows(): AsyncGenerator<CsvRow> {
    for await (const batch of batchIterable) yield* batch;
  }

  return { file, header, batches: batchIterable, rows: rows(), estimatedRows, close };
}

/** Rows in a file of `size` bytes if every row is as long as the sample's (fields plus separators). */
function estimateRows(size: number, sample: CsvRow[]): number {
  let length = 0;
  for (const row of sample) for (const field of row.fields) length += field.length + 1;
  return Math.ceil((size / Math.max(1, length)) * sample.length);
}

async function openForReading(file: string) {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new InputError(describeOpenError(error), { file });
  }
  // Linux lets a folder be opened; only the first read would fail.
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw new InputError(FOLDER, { file });
  }
  return handle;
}

const FOLDER = 'is a folder, not a file';

/** A one-line reason a file could not be opened (ENOENT, EACCES, EISDIR…), never a stack. */
export function describeOpenError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return FOLDER;
    default:
      return `cannot open: ${code ?? String(error)}`;
  }
}

function checkHeader(header: string[], file: string, line: number): void {
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    if (name === '') throw new InputError(`column ${index + 1} of the header row has no name`, { file, line });
    const key = name.toLowerCase();
    if (seen.has(key)) throw new InputError(`column "${name}" appears twice in the header row`, { file, line });
    seen.set(key, index);
  });
}

function newlinesIn(fields: string[]): number {
  let count = 0;
  for (const field of fields) {
    for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) count++;
  }
  return count;
}

function isBlank(fields: string[]): boolean {
  return fields.every((field) => field.trim() === '');
}

function csvError(error: unknown, file: string, line: number, rowStart: boolean): Error {
  if (error instanceof InputError) return error;
  if (error instanceof CsvError) {
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return new InputError(
          rowStart ? 'a quote opened in this row is never closed' : 'the file ends inside a quoted field: a quote opened at or before this line is never closed',
          { file, line },
        );
      case 'CSV_MAX_RECORD_SIZE':
        return new InputError(
          `row longer than ${MAX_RECORD_SIZE} characters: is a quote left open?`,
          { file, line },
        );
      case 'INVALID_OPENING_QUOTE':
        return new InputError('a quote inside an unquoted field: put the whole field in double quotes and double the inner quote ("")', { file, line });
      case 'CSV_INVALID_CLOSING_QUOTE':
        return new InputError('text after a closing quote: double a quote inside a quoted field ("")', { file, line });
      default:
        return new InputError(`unreadable CSV (${error.code})`, { file, line });
    }
  }
  if ((error as NodeJS.ErrnoException | undefined)?.code) return new InputError(describeOpenError(error), { file });
  return error instanceof Error ? error : new Error(String(error));
}
