import { describe, expect, it } from 'vitest';
import { withCachedRegExps } from '../../src/recipients/with-cached-regexps.js';

describe('withCachedRegExps', () => {
  it('returns the same RegExp for the same flagless source, and fresh ones otherwise', () => {
    withCachedRegExps(() => {
      const a = new RegExp('^(?:7\\d{9})$');
      expect(new RegExp('^(?:7\\d{9})$')).toBe(a);
      expect(a.test('7400123456')).toBe(true);
      expect(a instanceof RegExp).toBe(true);
      const global = new RegExp('x', 'g');
      expect(new RegExp('x', 'g')).not.toBe(global);
    });
  });

  it('puts the real RegExp back, also when the function throws', () => {
    const Native = RegExp;
    expect(withCachedRegExps(() => 42)).toBe(42);
    expect(globalThis.RegExp).toBe(Native);
    expect(() =>
      withCachedRegExps(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(globalThis.RegExp).toBe(Native);
    expect(new RegExp('a')).not.toBe(new RegExp('a'));
  });
});
