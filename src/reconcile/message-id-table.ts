import { int32s } from './number-column.js';

/**
 * A provider message id's hash (32-bit FNV-1a over its UTF-16 code units): computed where the id
 * is read (on the worker thread, for events), so the thread that folds only probes a table.
 */
export function messageIdHash(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash;
}

/** messageIdHash over an id's bytes in a read buffer, for the scanners (ASCII: the same as over its code units). */
export function messageIdHashOfBytes(buffer: Buffer, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let k = start; k < end; k++) hash = Math.imul(hash ^ buffer[k]!, 0x01000193);
  return hash;
}

/**
 * Message id → attempt slot (a non-negative number), in typed arrays: open addressing over the
 * ids' hashes, each hit checked against the id itself, so a collision never matches the wrong
 * attempt. A Map keyed by a million fresh strings was most of the fold's time and much of its heap.
 */
export class MessageIdTable {
  /** Entry index + 1 per table slot (0: empty); a power of two, at most half full. */
  private table = new Int32Array(1 << 16);
  private readonly hashes = int32s();
  private readonly values = int32s();
  private readonly keys: string[] = [];

  /** The value of `id` (whose hash is `hash`), or -1. */
  get(id: string, hash: number): number {
    const entry = this.entryOf(id, hash);
    return entry < 0 ? -1 : this.values.get(entry);
  }

  /** Sets the value of `id` (-1: no attempt, as if absent). */
  set(id: string, hash: number, value: number): void {
    this.swap(id, hash, value);
  }

  /** Sets the value of `id` and returns the one it had (-1 if absent), in one probe. */
  swap(id: string, hash: number, value: number): number {
    const entry = this.entryOf(id, hash);
    if (entry >= 0) {
      const old = this.values.get(entry);
      this.values.set(entry, value);
      return old;
    }
    if ((this.keys.length + 1) * 2 > this.table.length) this.grow();
    // Kept as given: the ledger's readers hand over strings of their own (decoded from the line's
    // bytes, or JSON.parse's), never a slice of the line, which would keep the whole line alive
    // (a regular expression's capture did: at a million recipients, 200 MB of lines held).
    this.keys.push(id);
    this.hashes.push(hash);
    this.values.push(value);
    this.place(this.keys.length - 1, hash);
    return -1;
  }

  private entryOf(id: string, hash: number): number {
    const mask = this.table.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.table[slot]! - 1;
      if (entry < 0) return -1;
      if (this.hashes.get(entry) === hash && this.keys[entry] === id) return entry;
    }
  }

  private place(entry: number, hash: number): void {
    const mask = this.table.length - 1;
    let slot = hash & mask;
    while (this.table[slot] !== 0) slot = (slot + 1) & mask;
    this.table[slot] = entry + 1;
  }

  private grow(): void {
    this.table = new Int32Array(this.table.length * 2);
    for (let entry = 0; entry < this.keys.length; entry++) this.place(entry, this.hashes.get(entry));
  }
}
