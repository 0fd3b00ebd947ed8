/** What a message id returned for a recipient is: new, or returned before for this recipient or for another one. */
export type MessageIdSeen = 'new' | 'same_recipient' | 'other_recipient';

/**
 * The provider message ids a ledger holds, so that `send` notices a provider returning one id for
 * two people (a buggy or hostile provider; reconcile would then put the wrong person on a list).
 *
 * A million ids must fit in a few MB (send's goal: 200 MB for a million recipients, and within
 * 15 % of 100,000), so an id is kept as a 48-bit hash in two typed arrays (16 + 32 bits), in an
 * open-addressing table: 6 bytes a slot, not a string each and not its recipient. `add` answers
 * exactly when an id is new (no id with its hash was added); an id whose hash was seen may be a
 * repeat or another id with the same hash (about n²/2⁴⁹ times in a run of n ids: 0.002 for a
 * million), and who it was returned for is not kept here either: `MessageIdOwners` finds both out
 * exactly, from the ledger, on that rare path.
 */
export class MessageIdSet {
  /** The hash's high 16 bits; a slot with both halves 0 is empty (hash48 is never 0). */
  private high: Uint16Array;
  private low: Uint32Array;
  private count = 0;

  constructor(expected = 1024) {
    const capacity = capacityFor(expected);
    this.high = new Uint16Array(capacity);
    this.low = new Uint32Array(capacity);
  }

  /** How many distinct hashes the set holds (ids, but for the rare two ids sharing a hash). */
  get size(): number {
    return this.count;
  }

  /** Makes room for `expected` ids in all, so that filling up to it never copies the table. */
  reserve(expected: number): void {
    const capacity = capacityFor(expected);
    if (capacity > this.low.length) this.rehash(capacity);
  }

  /**
   * Adds `id` and returns true when it is new for certain; false when an id with the same hash was
   * added before (`id` itself, or rarely another one): then ask `MessageIdOwners`.
   */
  add(id: string): boolean {
    hash48(id);
    const slot = this.slotOf(hashHigh, hashLow);
    if (this.high[slot] !== 0 || this.low[slot] !== 0) return false;
    this.high[slot] = hashHigh;
    this.low[slot] = hashLow;
    if (++this.count > this.low.length * LOAD) this.rehash(Math.ceil(this.low.length * GROWTH));
    return true;
  }

  private slotOf(high: number, low: number): number {
    const capacity = this.low.length;
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) >>> 0;
    slot %= capacity;
    for (;;) {
      const h = this.high[slot]!;
      const l = this.low[slot]!;
      if ((h === 0 && l === 0) || (h === high && l === low)) return slot;
      if (++slot === capacity) slot = 0;
    }
  }

  private rehash(capacity: number): void {
    const { high, low } = this;
    this.high = new Uint16Array(capacity);
    this.low = new Uint32Array(capacity);
    for (let i = 0; i < low.length; i++) {
      if (high[i] === 0 && low[i] === 0) continue;
      const slot = this.slotOf(high[i]!, low[i]!);
      this.high[slot] = high[i]!;
      this.low[slot] = low[i]!;
    }
  }
}

const LOAD = 0.8;
const GROWTH = 1.5;

function capacityFor(expected: number): number {
  return Math.max(1024, Math.ceil(expected / LOAD) + 1);
}

// The last hash48 result (16 and 32 bits), kept in module variables so hashing allocates nothing.
let hashHigh = 0;
let hashLow = 0;

/** 48 bits of two independent 32-bit hashes of the UTF-16 code units (FNV-1a and a murmur-style mix), each finalised; never 0. */
function hash48(text: string): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  hashHigh = finalise(a) >>> 16;
  hashLow = finalise(b);
  if (hashHigh === 0 && hashLow === 0) hashLow = 1;
}

/** murmur3's finaliser: every input bit reaches every output bit. */
function finalise(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
