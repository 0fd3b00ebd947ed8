/**
 * A map from E.164 numbers to a positive 32-bit value (the line a number was first seen on, a
 * recipient's state…), in typed arrays.
 *
 * A campaign of a million recipients must be checked for duplicates without a million strings in a
 * Map (~80 MB): an E.164 number has at most 15 digits, so it fits exactly in a double (< 2^53), and
 * an open-addressing table of doubles plus 32-bit line numbers costs 12 bytes a slot. Sized from an
 * estimate of the row count up front (any size, not a power of two), it is not copied while it fills.
 */
export class PhoneTable {
  private keys: Float64Array;
  private values: Uint32Array;
  private count = 0;

  /** `expected`: about how many numbers will be added; the table grows past it if needed. */
  constructor(expected = 1024) {
    const capacity = Math.max(1024, Math.ceil(expected / LOAD));
    this.keys = new Float64Array(capacity);
    this.values = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Adds `e164` with `value` (> 0) if absent and returns 0; else returns the value it has. */
  addOrGet(e164: string, value: number): number {
    return this.addOrGetKey(toKey(e164), value);
  }

  /**
   * addOrGet for a number already turned into its key (its digits as a number, `Number(e164.slice(1))`):
   * a reader that scanned the digits from bytes hands over the key, and the folding thread makes no string.
   */
  addOrGetKey(key: number, value: number): number {
    const slot = this.slotOf(key);
    const existing = this.values[slot]!;
    if (existing !== 0) return existing;
    this.put(slot, key, value);
    return 0;
  }

  /** Sets the value of `e164` (> 0), adding it if absent. */
  set(e164: string, value: number): void {
    const key = toKey(e164);
    const slot = this.slotOf(key);
    if (this.keys[slot] === key) this.values[slot] = value;
    else this.put(slot, key, value);
  }

  /** The value of `e164`, or 0 when absent. */
  get(e164: string): number {
    return this.values[this.slotOf(toKey(e164))]!;
  }

  has(e164: string): boolean {
    return this.get(e164) !== 0;
  }

  /**
   * Hands over the numbers without their values (a later pass over the same CSV needs only to find
   * them again: `SeenAgain`) and leaves this table empty, so that its memory can go. Sorted, 8 bytes
   * a number and no empty slots: the table's slots (sized from an estimate of the rows, at most 80 %
   * full) cost 10–12 bytes a number for the whole campaign, the sorted numbers 8.
   */
  takeKeys(): PhoneKeys {
    const sorted = new Float64Array(this.count);
    let n = 0;
    for (const key of this.keys) if (key !== 0) sorted[n++] = key;
    sorted.sort();
    this.keys = new Float64Array(1024);
    this.values = new Uint32Array(1024);
    this.count = 0;
    return new PhoneKeys(sorted);
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private slotOf(key: number): number {
    return probe(this.keys, key);
  }

  private put(slot: number, key: number, value: number): void {
    if (value <= 0) throw new RangeError('PhoneTable values must be positive');
    this.keys[slot] = key;
    this.values[slot] = value;
    if (++this.count > this.keys.length * LOAD) this.grow();
  }

  private grow(): void {
    const { keys, values } = this;
    const capacity = Math.ceil(keys.length * GROWTH);
    this.keys = new Float64Array(capacity);
    this.values = new Uint32Array(capacity);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key === 0) continue;
      let slot = hash(key) % capacity;
      while (this.keys[slot] !== 0) if (++slot === capacity) slot = 0;
      this.keys[slot] = key;
      this.values[slot] = values[i]!;
    }
  }
}

/**
 * The numbers a PhoneTable held, fixed and sorted: `slotOf` says where a number is (or -1), so that
 * a caller can keep one bit a number beside them instead of a second table.
 */
export class PhoneKeys {
  /** `sorted`: distinct keys, ascending. */
  constructor(private readonly sorted: Float64Array) {}

  /** How many numbers there are. */
  get size(): number {
    return this.sorted.length;
  }

  /** How many slots there are (slot numbers are below it): one a number. */
  get slots(): number {
    return this.sorted.length;
  }

  /** The slot of `e164`, or -1 when it is not one of the numbers. */
  slotOf(e164: string): number {
    const key = toKey(e164);
    const { sorted } = this;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo < sorted.length && sorted[lo] === key ? lo : -1;
  }
}

/** The slot holding `key` in an open-addressing table of keys (0: empty), or the empty slot where it would go. */
function probe(keys: Float64Array, key: number): number {
  const capacity = keys.length;
  let slot = hash(key) % capacity;
  for (;;) {
    const existing = keys[slot]!;
    if (existing === 0 || existing === key) return slot;
    if (++slot === capacity) slot = 0;
  }
}

// Linear probing stays short up to about this fill; the table grows by half past it.
const LOAD = 0.8;
const GROWTH = 1.5;

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
