// The slow reading of an events line's stored facts, as the columns the byte scanner fills: what
// StatusFactsScanner's tests compare it with (scan-status-facts.ts promises the same reading).
import { familyCode } from '../../src/reconcile/family-code.js';
import { messageIdHash } from '../../src/reconcile/message-id-table.js';
import { parseStoredFacts } from '../../src/reconcile/parse-event.js';
import type { StatusColumns } from '../../src/reconcile/scan-status-facts.js';

export const emptyColumns = (): StatusColumns => ({ ids: [], cids: [], numbers: [] });

/** The line's bytes in a buffer after `before` and before another line, as in the reader's buffer. */
export function placed(line: string | Buffer, before = '{"type":"event"}\n'): { buffer: Buffer; start: number; end: number } {
  const bytes = typeof line === 'string' ? Buffer.from(line) : line;
  const head = Buffer.from(before);
  return { buffer: Buffer.concat([head, bytes, Buffer.from('\n{"x":1}')]), start: head.length, end: head.length + bytes.length };
}

/**
 * What parseStoredFacts reads, as the columns encodeSignals fills from its signals (undefined: it
 * does not read the line, which reconcile then parses whole; 'other': not statuses only).
 */
export function viaParse(line: string | Buffer, keywords: ReadonlySet<string>): StatusColumns | 'other' | undefined {
  const { buffer, start, end } = placed(line);
  const parsed = parseStoredFacts(buffer, start, end, keywords);
  if (!parsed) return undefined;
  if (!parsed.ok || parsed.signals.some((s) => s.kind !== 'status')) return 'other';
  const columns = emptyColumns();
  for (const s of parsed.signals) {
    if (s.kind !== 'status') continue;
    columns.ids.push(s.messageId ?? '');
    columns.cids.push(s.cid ?? '');
    columns.numbers.push(s.rank, s.failed ? 1 : 0, s.code, s.at, familyCode(s.family), s.messageId === undefined ? 0 : messageIdHash(s.messageId));
  }
  return columns;
}
