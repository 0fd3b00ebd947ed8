import { parsePhoneNumberWithError, isSupportedCountry, ParseError, type CountryCode } from 'libphonenumber-js/max';
import { withCachedRegExps } from './with-cached-regexps.js';

export type { CountryCode };

export type PhoneResult =
  | { ok: true; e164: string; country: CountryCode | undefined }
  | { ok: false; detail: string };

// Digits, one leading +, and the separators people type or spreadsheets add (NBSP included).
const ALLOWED = /^\+?[0-9\s\u00a0\-.()/]+$/;
// What Excel writes for a long number in a General or Number cell: 4.4740012346E+11 (4,47E+11 in
// locales with a decimal comma).
const SCIENTIFIC = /^\+?(\d+)(?:[.,](\d+))?[eE]\+?(\d+)$/;

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
  const scientific = SCIENTIFIC.exec(text);
  if (scientific) return { ok: false, detail: scientificNotation(text, scientific) };
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
      return { ok: false, detail: withoutPlus(text) ?? (parsed.isPossible() ? `not a valid number for ${where}` : `wrong length for ${where}`) };
    }
    return { ok: true, e164: parsed.number, country: parsed.country };
  } catch (error) {
    if (error instanceof ParseError) {
      if (error.message === 'INVALID_COUNTRY') {
        const hint = withoutPlus(text);
        if (hint) return { ok: false, detail: hint };
      }
      return { ok: false, detail: PARSE_ERRORS[error.message] ?? error.message };
    }
    throw error;
  }
}

/**
 * A number a spreadsheet lost its "+" from (a column formatted as a number, then saved): when the
 * digits, with a "+" in front, are a valid international number, say so and what it would be. It
 * is still refused: which of the two the person meant is not ours to guess.
 */
function withoutPlus(text: string): string | undefined {
  if (text.startsWith('+') || text.startsWith('0')) return undefined;
  const digits = text.replace(/\D/g, '');
  try {
    const parsed = parsePhoneNumberWithError(`+${digits}`, { extract: false });
    if (!parsed.isValid()) return undefined;
    const where = parsed.country ? `, ${parsed.country}` : '';
    return `looks like an international number without its "+" (${parsed.number}${where}?): write it with the "+"; a spreadsheet drops the "+" when the column is formatted as a number`;
  } catch {
    return undefined;
  }
}

/** Excel's scientific notation: what happened, which digits are gone, and how to keep them next time. */
function scientificNotation(text: string, [, whole, fraction = '', exponent]: RegExpExecArray): string {
  const shown = whole! + fraction;
  const length = whole!.length + Number(exponent);
  const lost = length - shown.length;
  const fix = 'format the phone column as Text before typing or importing the numbers, or export the list again from where it came from';
  // A cell of zeros (0.00E+11) has no digits left to show: "it reads as" would name nothing.
  if (/^0+$/.test(shown)) return `${text} is Excel's scientific notation of zero, not a phone number; ${fix}`;
  if (lost > 0) {
    const reads = `${shown}${'0'.repeat(lost)}`.replace(/^0+/, '');
    return `${text} is Excel's scientific notation: the last ${lost === 1 ? 'digit was' : `${lost} digits were`} lost (it reads as ${reads}); ${fix}`;
  }
  // Every digit is there (4.47400123457E+11), but a "+" or leading zero the number had is not.
  if (lost === 0) return `${text} is Excel's scientific notation (it reads as ${shown.replace(/^0+/, '')}, without a "+" or leading zero it may have had); ${fix}`;
  return `${text} is Excel's scientific notation, not a phone number; ${fix}`;
}

/** The ISO 3166 alpha-2 code in `value` (any case), if libphonenumber knows it. */
export function toCountryCode(value: string): CountryCode | undefined {
  const code = value.trim().toUpperCase();
  return code !== '' && isSupportedCountry(code) ? code : undefined;
}
