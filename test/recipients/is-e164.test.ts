import { describe, expect, it } from 'vitest';
import { isE164 } from '../../src/recipients/is-e164.js';

describe('isE164', () => {
  it.each([
    ['+447400123456', true],
    ['+1', true],
    ['+123456789012345', true], // 15 digits
    ['+1234567890123456', false], // 16
    ['+0447400123456', false],
    ['447400123456', false],
    ['x+447400123456', false],
    ['+447400123456x', false],
    ['+44 7400 123456', false],
    ['', false],
  ])('%j → %s', (value, expected) => {
    expect(isE164(value)).toBe(expected);
  });

  it('is false for anything but a string', () => {
    expect(isE164(447400123456)).toBe(false);
    expect(isE164(undefined)).toBe(false);
    expect(isE164(['+447400123456'])).toBe(false);
  });
});
