/** What `add` found: the id is new, was already returned for this recipient, or for another one. */
export type MessageIdSeen = 'new' | 'same_recipient' | 'other_recipient';

/**
 * The provider message ids a ledger holds, each with the recipient it was returned for, so that
 * `send` notices a provider returning one id for two people (a buggy or hostile provider; reconcile
 * would then put the wrong person on a list).
 *
 * A million ids must fit in about 15 MB (send's goal is 200 MB for a million recipients), so an id
 * is kept as a 64-bit hash in two typed arrays, with a 32-bit fingerprint of its recipient's
 * number, in an open-addressing table: 12 bytes a slot instead of a string each. Two different ids
 * share a hash with a probability of about n²/2⁶⁵ (3·10⁻⁸ for a million); the second is then taken
 * for a repeat, which send records as in doubt: the safe side. Two recipients share a fingerprint
 * with a probability of 2⁻³² each time an id does repeat.
 */
export class MessageIdSet {
  private high: Uint32Array;
  private low: Uint32Array;
  /** The recipient's fingerprint (never 0); 0 marks an empty slot. */
  private owner: Uint32Array;
  private count = 0;

  constructor(expected = 1024) {
    const capacity = capacityFor(expected);
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.owner = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Makes room for `expected` ids in all, so that filling up to it never copies the table. */
  reserve(expected: number): void {
    const capacity = capacityFor(expected);
    if (capacity > this.owner.length) this.rehash(capacity);
  }

  /**
   * Records that `id` was returned for `phone` (+E.164) and says whether it had been returned
   * before. The first recipient stays its owner.
   */
  add(id: string, phone: string): MessageIdSeen {
    hash64(id);
    const owner = fingerprint(phone);
    const slot = this.slotOf(hashHigh, hashLow);
    const existing = this.owner[slot]!;
    if (existing !== 0) return existing === owner ? 'same_recipient' : 'other_recipient';
    this.high[slot] = hashHigh;
    this.low[slot] = hashLow;
    this.owner[slot] = owner;
    if (++this.count > this.owner.length * LOAD) this.rehash(Math.ceil(this.owner.length * GROWTH));
    return 'new';
  }

  private slotOf(high: number, low: number): number {
    const capacity = this.owner.length;
    let slot = low % capacity;
    while (this.owner[slot] !== 0 && (this.high[slot] !== high || this.low[slot] !== low)) if (++slot === capacity) slot = 0;
    return slot;
  }

  private rehash(capacity: number): void {
    const { high, low, owner } = this;
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.owner = new Uint32Array(capacity);
    for (let i = 0; i < owner.length; i++) {
      if (owner[i] === 0) continue;
      const slot = this.slotOf(high[i]!, low[i]!);
      this.high[slot] = high[i]!;
      this.low[slot] = low[i]!;
      this.owner[slot] = owner[i]!;
    }
  }
}

const LOAD = 0.8;
const GROWTH = 1.5;

function capacityFor(expected: number): number {
  return Math.max(1024, Math.ceil(expected / LOAD) + 1);
}

// The last hash64 result (two 32-bit halves), kept in module variables so hashing allocates nothing.
let hashHigh = 0;
let hashLow = 0;

/** Two independent 32-bit hashes of the UTF-16 code units (FNV-1a and a murmur-style mix), each finalised. */
function hash64(text: string): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  hashHigh = finalise(a);
  hashLow = finalise(b);
}

/** A recipient's 32-bit fingerprint (FNV-1a of the number, finalised), never 0. */
function fingerprint(phone: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < phone.length; i++) h = Math.imul(h ^ phone.charCodeAt(i), 0x01000193);
  return finalise(h) || 1;
}

/** murmur3's finaliser: every input bit reaches every output bit. */
function finalise(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
