import { describe, expect, it } from 'vitest';
import { isRejectsHeader } from '../../src/recipients/rejects-header.js';

describe('isRejectsHeader', () => {
  it('is a rejects file\'s header only with all three of its columns', () => {
    expect(isRejectsHeader(['phone', 'opt_in', 'line', 'reason', 'detail'])).toBe(true);
    expect(isRejectsHeader(['phone', 'opt_in', 'line', 'reason'])).toBe(false);
    expect(isRejectsHeader(['phone', 'line'])).toBe(false);
    expect(isRejectsHeader(['phone', 'opt_in'])).toBe(false);
  });
});
