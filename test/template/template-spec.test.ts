import { describe, expect, it } from 'vitest';
import { CATEGORIES, DEFAULT_TTL_SECONDS, TTL_RANGE_SECONDS } from '../../src/template/template-spec.js';

/* The SPEC's categories and TTL defaults, and Meta's custom TTL ranges (api-facts.md §3), as numbers. */

describe('template-spec constants', () => {
  it('the three categories, as the spec writes them', () => {
    expect(CATEGORIES).toEqual(['marketing', 'utility', 'authentication']);
  });

  it('authentication defaults to 600 s, the others to 30 days', () => {
    expect(DEFAULT_TTL_SECONDS).toEqual({ authentication: 600, utility: 2_592_000, marketing: 2_592_000 });
  });

  it("Meta's custom TTL ranges: authentication 30 s to 15 min, utility 30 s to 12 h, marketing 12 h to 30 days", () => {
    expect(TTL_RANGE_SECONDS).toEqual({ authentication: [30, 900], utility: [30, 43_200], marketing: [43_200, 2_592_000] });
  });
});
