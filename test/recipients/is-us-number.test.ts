import { describe, expect, it } from 'vitest';
import { isUsNumber } from '../../src/recipients/is-us-number.js';

describe('isUsNumber: the United States, not all of +1', () => {
  it.each([
    ['+12125550199', true], // New York
    ['+14155552671', true], // San Francisco
    ['+14165550123', false], // Toronto
    ['+16045550123', false], // Vancouver
    ['+18765550123', false], // Jamaica
    ['+17875550123', false], // Puerto Rico: a region of its own in libphonenumber
    ['+447400123456', false],
    ['+1', false], // not a number at all
  ])('%s → %s', (phone, us) => {
    expect(isUsNumber(phone)).toBe(us);
  });

  it('uses the region already found for the number when it is given', () => {
    expect(isUsNumber('+14165550123', 'CA')).toBe(false);
    expect(isUsNumber('+12125550199', 'US')).toBe(true);
  });
});

describe('isUsNumber with the region given', () => {
  it('takes the region it is given as it is, without parsing the number again', () => {
    expect(isUsNumber('+14165550123', 'US')).toBe(true);
    expect(isUsNumber('+12125550199', 'CA')).toBe(false);
  });
});
