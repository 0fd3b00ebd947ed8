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
import { isRetryListHeader } from './retry-list-header.js';

export interface AudienceSource {
  csvFile: string;
  templateFile: string;
  suppressFile?: string | undefined;
  defaultCountry?: CountryCode | undefined;
  phoneColumn?: string | undefined;
  optInColumn?: string | undefined;
  /** Already loaded (send reads the CSV more than once): used instead of reading the files again. */
  spec?: TemplateSpec | undefined;
  suppression?: SuppressionList | undefined;
}

export interface Audience {
  /** The CSV's column names, in order. */
  header: string[];
  template: BoundTemplate;
  suppression: SuppressionList | undefined;
  /** Set when the CSV is a retry list written by `reconcile` (it has reason, error_code, attempts). */
  retryList: boolean;
  /** Judges one row; call in file order (the first row with a number decides for it). */
  check(row: CsvRow): RowVerdict;
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
  const suppression = source.suppression ?? (source.suppressFile ? await loadSuppressionList(source.suppressFile, source.defaultCountry) : undefined);
  const csv = await openCsv(source.csvFile);
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
    });
    if (!isRetryListHeader(csv.header)) {
      return { header: csv.header, template, suppression, retryList: false, check: (row) => checker.check(row), batches: csv.batches, close: csv.close };
    }
    const attemptsColumn = csv.header.indexOf('attempts');
    const check = (row: CsvRow): RowVerdict => {
      const verdict = checker.check({ line: row.line, fields: row.fields.map(unescapeFormula) });
      if (verdict.ok) {
        const attempts = Number(row.fields[attemptsColumn]);
        if (Number.isInteger(attempts) && attempts > 0) verdict.recipient.listedAttempts = attempts;
      }
      return verdict;
    };
    return { header: csv.header, template, suppression, retryList: true, check, batches: csv.batches, close: csv.close };
  } catch (error) {
    csv.close();
    throw error;
  }
}
