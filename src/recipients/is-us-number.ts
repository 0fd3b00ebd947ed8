import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { withCachedRegExps } from './with-cached-regexps.js';

/**
 * Whether a number is in the United States: Meta has not delivered marketing templates to US
 * numbers since 1 April 2025 (api-facts §5: "+1 with US area code"). +1 is shared with Canada and
 * the Caribbean (the North American Numbering Plan), whose numbers still get them, so the test is
 * libphonenumber's region for the number, not its calling code: +1 416… is Toronto (CA), +1 212…
 * New York (US). US territories with a region of their own (PR, GU, VI, AS, MP) are not counted.
 *
 * `country`: the region already found for the number when it was read (validate has it); else the
 * number is parsed here (reconcile, for the recipients this rule is asked about).
 */
export function isUsNumber(e164: string, country?: CountryCode): boolean {
  if (country !== undefined) return country === 'US';
  // Only +1 numbers can be in the US: the others are answered without parsing (reconcile asks about
  // every recipient refused with a retry-later code, and a parse costs tens of microseconds).
  return e164.startsWith('+1') && withCachedRegExps(() => parsePhoneNumberFromString(e164)?.country) === 'US';
}
