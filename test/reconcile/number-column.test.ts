// NumberColumn (src/reconcile/number-column.ts): a growable column of numbers in a typed array.
import { describe, expect, it } from 'vitest';
import { float64s, int32s, int8s, uint8s } from '../../src/reconcile/number-column.js';

describe('NumberColumn', () => {
  it('keeps every value pushed past its first 1,024 (it doubles as it fills), in its own type', () => {
    const column = float64s();
    for (let i = 0; i < 5000; i++) column.push(i + 0.5);
    expect(column.length).toBe(5000);
    expect(Array.from({ length: 5000 }, (_, i) => column.get(i))).toEqual(Array.from({ length: 5000 }, (_, i) => i + 0.5));
    column.set(4999, -1);
    expect(column.get(4999)).toBe(-1);
    const ints = int32s();
    for (let i = 0; i < 2049; i++) ints.push(-i);
    expect([ints.length, ints.get(0), ints.get(1024), ints.get(2048)]).toEqual([2049, 0, -1024, -2048]);
  });

  it('int8s and uint8s hold bytes: signed and unsigned', () => {
    const signed = int8s();
    const unsigned = uint8s();
    signed.push(-1);
    unsigned.push(-1);
    expect([signed.get(0), unsigned.get(0)]).toEqual([-1, 255]);
  });
});
