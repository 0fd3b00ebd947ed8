import { describe, expect, it } from 'vitest';
import { ConsentValues, isOptedIn } from '../../src/recipients/opt-in.js';

it.each(['yes', 'YES', ' y ', 'True', '1', 'opted_in', 'Opted_In'])('%j is consent', (value) => {
  expect(isOptedIn(value)).toBe(true);
});

it.each(['', 'no', 'n', '0', 'false', 'maybe', 'yes please', 'opted in', 'x', '✓', undefined])('%j is not consent', (value) => {
  expect(isOptedIn(value)).toBe(false);
});

describe('ConsentValues', () => {
  it('--opt-in-values replaces the set: trimmed, case-insensitive, é typed either way', () => {
    const values = new ConsentValues(['x', '✓', 'ja', 'Opted in', 'Sí']);
    for (const cell of ['x', ' X ', '✓', 'JA', 'opted IN', 'sí', 'SÍ', 'Si\u0301']) expect(values.accepts(cell)).toBe(true);
    for (const cell of ['yes', '1', 'true', '✔', 'nein', '', undefined]) expect(values.accepts(cell)).toBe(false);
  });

  it('says why a cell is not consent, showing it as written', () => {
    const values = new ConsentValues();
    expect(values.refusal('x', 'opt_in')).toBe('"x" is not a consent value (accepted: yes, y, true, 1, opted_in; --opt-in-values sets them)');
    expect(values.refusal(' Opted in ', 'Consent')).toBe('" Opted in " is not a consent value (accepted: yes, y, true, 1, opted_in; --opt-in-values sets them)');
    expect(values.refusal('', 'Consent')).toBe('"Consent" is empty: no consent recorded');
    expect(values.refusal('   ', 'opt_in')).toBe('"opt_in" is empty: no consent recorded');
    expect(values.refusal(undefined, 'opt_in')).toBe('"opt_in" is empty: no consent recorded');
    expect(values.refusal('No', 'opt_in')).toBe('"No" means no consent');
    expect(new ConsentValues(['ja']).refusal('yes', 'opt_in')).toBe('"yes" is not a consent value (accepted: ja; --opt-in-values sets them)');
  });

  it('a value the user made consent is not called a refusal', () => {
    const values = new ConsentValues(['0']);
    expect(values.accepts('0')).toBe(true);
    expect(values.isRefusal('0')).toBe(false);
    expect(values.isRefusal('no')).toBe(true);
  });
});

describe('plain refusals', () => {
  it.each(['no', 'N', 'false', '0', 'opted_out', 'Opt_Out'])('%j means no consent', (cell) => {
    expect(new ConsentValues().refusal(cell, 'opt_in')).toBe(`${JSON.stringify(cell)} means no consent`);
  });
});
