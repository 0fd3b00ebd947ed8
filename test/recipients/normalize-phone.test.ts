import { describe, expect, it } from 'vitest';
import { normalizePhone, toCountryCode } from '../../src/recipients/normalize-phone.js';

describe('normalizePhone', () => {
  it.each([
    ['+447400123456', undefined, '+447400123456'],
    ['0044 7400 123456', undefined, '+447400123456'],
    ['07400 123456', 'GB', '+447400123456'],
    ['07400-123-456', 'GB', '+447400123456'],
    ['07400.123.456', 'GB', '+447400123456'],
    ['(07400) 123456', 'GB', '+447400123456'],
    ['  +44 7400 123456  ', undefined, '+447400123456'],
    ["'+447400123456", undefined, '+447400123456'],
    ["' 07400 123456", 'GB', '+447400123456'],
    ['+44\u00a07400\u00a0123456', undefined, '+447400123456'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['06 12 34 56 78', 'FR', '+33612345678'],
    // An international number ignores the default country.
    ['+49 151 23456789', 'GB', '+4915123456789'],
    // Argentina: the national mobile "15" becomes the international "9" (api-facts.md §6).
    ['011 15 2345-6789', 'AR', '+5491123456789'],
  ] as const)('%j (country %s) → %s', (raw, country, e164) => {
    const result = normalizePhone(raw, country);
    expect(result).toMatchObject({ ok: true, e164 });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['call me', 'unexpected characters'],
    ['+44 7400 123456 ext. 12', 'unexpected characters'],
    ['7400 123456', 'national number without a country'],
    ['+44 7400 12', 'wrong length for +44'],
    // Fictional UK drama numbers are not allocated.
    ['+44 7700 900123', 'not a valid number'],
    // Mexico's WhatsApp-id form is not a dialable number (api-facts.md §6).
    ['+5215512345678', 'write it as +525512345678'],
  ])('%j is rejected: %s', (raw, detail) => {
    const result = normalizePhone(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.detail).toContain(detail);
  });

  it("says a number in Excel's scientific notation lost digits, what it reads as, and how to keep them", () => {
    expect(normalizePhone('4.4740012346E+11')).toEqual({
      ok: false,
      detail:
        "4.4740012346E+11 is Excel's scientific notation: the last digit was lost (it reads as 447400123460); format the phone column as Text before typing or importing the numbers, or export the list again from where it came from",
    });
    // A European locale writes a decimal comma; three digits lost.
    const comma = normalizePhone('4,47400123E+11', 'GB');
    expect(comma.ok ? '' : comma.detail).toMatch(/^4,47400123E\+11 is Excel's scientific notation: the last 3 digits were lost \(it reads as 447400123000\); format the phone column as Text/);
    const whole = normalizePhone('4.47400123457E+11');
    expect(whole.ok ? '' : whole.detail).toContain("is Excel's scientific notation (it reads as 447400123457, without");
    const lower = normalizePhone('4.4740012346e11');
    expect(lower.ok ? '' : lower.detail).toContain("Excel's scientific notation");
  });

  it('says an international number lost its "+", and what it would be, without accepting it', () => {
    const expected = 'looks like an international number without its "+" (+447400123457, GB?): write it with the "+"; a spreadsheet drops the "+" when the column is formatted as a number';
    expect(normalizePhone('447400123457')).toEqual({ ok: false, detail: expected });
    // With another default country the digits are a wrong national number: the same hint. (With GB,
    // libphonenumber itself reads 44… as GB's own country code.)
    expect(normalizePhone('49 151 23456789', 'FR')).toEqual({ ok: false, detail: expected.replace('+447400123457, GB', '+4915123456789, DE') });
    // A national number is not turned into a foreign one (+7 400… is not valid), and one with a trunk 0 is national.
    expect(normalizePhone('7400 123456')).toMatchObject({ ok: false, detail: expect.stringContaining('national number without a country') });
    expect(normalizePhone('07400 123456', 'US')).toMatchObject({ ok: false, detail: expect.not.stringContaining('without its "+"') });
  });

  it('reports the country of the number', () => {
    expect(normalizePhone('+12125550199')).toMatchObject({ ok: true, country: 'US' });
    expect(normalizePhone('+4915123456789')).toMatchObject({ ok: true, country: 'DE' });
  });
});

describe('toCountryCode', () => {
  it('accepts ISO codes in any case and refuses the rest', () => {
    expect(toCountryCode(' gb ')).toBe('GB');
    expect(toCountryCode('BR')).toBe('BR');
    expect(toCountryCode('UK')).toBeUndefined();
    expect(toCountryCode('')).toBeUndefined();
  });
});

describe('normalizePhone agrees with libphonenumber-js/max on every number', () => {
  it('for a spread of countries and formats (the RegExp memo changes no result)', async () => {
    const { parsePhoneNumberFromString } = await import('libphonenumber-js/max');
    const prefixes = ['+4474', '+44 20 7', '+1 212 5', '+1 416 5', '+49151', '+33 6', '+34 6', '+55 11 9', '+91 9', '+52 55', '+54 9 11', '+81 90', '+61 4', '+234 80'];
    let checked = 0;
    for (const prefix of prefixes) {
      for (let i = 0; i < 150; i++) {
        const raw = `${prefix}${String(i * 7919).padStart(7, '0')}`;
        const expected = parsePhoneNumberFromString(raw);
        const result = normalizePhone(raw);
        expect(result.ok, raw).toBe(expected?.isValid() ?? false);
        if (result.ok) expect(result.e164).toBe(expected!.number);
        checked++;
      }
    }
    expect(checked).toBe(prefixes.length * 150);
  });
});

describe('normalizePhone: the edges of each rule', () => {
  const FIX = 'format the phone column as Text before typing or importing the numbers, or export the list again from where it came from';
  const detail = (raw: string, country?: Parameters<typeof normalizePhone>[1]) => {
    const result = normalizePhone(raw, country);
    return result.ok ? `ok ${result.e164}` : result.detail;
  };

  it('reads scientific notation only as the whole cell, with or without a fraction', () => {
    expect(detail('a4.4740012346E+11')).toBe('unexpected characters');
    expect(detail('4.4740012346E+11x')).toBe('unexpected characters');
    expect(detail('44.7400123457E+10')).toBe(
      `44.7400123457E+10 is Excel's scientific notation (it reads as 447400123457, without a "+" or leading zero it may have had); ${FIX}`,
    );
    expect(detail('447E+9')).toBe(`447E+9 is Excel's scientific notation: the last 9 digits were lost (it reads as 447000000000); ${FIX}`);
  });

  it('reads scientific notation without its leading zeros, and says when it is too short to be a number', () => {
    expect(detail('00447E+9')).toBe(`00447E+9 is Excel's scientific notation: the last 9 digits were lost (it reads as 447000000000); ${FIX}`);
    expect(detail('0044.7400123457E+10')).toBe(
      `0044.7400123457E+10 is Excel's scientific notation (it reads as 447400123457, without a "+" or leading zero it may have had); ${FIX}`,
    );
    expect(detail('4.47400123457E+5')).toBe(`4.47400123457E+5 is Excel's scientific notation, not a phone number; ${FIX}`);
  });

  it('calls a cell of zeros in scientific notation zero, whatever its exponent', () => {
    expect(detail('0.00E+11')).toBe(`0.00E+11 is Excel's scientific notation of zero, not a phone number; ${FIX}`);
    expect(detail('0E+0')).toBe(`0E+0 is Excel's scientific notation of zero, not a phone number; ${FIX}`);
    expect(detail('00E+12')).toBe(`00E+12 is Excel's scientific notation of zero, not a phone number; ${FIX}`);
  });

  it('names a number too long to parse', () => {
    expect(detail('+1234567890123456789')).toBe('too long');
    expect(detail('07400 123456 / 07400 123457', 'GB')).toBe('too long');
  });

  it('reads a spreadsheet-safe quote with spaces after it before the 00 prefix', () => {
    expect(detail("' 0044 7400 123456")).toBe('ok +447400123456');
  });

  it("gives the WhatsApp-id hint only for a Mexican 521 number of the id's length", () => {
    expect(detail('+52155123456789')).toBe('wrong length for MX');
  });

  it('gives the "+" hint for digits ending in 0, and for a number of no country (+800, international freephone)', () => {
    expect(detail('447400123450')).toBe(
      'looks like an international number without its "+" (+447400123450, GB?): write it with the "+"; a spreadsheet drops the "+" when the column is formatted as a number',
    );
    expect(detail('80012345678')).toBe(
      'looks like an international number without its "+" (+80012345678?): write it with the "+"; a spreadsheet drops the "+" when the column is formatted as a number',
    );
  });
});
