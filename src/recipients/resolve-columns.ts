import { InputError } from '../errors.js';
import type { AudienceColumns } from './audience.js';
import { delimiterName } from './detect-delimiter.js';

/** What a header read as one column may be separated by instead. */
const OTHER_DELIMITERS = [',', ';', '\t', '|'];

function shellDelimiter(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `'${delimiter}'`;
}

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
    const otherDelimiter = header.length === 1 ? OTHER_DELIMITERS.find((d) => header[0]!.includes(d)) : undefined;
    if (otherDelimiter) {
      // One column whose name holds a delimiter: the file was read with the wrong one.
      throw new InputError(
        `the header row is read as one column (${JSON.stringify(header[0])}): if its columns are separated by ${delimiterName(otherDelimiter)}s, pass --delimiter ${shellDelimiter(otherDelimiter)}`,
        { file, line: 1 },
      );
    }
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
