import { parsePhoneNumberWithError, isSupportedCountry, ParseError, type CountryCode } from 'libphonenumber-js/max';
import { withCachedRegExps } from './with-cached-regexps.js';

export type { CountryCode };

export type PhoneResult =
  | { ok: true; e164: string; country: CountryCode | undefined }
  | { ok: false; detail: string };

// Digits, one leading +, and the separators people type or spreadsheets add (NBSP included).
const ALLOWED = /^\+?[0-9\s\u00a0\-.()/]+$/;

const PARSE_ERRORS: Record<string, string> = {
  INVALID_COUNTRY: 'national number without a country: add a country column or --default-country',
  NOT_A_NUMBER: 'not a phone number',
  TOO_SHORT: 'too short',
  TOO_LONG: 'too long',
  INVALID_LENGTH: 'wrong length',
};

/**
 * Normalises what a person typed into E.164 (`+14155550123`), or says why it cannot be sent to.
 *
 * Accepts E.164, the `00` international prefix, and national formats when a country is known.
 * Validity uses libphonenumber-js's full ("max") metadata: the "mobile" set would drop landlines
 * that have WhatsApp, and the "min" set accepts numbers that no longer exist.
 *
 * The E.164 form is what we send; a WhatsApp id may differ from it (Mexico `521…`, Argentina
 * `549…`), which is why status events are matched by message id, never by number.
 */
export function normalizePhone(raw: string, country?: CountryCode): PhoneResult {
  return withCachedRegExps(() => normalize(raw, country));
}

function normalize(raw: string, country: CountryCode | undefined): PhoneResult {
  let text = raw.trim();
  if (text.startsWith("'")) text = text.slice(1).trim(); // spreadsheet-safe export
  if (text === '') return { ok: false, detail: 'empty' };
  if (!ALLOWED.test(text)) return { ok: false, detail: 'unexpected characters' };
  if (text.startsWith('00')) text = `+${text.slice(2)}`;
  try {
    const parsed = parsePhoneNumberWithError(text, { defaultCountry: country, extract: false });
    if (!parsed.isValid()) {
      if (/^\+521\d{10}$/.test(parsed.number)) {
        // Copied from a webhook or CRM: WhatsApp ids of Mexican mobiles carry a 1 the number does not.
        return { ok: false, detail: `${parsed.number} is the WhatsApp id form of a Mexican number: write it as +52${parsed.number.slice(4)}` };
      }
      const where = parsed.country ?? `+${parsed.countryCallingCode}`;
      return { ok: false, detail: parsed.isPossible() ? `not a valid number for ${where}` : `wrong length for ${where}` };
    }
    return { ok: true, e164: parsed.number, country: parsed.country };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, detail: PARSE_ERRORS[error.message] ?? error.message };
    throw error;
  }
}

/** The ISO 3166 alpha-2 code in `value` (any case), if libphonenumber knows it. */
export function toCountryCode(value: string): CountryCode | undefined {
  const code = value.trim().toUpperCase();
  return code !== '' && isSupportedCountry(code) ? code : undefined;
}
