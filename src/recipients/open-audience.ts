import { BoundTemplate } from '../template/bind-template.js';
import { loadTemplateSpec } from '../template/load-template-spec.js';
import type { TemplateSpec } from '../template/template-spec.js';
import { AudienceChecker, type RowVerdict } from './audience.js';
import type { CsvRow } from './read-csv.js';
import type { CountryCode } from './normalize-phone.js';
import { loadSuppressionList, type SuppressionList } from './load-suppression-list.js';
import { openCsv } from './read-csv.js';
import { resolveColumns } from './resolve-columns.js';
import { unescapeFormula } from './formula-safe.js';
import { isRetryListHeader, RETRY_DUE_COLUMN } from './retry-list-header.js';
import { isRejectsHeader } from './rejects-header.js';
import { ConsentValues } from './opt-in.js';
import type { ConsentTally } from './consent-tally.js';
import type { PhoneKeys } from './phone-table.js';

export interface AudienceSource {
  csvFile: string;
  templateFile: string;
  suppressFile?: string | undefined;
  defaultCountry?: CountryCode | undefined;
  phoneColumn?: string | undefined;
  optInColumn?: string | undefined;
  /** `--delimiter`: forces the recipients CSV's delimiter (the suppression list's is always found from its header). */
  delimiter?: string | undefined;
  /** `--encoding`: the encoding of the recipients CSV and the suppression list when they have no byte-order mark. */
  encoding?: string | undefined;
  /** `--opt-in-values`: the accepted consent values, replacing yes, y, true, 1, opted_in. */
  optInValues?: readonly string[] | undefined;
  /** Already loaded (send reads the CSV more than once): used instead of reading the files again. */
  spec?: TemplateSpec | undefined;
  suppression?: SuppressionList | undefined;
  /** The numbers an earlier pass over this CSV saw (`Audience.takeNumbers`): duplicates are found with them. */
  firstPass?: PhoneKeys | undefined;
}

export interface Audience {
  /** The CSV's column names, in order. */
  header: string[];
  /** How the CSV was read. */
  delimiter: string;
  encoding: string;
  template: BoundTemplate;
  suppression: SuppressionList | undefined;
  /** Set when the CSV is a retry list written by `reconcile` (it has reason, error_code, attempts). */
  retryList: boolean;
  /** Judges one row; call in file order (the first row with a number decides for it). */
  check(row: CsvRow): RowVerdict;
  /** A row's cells as values: a list written by reconcile or a rejects file has them formula-safe. */
  values(row: CsvRow): string[];
  /** The numbers `check` saw, for a later pass (`AudienceSource.firstPass`); once the rows were read to the end. */
  takeNumbers(): PhoneKeys;
  /** The consent cells seen by `check`, for the report. */
  consentTally: ConsentTally;
  /** The data rows in file order, in batches, streamed from disk. */
  batches: AsyncIterable<CsvRow[]>;
  close(): void;
}

/**
 * Everything `validate` and `send` share before the first request: the spec is loaded and checked,
 * the CSV header is read and every placeholder bound to a column, the suppression list is loaded.
 * Any of these failing is an InputError (exit 2) before a single row is judged.
 */
export async function openAudience(source: AudienceSource): Promise<Audience> {
  const spec = source.spec ?? (await loadTemplateSpec(source.templateFile));
  const suppression =
    source.suppression ?? (source.suppressFile ? await loadSuppressionList(source.suppressFile, source.defaultCountry, { encoding: source.encoding }) : undefined);
  const csv = await openCsv(source.csvFile, { delimiter: source.delimiter, encoding: source.encoding });
  try {
    const columns = resolveColumns(csv.header, csv.file, {
      phone: source.phoneColumn ?? 'phone',
      optIn: source.optInColumn ?? 'opt_in',
    });
    const template = new BoundTemplate(spec, csv.header, csv.file);
    const checker = new AudienceChecker({
      columns,
      headerLength: csv.header.length,
      template,
      defaultCountry: source.defaultCountry,
      suppressed: suppression?.numbers,
      expectedRows: csv.estimatedRows,
      firstPass: source.firstPass,
      consent: source.optInValues ? new ConsentValues(source.optInValues) : undefined,
      optInColumnName: csv.header[columns.optIn],
      delimiter: csv.delimiter,
    });
    const shared = { header: csv.header, delimiter: csv.delimiter, encoding: csv.encoding, template, suppression, consentTally: checker.consentTally, takeNumbers: () => checker.takeNumbers(), batches: csv.batches, close: csv.close };
    const retryList = isRetryListHeader(csv.header);
    if (!retryList && !isRejectsHeader(csv.header)) {
      return { ...shared, retryList, check: (row) => checker.check(row), values: (row) => row.fields };
    }
    // Written by us (reconcile's lists, a rejects file): cells are formula-safe, read back without the quote.
    const values = (row: CsvRow) => row.fields.map(unescapeFormula);
    if (!retryList) return { ...shared, retryList, check: (row) => checker.check({ line: row.line, fields: values(row) }), values };
    const attemptsColumn = csv.header.indexOf('attempts');
    const dueColumn = csv.header.indexOf(RETRY_DUE_COLUMN);
    const check = (row: CsvRow): RowVerdict => {
      const verdict = checker.check({ line: row.line, fields: values(row) });
      if (verdict.ok) {
        const attempts = Number(row.fields[attemptsColumn]);
        if (Number.isInteger(attempts) && attempts > 0) verdict.recipient.listedAttempts = attempts;
        const dueAt = dueColumn >= 0 ? Date.parse(row.fields[dueColumn] ?? '') : NaN;
        if (Number.isFinite(dueAt)) verdict.recipient.listedDueAt = dueAt;
      }
      return verdict;
    };
    return { ...shared, retryList, check, values };
  } catch (error) {
    csv.close();
    throw error;
  }
}
