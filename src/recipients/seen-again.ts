import { PhoneTable, type PhoneKeys } from './phone-table.js';

/** What `SeenAgain.addOrGet` returns for a repeat whose first line it does not keep. */
export const EARLIER_LINE = -1;

/**
 * The duplicate set of a second pass over a CSV (send reads it twice: to check and count, then to
 * send), built from the numbers the first pass saw instead of a second table: one bit a slot says
 * whether this pass has met the number yet. A million recipients then cost the first pass's keys
 * (sorted, 8 bytes a number: 8 MB) and 125 KB of bits, not a second 15 MB table beside them.
 *
 * Exact whatever the second pass reads: a number the first pass did not see (the file changed in
 * between) goes to a table of its own, so every number is first exactly once in this pass, as with
 * a fresh table. Only the first row's line is not kept for numbers the first pass saw: a repeat of
 * one answers EARLIER_LINE (the first pass has reported the line).
 */
export class SeenAgain {
  private readonly met: Uint8Array;
  /** Numbers the first pass did not see. */
  private readonly others = new PhoneTable();

  constructor(private readonly firstPass: PhoneKeys) {
    this.met = new Uint8Array(Math.ceil(firstPass.slots / 8));
  }

  /** 0 the first time this pass meets `e164` (recorded with `line`, > 0); else the first line, or EARLIER_LINE. */
  addOrGet(e164: string, line: number): number {
    const slot = this.firstPass.slotOf(e164);
    if (slot < 0) return this.others.addOrGet(e164, line);
    const bit = 1 << (slot & 7);
    const byte = slot >>> 3;
    if ((this.met[byte]! & bit) !== 0) return EARLIER_LINE;
    this.met[byte] = this.met[byte]! | bit;
    return 0;
  }
}
