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
