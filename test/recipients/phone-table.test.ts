import { describe, expect, it } from 'vitest';
import { PhoneTable } from '../../src/recipients/phone-table.js';

describe('PhoneTable', () => {
  it('remembers the first line of each number', () => {
    const set = new PhoneTable();
    expect(set.addOrGet('+447400123456', 2)).toBe(0);
    expect(set.addOrGet('+447400123457', 3)).toBe(0);
    expect(set.addOrGet('+447400123456', 9)).toBe(2);
    expect(set.has('+447400123457')).toBe(true);
    expect(set.has('+447400123458')).toBe(false);
    expect(set.size).toBe(2);
  });

  it('keeps every entry exact through many resizes, for the longest E.164 numbers too', () => {
    const set = new PhoneTable(4);
    const base = 100_000_000_000_000; // 15 digits
    for (let i = 0; i < 50_000; i++) expect(set.addOrGet(`+${base + i * 7}`, i + 2)).toBe(0);
    expect(set.size).toBe(50_000);
    for (let i = 0; i < 50_000; i += 997) expect(set.addOrGet(`+${base + i * 7}`, 1)).toBe(i + 2);
    expect(set.has(`+${base + 1}`)).toBe(false);
  });

  it('refuses what is not E.164', () => {
    expect(() => new PhoneTable().addOrGet('07400123456', 2)).toThrow(RangeError);
  });
});
