/**
 * A set of E.164 numbers, each with the line it was first seen on, in typed arrays.
 *
 * A campaign of a million recipients must be checked for duplicates without a million strings in a
 * Map (~80 MB): an E.164 number has at most 15 digits, so it fits exactly in a double (< 2^53), and
 * an open-addressing table of doubles plus 32-bit line numbers costs 12 bytes a slot.
 */
export class PhoneSet {
  private keys: Float64Array;
  private lines: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity * LOAD < expected) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.lines = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Adds `e164` seen on `line`; returns 0 if it was new, else the line it was first seen on. */
  addOrGetLine(e164: string, line: number): number {
    const key = toKey(e164);
    let slot = hash(key) & this.mask;
    for (;;) {
      const existing = this.keys[slot]!;
      if (existing === 0) break;
      if (existing === key) return this.lines[slot]!;
      slot = (slot + 1) & this.mask;
    }
    this.keys[slot] = key;
    this.lines[slot] = line;
    if (++this.count > this.keys.length * LOAD) this.grow();
    return 0;
  }

  has(e164: string): boolean {
    const key = toKey(e164);
    for (let slot = hash(key) & this.mask; ; slot = (slot + 1) & this.mask) {
      const existing = this.keys[slot]!;
      if (existing === 0) return false;
      if (existing === key) return true;
    }
  }

  private grow(): void {
    const { keys, lines } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.lines = new Uint32Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key === 0) continue;
      let slot = hash(key) & this.mask;
      while (this.keys[slot] !== 0) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.lines[slot] = lines[i]!;
    }
  }
}

// Linear probing stays short up to about this fill; the table doubles past it.
const LOAD = 0.75;

function toKey(e164: string): number {
  const key = Number(e164.slice(1));
  if (e164[0] !== '+' || !Number.isSafeInteger(key) || key <= 0) throw new RangeError(`not an E.164 number: ${e164}`);
  return key;
}

/** Mixes both 32-bit halves of the key (murmur3 finaliser), so sequential numbers spread out. */
function hash(key: number): number {
  let h = (key % 0x100000000) ^ Math.floor(key / 0x100000000);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
