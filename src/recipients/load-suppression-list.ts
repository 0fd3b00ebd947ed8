import { InputError } from '../errors.js';
import { normalizePhone, toCountryCode, type CountryCode } from './normalize-phone.js';
import { PhoneTable } from './phone-table.js';
import { openCsv, type CsvReadOptions } from './read-csv.js';
import { findColumn } from './resolve-columns.js';

export interface SuppressionList {
  file: string;
  numbers: PhoneTable;
  /** Entries that could not be read as a phone number, and the first such line. */
  unreadable: number;
  firstUnreadableLine: number | undefined;
}

/**
 * Reads a suppression list: a CSV with a `phone` column (any format `validate` accepts, with an
 * optional `country` column). Numbers are normalised to E.164 so "+44 7911 123456" suppresses
 * "07911123456". An entry that is not a number cannot match anyone, so it is counted, not fatal.
 *
 * Read like the recipients CSV: its delimiter is found from its own header line (it often comes
 * from somewhere else: reconcile's suppress.csv, a CRM export), and `encoding` is the one --encoding
 * names, for a file without a byte-order mark.
 */
export async function loadSuppressionList(
  file: string,
  defaultCountry: CountryCode | undefined,
  options: Pick<CsvReadOptions, 'encoding'> = {},
): Promise<SuppressionList> {
  const csv = await openCsv(file, { encoding: options.encoding });
  const phone = findColumn(csv.header, 'phone');
  if (phone === undefined) {
    csv.close();
    throw new InputError(`a suppression list needs a "phone" column (columns: ${csv.header.join(', ')})`, { file, line: 1 });
  }
  const countryColumn = findColumn(csv.header, 'country');
  const numbers = new PhoneTable();
  let unreadable = 0;
  let firstUnreadableLine: number | undefined;
  for await (const row of csv.rows) {
    const countryCell = countryColumn === undefined ? '' : (row.fields[countryColumn] ?? '');
    const country = countryCell.trim() === '' ? defaultCountry : toCountryCode(countryCell);
    const result = normalizePhone(row.fields[phone] ?? '', country);
    if (result.ok) {
      numbers.addOrGet(result.e164, row.line);
    } else {
      unreadable++;
      firstUnreadableLine ??= row.line;
    }
  }
  return { file, numbers, unreadable, firstUnreadableLine };
}
