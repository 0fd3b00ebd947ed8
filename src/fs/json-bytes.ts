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

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** The characters JSON allows after a backslash, but `u`: " \ / b f n r t. */
const SIMPLE_ESCAPES = [...bytes('"\\/bfnrt')];

/**
 * The closing quote of a JSON string's contents starting at `i`, read as JSON.parse reads one (no
 * raw control character, a backslash only before one of `"\/bfnrt` or `u` and four hex digits),
 * else -1.
 */
export function jsonStringEnd(buffer: Buffer, i: number, end: number): number {
  for (; i < end; i++) {
    const byte = buffer[i]!;
    if (byte === QUOTE) return i;
    if (byte < 0x20) return -1;
    if (byte !== BACKSLASH) continue;
    // An escape, and at least the closing quote after it.
    if (i + 2 >= end) return -1;
    const escaped = buffer[++i]!;
    if (escaped === 0x75) {
      // \uXXXX
      if (i + 5 >= end) return -1;
      for (let k = 1; k <= 4; k++) if (!isHex(buffer[i + k]!)) return -1;
      i += 4;
    } else if (!SIMPLE_ESCAPES.includes(escaped)) {
      return -1;
    }
  }
  return -1;
}

function isHex(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}
