import { describe, expect, it, vi } from 'vitest';
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

describe('withCachedRegExps: the cap', () => {
  it('keeps at most 10,000 sources, the first ones, and builds the rest fresh each time', async () => {
    vi.resetModules();
    const fresh = (await import('../../src/recipients/with-cached-regexps.js')).withCachedRegExps;
    const sources = Array.from({ length: 10_002 }, (_, i) => `^x${i}$`);
    fresh(() => {
      const first = sources.map((source) => new RegExp(source));
      const again = sources.map((source) => new RegExp(source));
      expect(first.filter((regexp, i) => again[i] === regexp)).toHaveLength(10_000);
      expect(again[9_999]).toBe(first[9_999]);
      expect(again[10_000]).not.toBe(first[10_000]);
      expect(again[10_000]!.test('x10000')).toBe(true);
    });
  });
});
