import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { findColumn, resolveColumns } from '../../src/recipients/resolve-columns.js';

const names = { phone: 'phone', optIn: 'opt_in' };

function refusal(header: string[], wanted = names): InputError {
  let caught: unknown;
  try {
    resolveColumns(header, 'in.csv', wanted);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  return caught as InputError;
}

describe('findColumn', () => {
  it('matches case-insensitively, the name given trimmed', () => {
    expect(findColumn(['Name', 'Phone', 'Opt_In'], ' phone ')).toBe(1);
    expect(findColumn(['Name', 'Phone', 'Opt_In'], 'OPT_IN')).toBe(2);
    expect(findColumn(['Name', 'Phone'], 'country')).toBeUndefined();
  });
});

describe('resolveColumns', () => {
  it('finds the phone, opt-in and country columns, whatever their case', () => {
    expect(resolveColumns(['Country', 'name', 'Phone', 'OPT_IN'], 'in.csv', names)).toEqual({ phone: 2, optIn: 3, country: 0 });
    expect(resolveColumns(['opt_in', 'phone'], 'in.csv', names)).toEqual({ phone: 1, optIn: 0, country: undefined });
  });

  it('uses the column names given (--phone-column, --opt-in-column)', () => {
    expect(resolveColumns(['mobile', 'consent'], 'in.csv', { phone: 'Mobile', optIn: 'CONSENT' })).toEqual({ phone: 0, optIn: 1, country: undefined });
  });

  it.each([
    ['phone;opt_in;name', 'semicolons', "';'"],
    ['phone,opt_in', 'commas', "','"],
    ['phone\topt_in', 'tabs', 'tab'],
    ['phone|opt_in|name', 'vertical bars', "'|'"],
  ])('a header read as one column (%j) names the delimiter it holds and the flag to pass', (column, plural, flag) => {
    const error = refusal([column]);
    expect(error.message).toBe(
      `the header row is read as one column (${JSON.stringify(column)}): if its columns are separated by ${plural}, pass --delimiter ${flag}`,
    );
    expect(error.location).toEqual({ file: 'in.csv', line: 1 });
  });

  it('a one-column header without a delimiter in it is a missing phone column, the columns listed', () => {
    const error = refusal(['mobile']);
    expect(error.message).toBe('no "phone" column in the header (columns: mobile); name yours with --phone-column');
    expect(error.location).toEqual({ file: 'in.csv', line: 1 });
  });

  it('several columns, one of them holding a delimiter, is a missing phone column, not a wrong delimiter', () => {
    const error = refusal(['tel;mobile', 'opt_in']);
    expect(error.message).toBe('no "phone" column in the header (columns: tel;mobile, opt_in); name yours with --phone-column');
  });

  it('a missing opt-in column is refused: no flag assumes consent', () => {
    const error = refusal(['phone', 'name'], { phone: 'phone', optIn: 'consent' });
    expect(error.message).toBe('no "consent" column in the header: every recipient needs recorded consent (yes/no); name yours with --opt-in-column');
    expect(error.location).toEqual({ file: 'in.csv', line: 1 });
  });
});
