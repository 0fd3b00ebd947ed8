import { JsonlAppender, type AppendFile, type JsonlAppenderOptions } from '../fs/jsonl-appender.js';
import type { LedgerRecord } from './ledger-records.js';
import { refuseZeroedTail } from './read-ledger.js';

/** The ledger's one writer: the durable JSON-lines appender, holding ledger records. */
export type LedgerWriter = JsonlAppender<LedgerRecord>;

export type LedgerWriterOptions = Omit<JsonlAppenderOptions, 'checkTail'>;

/** The file operations the writer needs; tests pass failing ones. */
export type LedgerFile = AppendFile;

/**
 * Locks and opens a ledger for appending (`JsonlAppender.open`). A tail of zeros is refused rather
 * than cut as torn: it is attempts a failing disk lost, and forgetting them would send twice.
 */
export function openLedgerWriter(file: string, options: LedgerWriterOptions = {}): Promise<LedgerWriter> {
  return JsonlAppender.open<LedgerRecord>(file, { ...options, checkTail: refuseZeroedTail });
}
