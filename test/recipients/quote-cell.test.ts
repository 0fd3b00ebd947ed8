import { describe, expect, it } from 'vitest';
import { quoteCell } from '../../src/recipients/quote-cell.js';

describe('quoteCell', () => {
  it('quotes a cell as JSON does', () => {
    expect(quoteCell('Opted in')).toBe('"Opted in"');
    expect(quoteCell('')).toBe('""');
    expect(quoteCell('say "yes"')).toBe('"say \\"yes\\""');
  });

  it('shows 60 characters whole and cuts a longer cell to its first 60, counting characters, not UTF-16 units', () => {
    const sixty = '🌸'.repeat(60);
    expect(quoteCell(sixty)).toBe(`"${sixty}"`);
    expect(quoteCell(`${sixty}x`)).toBe(`"${sixty}"…`);
    expect(quoteCell('a'.repeat(200))).toBe(`"${'a'.repeat(60)}"…`);
  });
});
