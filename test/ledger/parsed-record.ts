import { parseRecord } from '../../src/ledger/read-ledger.js';

// The slow reading the scanner's fast path is held to (scan-send-record*.test.ts).

/** What the fold takes from a parsed line, as the scanner gives it. */
export function viaParse(text: string) {
  const record = parseRecord(text, 'l.jsonl', 1);
  if (record.type === 'intent') return { type: 'intent', at: Date.parse(record.at), cid: record.cid, phone: record.phone, columns: record.row ? Object.keys(record.row) : undefined };
  if (record.type === 'outcome') return { type: 'outcome', at: Date.parse(record.at), cid: record.cid, phone: record.phone, outcome: record.outcome, message_id: record.message_id, wa_id: record.wa_id };
  return record;
}

/** Whether parseRecord takes the line as a ledger record. */
export function parses(text: string): boolean {
  try {
    parseRecord(text, 'l.jsonl', 1);
    return true;
  } catch {
    return false;
  }
}
