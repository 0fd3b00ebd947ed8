import type { LineSpans } from '../fs/read-line-batches.js';
import type { SendRecordScanner } from '../ledger/scan-send-record.js';
import { messageIdHashOfBytes } from './message-id-table.js';

/** What a ledger line is, as the thread that read it found: send's intent or accepted outcome (scanned), another record (to be parsed), or blank. */
export const LedgerLineKind = { blank: 0, intent: 1, outcome: 2, other: 3 } as const;

/**
 * One string column of a LedgerBatch: every line's value joined into one string, and where each
 * line's ends (line i's value is `text.slice(ends[i - 1] ?? 0, ends[i])`; '' for none). Why not an
 * array of strings: a batch crosses threads by structured clone, which copies an array string by
 * string (at 200,000 recipients the worker spent 117-158 ms in postMessage, and the folding thread
 * as long again taking them apart); one string and one typed array copy in two steps, and the
 * folding thread slices only what it uses.
 */
export interface JoinedColumn {
  text: string;
  ends: Int32Array;
}

/** Line i's value in `column` ('' for none). */
export function joinedValue({ text, ends }: JoinedColumn, i: number): string {
  return text.slice(i === 0 ? 0 : ends[i - 1], ends[i]);
}

/**
 * A batch of ledger lines read (scanned where they are send's, decoded where not) by one thread
 * and folded, in ledger order, by another: columns of numbers and strings, cheap to send across
 * threads. Line i of the batch is line `firstLine + i` of the ledger.
 */
export interface LedgerBatch {
  kind: 'ledger';
  firstLine: number;
  /** Per line, a LedgerLineKind. */
  kinds: Uint8Array;
  /** Per line: where it is in the file (byte offset and length), and a scanned line's time (ms). */
  offsets: Float64Array;
  lengths: Int32Array;
  ats: Float64Array;
  /** Per scanned line ('' for others). */
  phones: JoinedColumn;
  /** Per scanned line, its phone's digits as a number (`Number(phone.slice(1))`; 0 for others): the fold's key for it, worked out here, off the folding thread. */
  phoneKeys: Float64Array;
  cids: JoinedColumn;
  /** Per scanned outcome ('' for others, and for an outcome without them: the fold takes '' as none). */
  messageIds: JoinedColumn;
  /** Per scanned outcome with a message id, its messageIdHash (worked out by the reading thread, off the folding one); 0 for others. */
  messageIdHashes: Int32Array;
  waIds: JoinedColumn;
  /** Per scanned intent: its row's column names (undefined: no row; rows with the same names share one array). */
  columns: (readonly string[] | undefined)[];
  /** The text of each line of kind `other`, in order (none for the rest). */
  texts: string[];
}

/**
 * Builds a JoinedColumn a value at a time from ASCII bytes in a read buffer: copied into one
 * buffer and decoded once at the end (not a string a value: a decoding call per value, three a
 * line, cost more than the scan itself).
 */
class ColumnBuilder {
  private bytes: Buffer;
  private length = 0;
  readonly ends: Int32Array;
  constructor(lines: number, bytes: number) {
    this.ends = new Int32Array(lines);
    this.bytes = Buffer.allocUnsafe(Math.max(64, bytes));
  }
  /** Line i's value (in line order): bytes `start` to `end` of `buffer`, all ASCII. */
  set(i: number, buffer: Buffer, start: number, end: number): void {
    let at = this.length;
    if (at + end - start > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(2 * (at + end - start));
      this.bytes.copy(bigger, 0, 0, at);
      this.bytes = bigger;
    }
    const bytes = this.bytes;
    for (let k = start; k < end; k++) bytes[at++] = buffer[k]!;
    this.length = at;
    this.ends[i] = at;
  }
  /** Line i has no value. */
  none(i: number): void {
    this.ends[i] = this.length;
  }
  done(): JoinedColumn {
    return { text: this.bytes.toString('latin1', 0, this.length), ends: this.ends };
  }
}

/** The lines of `spans` as a LedgerBatch. */
export function scanLedgerBatch({ firstLine, buffer, offset, starts, ends }: LineSpans, scanner: SendRecordScanner): LedgerBatch {
  const n = starts.length;
  const kinds = new Uint8Array(n);
  const offsets = new Float64Array(n);
  const lengths = new Int32Array(n);
  const ats = new Float64Array(n);
  const messageIdHashes = new Int32Array(n);
  const phoneKeys = new Float64Array(n);
  // About what each column takes of a batch of send's lines (they grow if not).
  const bytes = n === 0 ? 0 : ends[n - 1]! - starts[0]!;
  const phones = new ColumnBuilder(n, 16 * n);
  const cids = new ColumnBuilder(n, 24 * n);
  const messageIds = new ColumnBuilder(n, bytes >> 2);
  const waIds = new ColumnBuilder(n, 64);
  const columns: (readonly string[] | undefined)[] = [];
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const start = starts[i]!;
    const end = ends[i]!;
    offsets[i] = offset + start;
    lengths[i] = end - start;
    const scanned = scanner.scanSpans(buffer, start, end);
    if (!scanned) {
      const text = buffer.toString('utf8', start, end);
      kinds[i] = text.trim() === '' ? LedgerLineKind.blank : LedgerLineKind.other;
      if (kinds[i] === LedgerLineKind.other) texts.push(text);
      phones.none(i);
      cids.none(i);
      messageIds.none(i);
      waIds.none(i);
      columns.push(undefined);
      continue;
    }
    kinds[i] = scanned.type === 'intent' ? LedgerLineKind.intent : LedgerLineKind.outcome;
    ats[i] = scanned.at;
    phones.set(i, buffer, scanned.phoneStart, scanned.phoneEnd);
    // The scanner checked `+` and 1-15 digits: exact in a double, as Number() of the digits gives it.
    let key = 0;
    for (let k = scanned.phoneStart + 1; k < scanned.phoneEnd; k++) key = key * 10 + (buffer[k]! - 48);
    phoneKeys[i] = key;
    cids.set(i, buffer, scanned.cidStart, scanned.cidEnd);
    columns.push(scanned.columns);
    if (scanned.type === 'intent') {
      messageIds.none(i);
      waIds.none(i);
      continue;
    }
    // (An empty message id or wa_id is none, as the fold takes it.)
    messageIds.set(i, buffer, scanned.messageIdStart, scanned.messageIdEnd);
    if (scanned.messageIdEnd > scanned.messageIdStart) messageIdHashes[i] = messageIdHashOfBytes(buffer, scanned.messageIdStart, scanned.messageIdEnd);
    waIds.set(i, buffer, scanned.waIdStart, scanned.waIdEnd);
  }
  return { kind: 'ledger', firstLine, kinds, offsets, lengths, ats, phones: phones.done(), phoneKeys, cids: cids.done(), messageIds: messageIds.done(), messageIdHashes, waIds: waIds.done(), columns, texts };
}
