import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PhoneTable } from '../../src/recipients/phone-table.js';
import { EARLIER_LINE, SeenAgain } from '../../src/recipients/seen-again.js';

const phone = (i: number) => `+4474${String(10_000_000 + i)}`;

/** A first pass over `numbers` (lines from 2), handing over its keys. */
function firstPass(numbers: string[]) {
  const table = new PhoneTable(4);
  numbers.forEach((n, i) => table.addOrGet(n, i + 2));
  return table.takeKeys();
}

describe('PhoneTable.takeKeys', () => {
  it('hands over every number at a slot of its own and leaves the table empty', () => {
    const table = new PhoneTable(4);
    for (let i = 0; i < 5_000; i++) table.addOrGet(phone(i), i + 2);
    const keys = table.takeKeys();
    expect(keys.size).toBe(5_000);
    expect(table.size).toBe(0);
    expect(table.has(phone(0))).toBe(false);
    const slots = new Set<number>();
    for (let i = 0; i < 5_000; i++) slots.add(keys.slotOf(phone(i)));
    expect(slots.size).toBe(5_000);
    expect(Math.min(...slots)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...slots)).toBeLessThan(keys.slots);
    expect(keys.slotOf(phone(5_000))).toBe(-1);
  });

  it('keeps one slot a number (8 bytes each), not the table\'s slots sized from an estimate of the rows', () => {
    // Sized for 100,000 rows, as a CSV whose first rows are short estimates: 5,000 numbers came.
    const table = new PhoneTable(100_000);
    for (let i = 0; i < 5_000; i++) table.addOrGet(phone(i * 7919), i + 2);
    const keys = table.takeKeys();
    expect(keys.slots).toBe(5_000);
    // Every slot below `slots` belongs to one number, and numbers never handed over have none.
    const slots = Array.from({ length: 5_000 }, (_, i) => keys.slotOf(phone(i * 7919))).sort((a, b) => a - b);
    expect(slots).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    expect(keys.slotOf(phone(1))).toBe(-1);
    expect(keys.slotOf('+999999999999999')).toBe(-1);
    expect(keys.slotOf('+1')).toBe(-1);
  });
});

describe('SeenAgain', () => {
  it('finds the repeats of a second pass over the same rows, each number first once', () => {
    const rows = [phone(1), phone(2), phone(1), phone(3), phone(2), phone(1)];
    const seen = new SeenAgain(firstPass(rows));
    expect(rows.map((n, i) => seen.addOrGet(n, i + 2))).toEqual([0, 0, EARLIER_LINE, 0, EARLIER_LINE, EARLIER_LINE]);
  });

  it('stays exact when the second pass reads numbers the first did not (the file changed in between)', () => {
    const seen = new SeenAgain(firstPass([phone(1), phone(2)]));
    expect(seen.addOrGet(phone(9), 2)).toBe(0);
    expect(seen.addOrGet(phone(1), 3)).toBe(0);
    expect(seen.addOrGet(phone(9), 4)).toBe(2);
    expect(seen.addOrGet(phone(1), 5)).toBe(EARLIER_LINE);
    // A number the first pass saw but the second never meets stays unmet: nothing else is taken for it.
    expect(seen.addOrGet(phone(3), 6)).toBe(0);
  });

  it('keeps thousands of numbers apart, on slots of every byte of its bits', () => {
    const n = 20_000;
    const seen = new SeenAgain(firstPass(Array.from({ length: n }, (_, i) => phone(i))));
    const answers = new Map<number, number>();
    const tally = (answer: number) => answers.set(answer, (answers.get(answer) ?? 0) + 1);
    for (let i = 0; i < n; i++) tally(seen.addOrGet(phone(i), i + 2));
    expect(answers).toEqual(new Map([[0, n]]));
    answers.clear();
    for (let i = 0; i < n; i++) tally(seen.addOrGet(phone(i), n + i + 2));
    expect(answers).toEqual(new Map([[EARLIER_LINE, n]]));
  });

  it('answers as a plain Set of the numbers met so far, whatever the two passes read', () => {
    const number = fc.integer({ min: 0, max: 60 }).map((i) => `+4479${String(i).padStart(8, '0')}`);
    fc.assert(
      fc.property(fc.array(number, { maxLength: 80 }), fc.array(number, { maxLength: 80 }), (first, second) => {
        const seen = new SeenAgain(firstPass(first));
        const met = new Set<string>();
        second.forEach((n, i) => {
          const answer = seen.addOrGet(n, i + 2);
          expect(answer === 0).toBe(!met.has(n));
          met.add(n);
        });
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});
