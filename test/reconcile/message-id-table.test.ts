// MessageIdTable (src/reconcile/message-id-table.ts): message id → attempt slot, open addressing
// over the ids' hashes, each hit checked against the id itself.
import { describe, expect, it } from 'vitest';
import { MessageIdTable, messageIdHash, messageIdHashOfBytes } from '../../src/reconcile/message-id-table.js';

/** Two ids with the same 32-bit FNV-1a hash (found by search over "wamid.C<n>"). */
const COLLIDING = ['wamid.C139599', 'wamid.C322382'] as const;

const table = (entries: [string, number][]) => {
  const t = new MessageIdTable();
  for (const [id, value] of entries) t.set(id, messageIdHash(id), value);
  return t;
};

describe('MessageIdTable', () => {
  it('an id never set is -1; one set has its value; set again, the latest', () => {
    const t = table([['wamid.A', 7]]);
    expect(t.get('wamid.A', messageIdHash('wamid.A'))).toBe(7);
    expect(t.get('wamid.B', messageIdHash('wamid.B'))).toBe(-1);
    t.set('wamid.A', messageIdHash('wamid.A'), 0);
    expect(t.get('wamid.A', messageIdHash('wamid.A'))).toBe(0);
  });

  it('swap gives the value before (-1 for a new id) and sets the new one', () => {
    const t = new MessageIdTable();
    const hash = messageIdHash('wamid.A');
    expect(t.swap('wamid.A', hash, 3)).toBe(-1);
    expect(t.swap('wamid.A', hash, 5)).toBe(3);
    expect(t.swap('wamid.A', hash, -1)).toBe(5);
    expect(t.get('wamid.A', hash)).toBe(-1);
  });

  it('two ids of one hash are two entries: a hit is checked against the id', () => {
    expect(messageIdHash(COLLIDING[0])).toBe(messageIdHash(COLLIDING[1]));
    const [a, b] = COLLIDING;
    const t = new MessageIdTable();
    expect(t.swap(a, messageIdHash(a), 1)).toBe(-1);
    expect(t.get(b, messageIdHash(b))).toBe(-1);
    expect(t.swap(b, messageIdHash(b), 2)).toBe(-1);
    expect([t.get(a, messageIdHash(a)), t.get(b, messageIdHash(b))]).toEqual([1, 2]);
    // An id of another hash that probes the same slots (the table has 65,536) is no hit either.
    const other = 'wamid.other';
    const sameSlot = (messageIdHash(a) & 0xffff) | (messageIdHash(other) & ~0xffff);
    expect(t.get(other, sameSlot)).toBe(-1);
  });

  it('past half of its 65,536 slots the table grows: 100,000 ids, each with its own value', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `wamid.${i}`);
    const t = table(ids.map((id, i) => [id, i]));
    expect(ids.filter((id, i) => t.get(id, messageIdHash(id)) !== i)).toEqual([]);
    expect(t.get('wamid.100000', messageIdHash('wamid.100000'))).toBe(-1);
    // The colliding pair among them too.
    t.set(COLLIDING[0], messageIdHash(COLLIDING[0]), -5);
    expect(t.get(COLLIDING[1], messageIdHash(COLLIDING[1]))).toBe(-1);
  });

  it('messageIdHashOfBytes is messageIdHash of the ASCII bytes between start and end', () => {
    const buffer = Buffer.from('xx"wamid.HBgL"yy');
    expect(messageIdHashOfBytes(buffer, 3, 13)).toBe(messageIdHash('wamid.HBgL'));
    expect(messageIdHash('')).toBe(0x811c9dc5);
  });
});
