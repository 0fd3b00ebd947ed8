import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../errors.js';
import { isProcessAlive } from '../fs/is-process-alive.js';
// The atomic temp-and-rename file reconcile writes its lists with (it belongs in src/fs).
import { AtomicFile } from '../fs/atomic-file.js';
import { escapeFormula } from './formula-safe.js';
import { REJECTS_COLUMNS } from './rejects-header.js';

/** Rows turned into text at a time. */
const BATCH = 512;

export interface RejectsWriterOptions {
  /** The delimiter of the CSV the rows came from: the rejects file is written with it, so Excel opens it as it opened the CSV. */
  delimiter?: string | undefined;
  /** Files the rejects file must not replace (the recipients CSV, the spec, the suppression list), by what they are called in the message. */
  inputs?: { file: string; what: string }[] | undefined;
}

/**
 * The rejects file (`--rejects <csv>`): every rejected row as it was (the header's columns and the
 * row's cells, in order) plus `line`, `reason` and `detail`: what a marketer fixes in a spreadsheet
 * and feeds back as a recipients CSV, where the three extra columns are just variables.
 *
 * - Every cell is formula-safe (a leading `'` before `= + - @`, tab or CR), and a file with these
 *   columns is read back without it (open-audience), so values round-trip exactly.
 * - A file fed back holds `line`, `reason` and `detail` already: they are replaced, not repeated.
 * - A row with more cells than the header (a delimiter in an unquoted field) keeps them all: the
 *   extra ones are joined, with the delimiter, onto the last column's cell.
 * - UTF-8 with a byte-order mark (so Excel reads names as written), mode 0600 (phone numbers), and
 *   written atomically: it appears complete at `commit`, or not at all (the old one stays). The
 *   temp file a killed run left beside it (`.name.<pid>.tmp`, its pid gone) is removed.
 */
export class RejectsWriter {
  private pending: string[][] = [];
  private count = 0;
  /** Positions of the header's columns that are written (all but an earlier line, reason, detail). */
  private readonly kept: number[];

  private constructor(
    private readonly file: AtomicFile,
    private readonly headerLength: number,
    private readonly delimiter: string,
    header: readonly string[],
  ) {
    this.kept = header.flatMap((name, index) => ((REJECTS_COLUMNS as readonly string[]).includes(name) ? [] : [index]));
  }

  /**
   * Opens the temp file beside `file`, before any row is read: a folder that does not exist, a path
   * that is not a regular file, or one of the inputs is exit 2 naming it, and nothing is written.
   */
  static async open(file: string, header: readonly string[], options: RejectsWriterOptions = {}): Promise<RejectsWriter> {
    await refuseInputs(file, options.inputs ?? []);
    const atomic = await AtomicFile.open(file);
    await removeStaleTemps(file);
    const writer = new RejectsWriter(atomic, header.length, options.delimiter ?? ',', header);
    const names = [...writer.kept.map((index) => header[index]!), ...REJECTS_COLUMNS];
    await atomic.write(`\ufeff${writer.stringify([names])}`);
    return writer;
  }

  /** The path written. */
  get path(): string {
    return this.file.file;
  }

  /** Rejected rows added so far. */
  get rows(): number {
    return this.count;
  }

  /** Adds one rejected row: its cells as values (before formula-safe quoting), and why. */
  async add(row: { line: number; fields: readonly string[] }, reason: string, detail: string): Promise<void> {
    const cells = [...row.fields];
    while (cells.length < this.headerLength) cells.push('');
    if (cells.length > this.headerLength) {
      const last = this.kept.at(-1);
      if (last !== undefined) cells[last] = [cells[last], ...cells.slice(this.headerLength)].join(this.delimiter);
    }
    this.pending.push([...this.kept.map((index) => cells[index]!), String(row.line), reason, detail].map(escapeFormula));
    this.count++;
    if (this.pending.length >= BATCH) await this.flush();
  }

  /** Makes the file complete and puts it in place (a WriteError naming it when the disk fails). */
  async commit(): Promise<void> {
    try {
      await this.flush();
      await this.file.commit();
    } catch (error) {
      await this.file.abort();
      throw error;
    }
  }

  /** Drops what was written; an earlier file at the path stays as it was. */
  async abort(): Promise<void> {
    this.pending = [];
    await this.file.abort();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.stringify(this.pending);
    this.pending = [];
    await this.file.write(text);
  }

  private stringify(rows: string[][]): string {
    // A bare CR is quoted too: csv-parse would read it back as it is, but a spreadsheet breaks the row there.
    return stringify(rows, { delimiter: this.delimiter, record_delimiter: 'unix', quoted_match: /\r/ });
  }
}

/** Refuses a rejects path that is one of the inputs: the rename would replace the campaign's CSV. */
async function refuseInputs(file: string, inputs: { file: string; what: string }[]): Promise<void> {
  const target = await stat(file).catch(() => undefined);
  if (!target) return;
  for (const input of inputs) {
    const info = await stat(input.file).catch(() => undefined);
    if (info && info.dev === target.dev && info.ino === target.ino) {
      throw new InputError(`is the ${input.what}: --rejects must name another file, or it would be replaced`, { file });
    }
  }
}

/** Temp files of this rejects file that a killed run left behind (their pid no longer running). */
async function removeStaleTemps(file: string): Promise<void> {
  const folder = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  for (const entry of await readdir(folder).catch(() => [])) {
    if (!entry.startsWith(prefix)) continue;
    const pid = /^(\d+)\.tmp$/.exec(entry.slice(prefix.length))?.[1];
    if (pid === undefined || Number(pid) === process.pid || isProcessAlive(Number(pid))) continue;
    await unlink(path.join(folder, entry)).catch(() => undefined);
  }
}
