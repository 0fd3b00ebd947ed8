import { InputError } from '../errors.js';
import type { AudienceColumns } from './audience.js';

/** Index of `name` in the header, matched case-insensitively (spreadsheets love "Phone"). */
export function findColumn(header: string[], name: string): number | undefined {
  const wanted = name.trim().toLowerCase();
  const index = header.findIndex((column) => column.toLowerCase() === wanted);
  return index < 0 ? undefined : index;
}

/**
 * Finds the phone, opt-in and country columns. A missing phone or opt-in column is an InputError
 * naming it: no flag assumes consent.
 */
export function resolveColumns(
  header: string[],
  file: string,
  names: { phone: string; optIn: string },
): AudienceColumns {
  const phone = findColumn(header, names.phone);
  if (phone === undefined) {
    throw new InputError(`no "${names.phone}" column in the header (columns: ${header.join(', ')}); name yours with --phone-column`, { file, line: 1 });
  }
  const optIn = findColumn(header, names.optIn);
  if (optIn === undefined) {
    throw new InputError(
      `no "${names.optIn}" column in the header: every recipient needs recorded consent (yes/no); name yours with --opt-in-column`,
      { file, line: 1 },
    );
  }
  return { phone, optIn, country: findColumn(header, 'country') };
}
