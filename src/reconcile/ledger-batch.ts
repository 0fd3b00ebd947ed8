import type { LineSpans } from '../fs/read-line-batches.js';
import type { SendRecordScanner } from '../ledger/scan-send-record.js';
import { messageIdHash } from './message-id-table.js';

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

/** Builds a JoinedColumn a value at a time. */
class ColumnBuilder {
  private readonly parts: string[] = [];
  private length = 0;
  readonly ends: Int32Array;
  constructor(lines: number) {
    this.ends = new Int32Array(lines);
  }
  /** Line i's value (in line order). */
  set(i: number, value: string | undefined): void {
    if (value) {
      this.parts.push(value);
      this.length += value.length;
    }
    this.ends[i] = this.length;
  }
  done(): JoinedColumn {
    return { text: this.parts.join(''), ends: this.ends };
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
  const phones = new ColumnBuilder(n);
  const cids = new ColumnBuilder(n);
  const messageIds = new ColumnBuilder(n);
  const waIds = new ColumnBuilder(n);
  const columns: (readonly string[] | undefined)[] = [];
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const start = starts[i]!;
    const end = ends[i]!;
    offsets[i] = offset + start;
    lengths[i] = end - start;
    const scanned = scanner.scan(buffer, start, end);
    if (scanned) {
      kinds[i] = scanned.type === 'intent' ? LedgerLineKind.intent : LedgerLineKind.outcome;
      ats[i] = scanned.at;
    } else {
      const text = buffer.toString('utf8', start, end);
      kinds[i] = text.trim() === '' ? LedgerLineKind.blank : LedgerLineKind.other;
      if (kinds[i] === LedgerLineKind.other) texts.push(text);
    }
    phones.set(i, scanned?.phone);
    cids.set(i, scanned?.cid);
    const messageId = scanned?.type === 'outcome' ? scanned.message_id : undefined;
    messageIds.set(i, messageId);
    if (messageId) messageIdHashes[i] = messageIdHash(messageId);
    waIds.set(i, scanned?.type === 'outcome' ? scanned.wa_id : undefined);
    columns.push(scanned?.type === 'intent' ? scanned.columns : undefined);
  }
  return { kind: 'ledger', firstLine, kinds, offsets, lengths, ats, phones: phones.done(), cids: cids.done(), messageIds: messageIds.done(), messageIdHashes, waIds: waIds.done(), columns, texts };
}

/** The typed arrays of a batch, to be moved (not copied) when it is posted to another thread. */
export function ledgerBatchBuffers(batch: LedgerBatch): ArrayBuffer[] {
  const arrays = [batch.kinds, batch.offsets, batch.lengths, batch.ats, batch.messageIdHashes, batch.phones.ends, batch.cids.ends, batch.messageIds.ends, batch.waIds.ends];
  return arrays.map((array) => array.buffer as ArrayBuffer);
}
