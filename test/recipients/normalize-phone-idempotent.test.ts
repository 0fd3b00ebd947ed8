import fc from 'fast-check';
import { getCountries, getExampleNumber, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { normalizePhone } from '../../src/recipients/normalize-phone.js';

// Normalisation is idempotent: what it makes of a number, given again (with or without the
// country, as a retry list gives it back), is the same number, and no number it accepts it later
// refuses. Seeded, so a failure reproduces.
const COUNTRIES = getCountries().filter((country) => getExampleNumber(country, examples) !== undefined);

/** A real number of `country`, written the ways people and spreadsheets write it. */
const typed = fc
  .record({
    country: fc.constantFrom(...COUNTRIES),
    form: fc.constantFrom('e164', 'international', 'national', '00', 'quoted', 'nbsp', 'dots', 'parens'),
    pad: fc.constantFrom('', ' ', '  ', '\t'),
  })
  .map(({ country, form, pad }) => {
    const number = getExampleNumber(country as CountryCode, examples)!;
    const text = {
      e164: number.number,
      international: number.formatInternational(),
      national: number.formatNational(),
      '00': `00${number.number.slice(1)}`,
      quoted: `'${number.number}`,
      nbsp: number.formatInternational().replace(/ /g, '\u00a0'),
      dots: number.formatInternational().replace(/ /g, '.'),
      parens: `+${number.countryCallingCode} (${number.nationalNumber.slice(0, 3)}) ${number.nationalNumber.slice(3)}`,
    }[form];
    return { raw: `${pad}${text}${pad}`, country: country as CountryCode };
  });

/** Anything a cell might hold: digits and separators, a plus, letters. */
const anything = fc.record({
  raw: fc.string({ unit: fc.constantFrom('0', '1', '2', '4', '5', '7', '9', '+', ' ', '-', '(', ')', '.', "'", 'e', 'E', ','), maxLength: 20 }),
  country: fc.option(fc.constantFrom<CountryCode>('GB', 'US', 'FR', 'DE', 'IN', 'BR', 'MX', 'AR'), { nil: undefined }),
});

describe('normalizePhone is idempotent', () => {
  it('a real number of any country, however typed: accepted, and its E.164 form normalises to itself, with or without the country', () => {
    fc.assert(
      fc.property(typed, ({ raw, country }) => {
        const first = normalizePhone(raw, country);
        expect(first, raw).toMatchObject({ ok: true });
        if (!first.ok) return;
        for (const again of [normalizePhone(first.e164), normalizePhone(first.e164, country), normalizePhone(first.e164, 'US')]) {
          expect(again).toEqual(first);
        }
      }),
      { seed: 16_010, numRuns: 400 },
    );
  });

  it('any cell: whatever it accepts gives back the same E.164 and country when given its own output', () => {
    fc.assert(
      fc.property(anything, ({ raw, country }) => {
        const first = normalizePhone(raw, country);
        if (first.ok) expect(normalizePhone(first.e164, country)).toEqual(first);
        else expect(first.detail).not.toBe('');
      }),
      { seed: 16_012, numRuns: 400 },
    );
  });
});
