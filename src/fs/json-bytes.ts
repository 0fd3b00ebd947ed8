/**
 * Byte-level helpers for the scanners that read our own JSONL lines where they lie in a read
 * buffer, without decoding them (ledger/scan-send-record.ts, reconcile/scan-status-facts.ts).
 */

/** A key or literal as the bytes a scanner compares against (latin1: one byte per code unit). */
export const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

/** Whether `literal` lies at `i` (and before `end`). */
export function startsWith(buffer: Buffer, i: number, end: number, literal: Uint8Array): boolean {
  if (end - i < literal.length) return false;
  for (let k = 0; k < literal.length; k++) if (buffer[i + k] !== literal[k]) return false;
  return true;
}

/** Whether the bytes from `start` to `end` are exactly `other`. */
export function equalBytes(buffer: Buffer, start: number, end: number, other: Uint8Array): boolean {
  if (end - start !== other.length) return false;
  for (let k = 0; k < other.length; k++) if (buffer[start + k] !== other[k]) return false;
  return true;
}
