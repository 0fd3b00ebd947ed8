import type { LineSpans } from '../fs/read-line-batches.js';
import type { SendRecordScanner } from '../ledger/scan-send-record.js';
import { messageIdHash } from './message-id-table.js';

/** What a ledger line is, as the thread that read it found: send's intent or accepted outcome (scanned), another record (to be parsed), or blank. */
export const LedgerLineKind = { blank: 0, intent: 1, outcome: 2, other: 3 } as const;

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
  phones: string[];
  cids: string[];
  /** Per scanned outcome (undefined for others, and for an outcome without them). */
  messageIds: (string | undefined)[];
  /** Per scanned outcome with a message id, its messageIdHash (worked out by the reading thread, off the folding one); 0 for others. */
  messageIdHashes: Int32Array;
  waIds: (string | undefined)[];
  /** Per scanned intent: its row's column names (undefined: no row; rows with the same names share one array). */
  columns: (readonly string[] | undefined)[];
  /** Per line of kind `other`, its text ('' for the rest). */
  texts: string[];
}

/** The lines of `spans` as a LedgerBatch. */
export function scanLedgerBatch({ firstLine, buffer, offset, starts, ends }: LineSpans, scanner: SendRecordScanner): LedgerBatch {
  const n = starts.length;
  const batch: LedgerBatch = {
    kind: 'ledger',
    firstLine,
    kinds: new Uint8Array(n),
    offsets: new Float64Array(n),
    lengths: new Int32Array(n),
    ats: new Float64Array(n),
    phones: [],
    cids: [],
    messageIds: [],
    messageIdHashes: new Int32Array(n),
    waIds: [],
    columns: [],
    texts: [],
  };
  for (let i = 0; i < n; i++) {
    const start = starts[i]!;
    const end = ends[i]!;
    batch.offsets[i] = offset + start;
    batch.lengths[i] = end - start;
    const scanned = scanner.scan(buffer, start, end);
    let text = '';
    if (scanned) {
      batch.kinds[i] = scanned.type === 'intent' ? LedgerLineKind.intent : LedgerLineKind.outcome;
      batch.ats[i] = scanned.at;
    } else {
      text = buffer.toString('utf8', start, end);
      batch.kinds[i] = text.trim() === '' ? LedgerLineKind.blank : LedgerLineKind.other;
    }
    batch.phones.push(scanned?.phone ?? '');
    batch.cids.push(scanned?.cid ?? '');
    const messageId = scanned?.type === 'outcome' ? scanned.message_id : undefined;
    batch.messageIds.push(messageId);
    if (messageId) batch.messageIdHashes[i] = messageIdHash(messageId);
    batch.waIds.push(scanned?.type === 'outcome' ? scanned.wa_id : undefined);
    batch.columns.push(scanned?.type === 'intent' ? scanned.columns : undefined);
    batch.texts.push(batch.kinds[i] === LedgerLineKind.other ? text : '');
  }
  return batch;
}
