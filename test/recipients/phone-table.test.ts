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

  it('set adds a number once and then changes its value, the size counting numbers, not calls', () => {
    const table = new PhoneTable();
    table.set('+447400123456', 5);
    expect(table.size).toBe(1);
    expect(table.get('+447400123456')).toBe(5);
    table.set('+447400123456', 7);
    expect(table.size).toBe(1);
    expect(table.get('+447400123456')).toBe(7);
    table.set('+447400123457', 3);
    expect(table.size).toBe(2);
    expect(table.addOrGet('+447400123457', 9)).toBe(3);
    expect(table.get('+447400123458')).toBe(0);
  });

  it('takes numbers when sized for none (the estimate of a header-only file)', () => {
    const table = new PhoneTable(0);
    expect(table.addOrGet('+447400123456', 2)).toBe(0);
    expect(table.addOrGet('+447400123456', 3)).toBe(2);
    expect(table.size).toBe(1);
  });

  it('refuses a value that is not positive (0 means absent)', () => {
    const table = new PhoneTable();
    expect(() => table.addOrGet('+447400123456', 0)).toThrow(new RangeError('PhoneTable values must be positive'));
    expect(() => table.set('+447400123456', -1)).toThrow(new RangeError('PhoneTable values must be positive'));
    expect(table.size).toBe(0);
  });

  it('names what is not E.164, +0 included (its key would be the empty slot)', () => {
    const table = new PhoneTable();
    expect(() => table.addOrGet('07400123456', 2)).toThrow(new RangeError('not an E.164 number: 07400123456'));
    expect(() => table.addOrGet('+0', 2)).toThrow(new RangeError('not an E.164 number: +0'));
    expect(() => table.get('+')).toThrow(new RangeError('not an E.164 number: +'));
  });
});

