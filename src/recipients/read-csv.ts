import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { parse, CsvError, type Options } from 'csv-parse';
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
  /** The data rows, streamed: each is read from disk only when asked for. Blank lines are skipped. */
  rows: AsyncIterable<CsvRow>;
  /** Stops reading and releases the file; safe to call at any time, more than once. */
  close(): void;
}

/**
 * The longest record accepted, in characters. Far above any real row (Meta caps a text parameter at
 * 32,768 characters), and what stops an unclosed quote from swallowing the rest of a large file
 * into memory before it is reported.
 */
export const MAX_RECORD_SIZE = 256 * 1024;

/**
 * Opens a CSV file for streaming: UTF-8 (checked), optional BOM, LF or CRLF, RFC 4180 quoting.
 * Reads the header row before returning, so a missing, empty or unreadable file is reported at
 * once as an InputError naming the file.
 */
export async function openCsv(file: string): Promise<CsvFile> {
  const handle = await openForReading(file);
  // Line tracking is ours, done as csv-parse hands over each record (before it can fail on a later
  // one): a record starts on the line after the previous one ended, and ends as many lines later as
  // its quoted fields hold newlines. csv-parse's own count drifts on CRLF inside quoted fields.
  let nextLine = 1;
  const options: Options<CsvRow, string[]> = {
    bom: true,
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true,
    max_record_size: MAX_RECORD_SIZE,
    on_record: (fields: string[]): CsvRow | null => {
      const line = nextLine;
      nextLine = line + 1 + newlinesIn(fields);
      return isBlank(fields) ? null : { line, fields };
    },
  };
  // csv-parse types on_record's result only in the overload that requires `columns`.
  const parser = parse(options as unknown as Options);
  pipeline(handle.createReadStream(), new Utf8Guard(file), parser, () => {
    // Errors surface through the parser's iterator below.
  });
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<CsvRow>;

  const next = async (): Promise<CsvRow | undefined> => {
    try {
      const result = await records.next();
      return result.done ? undefined : result.value;
    } catch (error) {
      // nextLine is where the record that failed to parse begins.
      throw csvError(error, file, nextLine);
    }
  };

  const first = await next();
  if (!first) throw new InputError('the file is empty: expected a header row (phone,opt_in,…)', { file });
  const header = first.fields.map((name) => name.trim());
  checkHeader(header, file, first.line);

  return {
    file,
    header,
    rows: {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          const row = await next();
          return row ? { value: row, done: false } : { value: undefined, done: true };
        },
        return: async () => {
          parser.destroy();
          return { value: undefined, done: true };
        },
      }),
    },
    // Destroying the parser makes pipeline() destroy the file stream, which closes the handle.
    close: () => parser.destroy(),
  };
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

function csvError(error: unknown, file: string, line: number): Error {
  if (error instanceof InputError) return error;
  if (error instanceof CsvError) {
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return new InputError('a quote opened in this row is never closed', { file, line });
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
