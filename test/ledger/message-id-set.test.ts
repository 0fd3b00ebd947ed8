import { describe, expect, it } from 'vitest';
import { MessageIdSet } from '../../src/ledger/message-id-set.js';

describe('MessageIdSet', () => {
  it('tells a new id from one returned before for the same recipient or for another', () => {
    const ids = new MessageIdSet();
    expect(ids.add('wamid.A', '+447400123456')).toBe('new');
    expect(ids.add('wamid.B', '+447400123457')).toBe('new');
    expect(ids.add('wamid.A', '+447400123456')).toBe('same_recipient');
    expect(ids.add('wamid.A', '+447400123457')).toBe('other_recipient');
    // The first recipient stays the owner.
    expect(ids.add('wamid.A', '+447400123456')).toBe('same_recipient');
    expect(ids.size).toBe(2);
  });

  it('keeps every id through growth and a reserve, and tells near-identical ids apart', () => {
    const ids = new MessageIdSet();
    const n = 50_000;
    const id = (i: number) => `wamid.HBgLNDQ3NDAwMTIzNDU2FQIAERgS${String(i).padStart(10, '0')}AA==`;
    const phone = (i: number) => `+4474${String(i).padStart(8, '0')}`;
    const seen = (from: number, to: number, phoneOf: (i: number) => string, step = 1) => {
      const counts = { new: 0, same_recipient: 0, other_recipient: 0 };
      for (let i = from; i < to; i += step) counts[ids.add(id(i), phoneOf(i))]++;
      return counts;
    };
    expect(seen(0, n / 2, phone)).toEqual({ new: n / 2, same_recipient: 0, other_recipient: 0 });
    ids.reserve(n);
    expect(seen(n / 2, n, phone)).toEqual({ new: n / 2, same_recipient: 0, other_recipient: 0 });
    expect(ids.size).toBe(n);
    expect(seen(0, n, phone)).toEqual({ new: 0, same_recipient: n, other_recipient: 0 });
    expect(seen(0, n, (i) => phone(i + 1), 10)).toEqual({ new: 0, same_recipient: 0, other_recipient: n / 10 });
    expect(ids.size).toBe(n);
  });
});
