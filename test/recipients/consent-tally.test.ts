import { describe, expect, it } from 'vitest';
import { ConsentTally } from '../../src/recipients/consent-tally.js';
import { ConsentValues } from '../../src/recipients/opt-in.js';

function tally(cells: (string | undefined)[], accepted = new ConsentValues(), column = 'opt_in') {
  const t = new ConsentTally(accepted, column);
  for (const cell of cells) t.add(cell, accepted.accepts(cell));
  return t;
}

const repeat = (value: string, n: number) => Array.from({ length: n }, () => value);

describe('ConsentTally', () => {
  it('when no row has consent, names the values seen with their counts, and the flag that accepts them', () => {
    const t = tally([...repeat('x', 1234), ...repeat('X ', 2), ...repeat('', 3), 'no']);
    expect(t.consenting).toBe(0);
    expect(t.otherValues()).toEqual([
      { value: 'x', rows: 1236 },
      { value: '', rows: 3 },
      { value: 'no', rows: 1 },
    ]);
    expect(t.warning()).toEqual({
      code: 'no_consent',
      message:
        'no row has consent in "opt_in": the values seen are "x" (1,236 rows), "" (3 rows), "no" (1 row) (accepted: yes, y, true, 1, opted_in); if "x" records consent, pass --opt-in-values x',
    });
  });

  it('quotes a suggested list for the shell, and keeps the accepted values the file uses', () => {
    const t = tally(['yes', 'Opted in', 'Opted in', '✓', 'no']);
    expect(t.warning()).toEqual({
      code: 'unknown_consent_values',
      message: `3 rows have a value in "opt_in" that is not a consent value: "Opted in" (2 rows), "✓" (1 row); if these record consent, pass --opt-in-values 'yes,Opted in,✓'`,
    });
  });

  it('a file of yes, no and empty cells needs no warning; one of only no says nobody agreed', () => {
    expect(tally(['yes', 'no', '', 'n', 'false', '0']).warning()).toBeUndefined();
    expect(tally(['no', 'no', '']).warning()).toEqual({
      code: 'no_consent',
      message: 'no row has consent in "opt_in": the values seen are "no" (2 rows), "" (1 row); nobody in this file agreed to receive messages',
    });
  });

  it('names the five most frequent values and counts the rest', () => {
    const cells = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].flatMap((value, i) => repeat(value, 10 - i));
    expect(tally(cells).warning()!.message).toContain('"a" (10 rows), "b" (9 rows), "c" (8 rows), "d" (7 rows), "e" (6 rows) and 2 other values (accepted');
  });

  it('leaves a value with a comma out of the suggestion (the list is comma-separated)', () => {
    expect(tally(['yes, please']).warning()!.message).not.toContain('--opt-in-values');
  });
});

describe('ConsentTally: counting and wording at the edges', () => {
  it('keeps a value as first written, trimmed, and a missing cell as an empty one', () => {
    const t = tally([' x ', 'X', undefined]);
    expect(t.otherValues()).toEqual([
      { value: 'x', rows: 2 },
      { value: '', rows: 1 },
    ]);
  });

  it('sorts the values by rows, most first, and gives at most `limit` (10 by default)', () => {
    const t = tally(['a', 'b', 'b', 'c', 'c', 'c']);
    expect(t.otherValues()).toEqual([
      { value: 'c', rows: 3 },
      { value: 'b', rows: 2 },
      { value: 'a', rows: 1 },
    ]);
    expect(t.otherValues(2)).toEqual([
      { value: 'c', rows: 3 },
      { value: 'b', rows: 2 },
    ]);
    const many = tally(Array.from({ length: 12 }, (_, i) => `v${i}`));
    expect(many.otherValues().map((entry) => entry.value)).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`));
  });

  it('counts at most 1,000 distinct values', () => {
    const t = tally(Array.from({ length: 1001 }, (_, i) => `v${i}`));
    expect(t.otherValues(Number.POSITIVE_INFINITY)).toHaveLength(1000);
  });

  it('says nothing about a file with no rows', () => {
    expect(tally([]).warning()).toBeUndefined();
  });

  it('names five values without "and 0 other values", and suggests only the five it names', () => {
    expect(tally(['a', 'b', 'c', 'd', 'e']).warning()).toEqual({
      code: 'no_consent',
      message:
        'no row has consent in "opt_in": the values seen are "a" (1 row), "b" (1 row), "c" (1 row), "d" (1 row), "e" (1 row) (accepted: yes, y, true, 1, opted_in); if these record consent, pass --opt-in-values a,b,c,d,e',
    });
    const cells = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].flatMap((value, i) => repeat(value, 10 - i));
    expect(tally(cells).warning()!.message).toBe(
      'no row has consent in "opt_in": the values seen are "a" (10 rows), "b" (9 rows), "c" (8 rows), "d" (7 rows), "e" (6 rows) and 2 other values (accepted: yes, y, true, 1, opted_in); if these record consent, pass --opt-in-values a,b,c,d,e',
    );
  });

  it('gives no suggestion when every unknown value has a comma', () => {
    expect(tally(['yes, please']).warning()).toEqual({
      code: 'no_consent',
      message: 'no row has consent in "opt_in": the values seen are "yes, please" (1 row) (accepted: yes, y, true, 1, opted_in)',
    });
  });

  it('quotes for the shell a list that is plain only at its end, and a single quote in it', () => {
    expect(tally(['yes', '✓ok']).warning()!.message).toBe(
      `1 row has a value in "opt_in" that is not a consent value: "✓ok" (1 row); if "✓ok" records consent, pass --opt-in-values 'yes,✓ok'`,
    );
    expect(tally(["it's ok"]).warning()!.message).toBe(
      `no row has consent in "opt_in": the values seen are "it's ok" (1 row) (accepted: yes, y, true, 1, opted_in); if "it's ok" records consent, pass --opt-in-values 'it'\\''s ok'`,
    );
  });
});
