import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, type Transform } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { InputError } from '../errors.js';
import { describeOpenError, IS_A_FOLDER } from '../fs/describe-open-error.js';
import { byteOrderMark } from './byte-order-mark.js';
import { DecodingStream } from './decoding-stream.js';
import { delimiterName, detectDelimiter } from './detect-delimiter.js';
import { UTF8 } from './text-encoding.js';
import { Utf8Guard } from './utf8-guard.js';

/** One data record of a CSV file, with the physical line it starts on (1-based, header is line 1). */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** How a file is read, when the user says so (`--delimiter`, `--encoding`); by default both are found. */
export interface CsvReadOptions {
  /** Forces the delimiter; without it, the one of `,` `;` tab that the header line uses. */
  delimiter?: string | undefined;
  /** A canonical TextDecoder name (resolveEncoding) for a file without a byte-order mark; default UTF-8. */
  encoding?: string | undefined;
}

export interface CsvFile {
  file: string;
  /** Column names as written in the header row, trimmed. */
  header: string[];
  /** The delimiter the file was read with. */
  delimiter: string;
  /** The encoding the file was read in (canonical name: `utf-8`, `utf-16le`, `windows-1252`…). */
  encoding: string;
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

/** Bytes read ahead at a time to find the encoding and the header line's delimiter. */
const PEEK_BYTES = 64 * 1024;
/** A line this many bytes long holds more than MAX_RECORD_SIZE characters in any encoding. */
const MAX_LINE_BYTES = 4 * MAX_RECORD_SIZE;

/**
 * Opens a CSV file for streaming: RFC 4180 quoting, LF or CRLF, the delimiter (`,` `;` tab) found
 * from the header line, UTF-8 (checked) or, with a byte-order mark, UTF-16, or the encoding the
 * caller names. Reads the header row before returning, so a missing, empty or unreadable file is
 * reported at once as an InputError naming the file.
 */
export async function openCsv(file: string, options: CsvReadOptions = {}): Promise<CsvFile> {
  const handle = await openForReading(file);
  let parser: ReturnType<typeof parse>;
  let decoder: Transform;
  let start: Buffer;
  let size: number;
  let dialect: { delimiter: string; encoding: string };
  try {
    // Before the stream starts: it closes the handle when it ends, which a header-only file does at once.
    size = (await handle.stat()).size;
    const peek = await peekHeader(handle, file, options.encoding);
    const bom = byteOrderMark(peek.bytes);
    // A byte-order mark is a fact about the file, so it wins over --encoding (Excel's "CSV UTF-8" has one).
    const encoding = bom?.encoding ?? options.encoding ?? UTF8;
    start = peek.bytes.subarray(bom?.length ?? 0);
    if (!bom && options.encoding === undefined) refuseNonText(start, file);
    dialect = { delimiter: options.delimiter ?? chooseDelimiter(decodeLoosely(start, encoding), peek.atEnd, file), encoding };
    parser = parse({
      delimiter: dialect.delimiter,
      bom: true,
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      max_record_size: MAX_RECORD_SIZE,
    });
    decoder = encoding === UTF8 ? new Utf8Guard(file) : new DecodingStream(file, encoding, MAX_LINE_BYTES);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
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
  // The bytes already read go first; the stream goes on from where they ended (so a pipe works too).
  // Errors from any stage (file, decoding, parser) reach the parser's 'error' handler above.
  decoder.write(start);
  pipeline(handle.createReadStream(), decoder, parser, () => undefined);

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

  return { file, header, delimiter: dialect.delimiter, encoding: dialect.encoding, batches: batchIterable, rows: rows(), estimatedRows, close };
}

/**
 * Reads the start of the file, sequentially (a pipe cannot seek back), until the header line is
 * complete, the file ends, or MAX_LINE_BYTES were read.
 */
async function peekHeader(handle: FileHandle, file: string, encoding: string | undefined): Promise<{ bytes: Buffer; atEnd: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(PEEK_BYTES);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(chunk, 0, chunk.length, null));
    } catch (error) {
      throw new InputError(describeOpenError(error), { file });
    }
    if (bytesRead === 0) return { bytes: Buffer.concat(chunks), atEnd: true };
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    const bytes = Buffer.concat(chunks);
    const bom = byteOrderMark(bytes);
    const text = decodeLoosely(bytes.subarray(bom?.length ?? 0), bom?.encoding ?? encoding ?? UTF8);
    if (detectDelimiter(text, false).kind !== 'incomplete' || total >= MAX_LINE_BYTES) return { bytes, atEnd: false };
  }
}

/**
 * The text for finding the delimiter only: bad bytes are the decoding stream's to report, with their
 * line. Streaming, as there (nodejs/node#56542), and the end may be cut mid-character: it is a peek.
 */
function decodeLoosely(bytes: Buffer, encoding: string): string {
  return new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes, { stream: true });
}

function chooseDelimiter(text: string, atEnd: boolean, file: string): string {
  const guess = detectDelimiter(text, atEnd);
  switch (guess.kind) {
    case 'found':
      return guess.delimiter;
    case 'tie':
      throw new InputError(
        `the header row has as many ${guess.delimiters.map((d) => `${delimiterName(d)}s`).join(' as ')}: say which one separates the columns with --delimiter`,
        { file, line: 1 },
      );
    default:
      // One column, or a header line too long to be one (csv-parse will say so).
      return ',';
  }
}

/**
 * Files that are not text at all, or UTF-16 without its byte-order mark, are named for what they
 * are: "NUL byte" alone does not tell a marketer to save the workbook as CSV.
 */
function refuseNonText(bytes: Buffer, file: string): void {
  if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) {
    throw new InputError('is a zip file (an Excel .xlsx workbook?), not CSV: save it as "CSV UTF-8 (comma delimited)"', { file });
  }
  if (bytes.subarray(0, 8).equals(Buffer.from('d0cf11e0a1b11ae1', 'hex'))) {
    throw new InputError('is an Excel 97-2003 workbook (.xls), not CSV: save it as "CSV UTF-8 (comma delimited)"', { file });
  }
  const utf16 = utf16WithoutMark(bytes.subarray(0, 256));
  if (utf16) throw new InputError(`looks like UTF-16 text without a byte-order mark: pass --encoding ${utf16}`, { file, line: 1 });
}

/** ASCII text in UTF-16 has a zero in every other byte: at odd offsets little-endian, at even ones big-endian. */
function utf16WithoutMark(sample: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (sample.length < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i + 1 < sample.length; i += 2) {
    if (sample[i] === 0) evenZeros++;
    if (sample[i + 1] === 0) oddZeros++;
  }
  const units = Math.floor(sample.length / 2);
  if (oddZeros >= units * 0.8 && evenZeros === 0) return 'utf-16le';
  if (evenZeros >= units * 0.8 && oddZeros === 0) return 'utf-16be';
  return undefined;
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
    throw new InputError(IS_A_FOLDER, { file });
  }
  return handle;
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
