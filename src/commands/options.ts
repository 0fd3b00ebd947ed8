import { InvalidArgumentError, type Command } from 'commander';
import { toCountryCode, type CountryCode } from '../recipients/normalize-phone.js';
import { OPT_IN_VALUES } from '../recipients/opt-in.js';
import { resolveEncoding } from '../recipients/text-encoding.js';

/** Commander parser for `--default-country`: an ISO 3166 alpha-2 code libphonenumber knows. */
export function countryOption(value: string): CountryCode {
  const code = toCountryCode(value);
  if (!code) throw new InvalidArgumentError('expected an ISO country code such as GB, DE or BR.');
  return code;
}

/** Commander parser for counts and limits: a whole number above zero. */
export function positiveIntegerOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError('expected a whole number above 0.');
  }
  return n;
}

/** Commander parser for a value from a fixed list. */
export function choiceOption<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}.`);
    return value as T;
  };
}

/** Commander parser for a TCP port; 0 asks the system for a free one. */
export function portOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return n;
}

/** What audienceOptions and csvReadingOptions parse: the flags `validate` and `send` share. */
export interface AudienceFlags {
  template?: string;
  suppress?: string;
  defaultCountry?: ReturnType<typeof countryOption>;
  phoneColumn: string;
  optInColumn: string;
  delimiter?: string;
  encoding?: string;
  optInValues?: string[];
}

/** The flags `validate` and `send` share: which spec, which numbers, which columns. */
export function audienceOptions(command: Command): Command {
  return command
    .option('--template <spec>', 'template spec, YAML or JSON (default: <csv>.template.yaml or template.yaml beside the CSV)')
    .option('--suppress <csv>', 'numbers never to message (a CSV with a phone column)')
    .option('--default-country <code>', 'country of national-format numbers without a country column (ISO code, e.g. GB)', countryOption)
    .option('--phone-column <name>', 'column holding the phone number', 'phone')
    .option('--opt-in-column <name>', 'column recording consent (yes, y, true, 1, opted_in)', 'opt_in');
}

const DELIMITERS: Record<string, string> = {
  ',': ',',
  comma: ',',
  ';': ';',
  semicolon: ';',
  tab: '\t',
  '\\t': '\t',
  '\t': '\t',
  '|': '|',
  pipe: '|',
};

/** Commander parser for `--delimiter`: `,` `;` `tab` (or `\t`) `|`. */
export function delimiterOption(value: string): string {
  const delimiter = DELIMITERS[value.trim() === '' ? value : value.trim().toLowerCase()];
  if (delimiter === undefined) throw new InvalidArgumentError("expected one of ',' ';' tab '|'.");
  return delimiter;
}

/** Commander parser for `--encoding`: a name Node's TextDecoder knows, as its canonical name. */
export function encodingOption(value: string): string {
  const encoding = resolveEncoding(value);
  if (!encoding) throw new InvalidArgumentError('unknown encoding: try windows-1252 (Excel\'s "CSV" on Windows), iso-8859-15, macintosh or utf-16le.');
  return encoding;
}

/** Commander parser for `--opt-in-values`: a comma-separated list, trimmed; empty items are dropped. */
export function optInValuesOption(value: string): string[] {
  const values = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (values.length === 0) throw new InvalidArgumentError('expected one or more values, comma-separated (e.g. x,✓,ja).');
  return values;
}

/**
 * How the CSVs are read and what counts as consent: `--delimiter`, `--encoding`, `--opt-in-values`.
 * `validate` and `send` take them the same way (flags → AudienceSource fields of the same names).
 */
export function csvReadingOptions(command: Command): Command {
  return command
    .option('--delimiter <c>', "the recipients CSV's delimiter: ',' ';' tab '|' (default: found from its header line)", delimiterOption)
    .option('--encoding <name>', 'encoding of a CSV without a byte-order mark, e.g. windows-1252 (default: UTF-8)', encodingOption)
    .option('--opt-in-values <list>', `consent values, comma-separated, replacing ${OPT_IN_VALUES.join(',')} (e.g. x,✓,ja)`, optInValuesOption);
}
