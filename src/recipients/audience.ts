import type { BoundTemplate } from '../template/bind-template.js';
import { normalizePhone, toCountryCode, type CountryCode } from './normalize-phone.js';
import { ConsentTally } from './consent-tally.js';
import { delimiterName } from './detect-delimiter.js';
import { DEFAULT_CONSENT, type ConsentValues } from './opt-in.js';
import { PhoneTable, type PhoneKeys } from './phone-table.js';
import { SeenAgain } from './seen-again.js';
import { quoteCell } from './quote-cell.js';
import type { CsvRow } from './read-csv.js';

/** Why a row will not be sent. The first five are fixed by SPEC.md; the others say more precisely what Meta would refuse. */
export const REJECT_REASONS = [
  'invalid_number',
  'no_opt_in',
  'duplicate',
  'suppressed',
  'missing_variable',
  'invalid_variable',
  'body_too_long',
  'malformed_row',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** The reasons SPEC.md fixes: reports always show them, even at zero. */
export const FIXED_REJECT_REASONS: readonly RejectReason[] = REJECT_REASONS.slice(0, 5);

/** A row that will be sent. `fields` are the row's cells in header order. */
export interface Recipient {
  line: number;
  /** E.164, what is sent. */
  phone: string;
  /** The cell as written, kept for reports. */
  rawPhone: string;
  country: CountryCode | undefined;
  fields: string[];
  /** On a retry list written by reconcile: the attempts the ledger showed when the list was made. */
  listedAttempts?: number;
  /** On a retry list: when the retry is due (ms; reconcile's `due_at`). Sent only once it has come. */
  listedDueAt?: number;
}

export interface RowIssue {
  line: number;
  reason: RejectReason;
  detail: string;
  /** The phone cell as written. */
  phone: string;
}

export type RowVerdict = { ok: true; recipient: Recipient } | { ok: false; issue: RowIssue };

/** Column positions in the recipients CSV, resolved once from the header. */
export interface AudienceColumns {
  phone: number;
  optIn: number;
  /** The optional `country` column, for national-format numbers. */
  country: number | undefined;
}

export interface AudienceOptions {
  columns: AudienceColumns;
  headerLength: number;
  template: BoundTemplate;
  defaultCountry: CountryCode | undefined;
  suppressed: PhoneTable | undefined;
  /** About how many rows will be checked, to size the duplicate set once. */
  expectedRows?: number | undefined;
  /**
   * The numbers an earlier pass over the same CSV saw (`takeNumbers`): this pass finds duplicates
   * with one bit per number beside them instead of a table of its own (send reads the CSV twice).
   */
  firstPass?: PhoneKeys | undefined;
  /** The accepted consent values (default: yes, y, true, 1, opted_in). */
  consent?: ConsentValues | undefined;
  /** The consent column's name as written, for messages (default: opt_in). */
  optInColumnName?: string | undefined;
  /** The CSV's delimiter, for messages (default: a comma). */
  delimiter?: string | undefined;
}

/**
 * Decides, row by row, who is sent to. The only state is the set of numbers already seen, so the
 * first row with a number decides for that number: a later row with the same number, in any
 * format, is a duplicate even when the first was rejected (conflicting consent never sends).
 *
 * Rules in order: the row's shape, the number, duplicates, consent, suppression, the variables.
 */
export class AudienceChecker {
  private seen: PhoneTable | SeenAgain;
  private readonly consent: ConsentValues;
  /** The consent cells of the rows that reached the consent check, for the report. */
  readonly consentTally: ConsentTally;

  constructor(private readonly options: AudienceOptions) {
    this.seen = options.firstPass ? new SeenAgain(options.firstPass) : new PhoneTable(options.expectedRows);
    this.consent = options.consent ?? DEFAULT_CONSENT;
    this.consentTally = new ConsentTally(this.consent, options.optInColumnName ?? 'opt_in');
  }

  /**
   * The numbers this pass saw, for a later pass over the same CSV (`firstPass`); call once the
   * file was read to the end. This checker keeps nothing of them afterwards.
   */
  takeNumbers(): PhoneKeys {
    if (!(this.seen instanceof PhoneTable)) throw new Error('takeNumbers: this pass was itself a later one');
    return this.seen.takeKeys();
  }

  check(row: CsvRow): RowVerdict {
    const { columns, headerLength, template, defaultCountry, suppressed } = this.options;
    const { fields, line } = row;
    const rawPhone = fields[columns.phone] ?? '';
    const reject = (reason: RejectReason, detail: string): RowVerdict => ({ ok: false, issue: { line, reason, detail, phone: rawPhone } });

    if (fields.length > headerLength) {
      const delimiter = this.options.delimiter ?? ',';
      return reject('malformed_row', `${fields.length} fields but the header has ${headerLength}: a ${delimiterName(delimiter)} in an unquoted field?`);
    }

    let country = defaultCountry;
    if (columns.country !== undefined) {
      const cell = (fields[columns.country] ?? '').trim();
      if (cell !== '') {
        country = toCountryCode(cell);
        if (!country) return reject('invalid_number', `unknown country ${quoteCell(fields[columns.country]!)} (use ISO codes like GB, DE, BR)`);
      }
    }
    const phone = normalizePhone(rawPhone, country);
    if (!phone.ok) return reject('invalid_number', phone.detail);

    const firstLine = this.seen.addOrGet(phone.e164, line);
    if (firstLine !== 0) return reject('duplicate', firstLine > 0 ? `same number as line ${firstLine}` : 'same number as an earlier line');

    const consentCell = fields[columns.optIn];
    const consented = this.consent.accepts(consentCell);
    this.consentTally.add(consentCell, consented);
    if (!consented) return reject('no_opt_in', this.consent.refusal(consentCell, this.consentTally.column));
    if (suppressed?.has(phone.e164)) return reject('suppressed', 'on the suppression list');

    const problem = template.checkVariables(fields);
    if (problem) return reject(problem.reason, problem.detail);

    return { ok: true, recipient: { line, phone: phone.e164, rawPhone, country: phone.country, fields } };
  }
}
