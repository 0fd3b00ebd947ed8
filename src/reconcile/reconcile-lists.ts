import { RETRY_DUE_COLUMN, RETRY_LIST_COLUMNS } from '../recipients/retry-list-header.js';

/**
 * What a list row may be made of: one recipient's facts, cells already formula-escaped. The
 * attempt's facts are functions, worked out only for the lists that ask.
 */
export interface ListRowFacts {
  phone: string;
  /** A column of the recipient's CSV row as sent ('' if the row lacks it). */
  cell(column: string): string;
  /** The opt-in cell as sent ('yes' when the row had none). */
  optIn(): string;
  reason: string;
  /** The provider error code behind the decision, or ''. */
  code: string;
  /** The code's title from the one code table (or the provider's text), formula-escaped, or ''. */
  title: string;
  /** When a retry is due (ISO-8601): at once for most, later for a code that asks to wait. */
  dueAt(): string;
  /** How many attempts the ledger holds for this recipient. */
  attempts: string;
  /** The correlation id and the time (ISO-8601) of the latest attempt. */
  latestAttempt(): { correlationId: string; attemptedAt: string };
}

export interface ReconcileList {
  /** The list's name in decisions and in `--json`'s `files`. */
  name: string;
  /** Its file in `--out` (fixed: SPEC "Reconcile lists"). */
  file: string;
  /** What it is called in a sentence (`reconcile --help`). */
  title: string;
  /** Who is in it (README's table). */
  help: string;
  /** Its header, given the campaign's variables (its CSV columns other than phone, opt-in and ours). */
  columns(variables: readonly string[]): string[];
  /** A recipient's row, in the order of `columns(variables)`. */
  row(facts: ListRowFacts, variables: readonly string[]): string[];
}

/**
 * Reconcile's lists, one row each: the writer, `reconcile --help`, the summary's `lists` and the
 * tests take them from here (README's table is checked against it). A new list is a row here and
 * the decisions that name it (decide-recipient.ts).
 */
export const RECONCILE_LISTS = [
  {
    name: 'retry',
    file: 'retry.csv',
    title: 'retry',
    help: 'recipients with a retry planned: due at `--now`, or later (`due_at`)',
    // What send recognises as a retry list: a recipients CSV plus RETRY_LIST_COLUMNS.
    // A retry not due yet is listed too, with its due_at, so that nobody waiting is in no list;
    // send skips it until then.
    columns: (variables) => ['phone', 'opt_in', ...variables, ...RETRY_LIST_COLUMNS, RETRY_DUE_COLUMN],
    row: (r, variables) => [r.phone, r.optIn(), ...variables.map((column) => r.cell(column)), r.reason, r.code, r.attempts, r.dueAt()],
  },
  {
    name: 'sms_fallback',
    file: 'sms-fallback.csv',
    title: 'SMS-fallback',
    help: 'recipients to reach by SMS instead',
    columns: (variables) => ['phone', ...variables, 'reason', 'error_code', 'attempts'],
    row: (r, variables) => [r.phone, ...variables.map((column) => r.cell(column)), r.reason, r.code, r.attempts],
  },
  {
    name: 'suppress',
    file: 'suppress.csv',
    title: 'suppression',
    help: 'people who opted out: feed it to `--suppress`',
    columns: () => ['phone', 'reason', 'error_code'],
    row: (r) => [r.phone, r.reason, r.code],
  },
  {
    name: 'in_doubt',
    file: 'in-doubt.csv',
    title: 'in-doubt',
    help: 'sends whose result is unknown and no callback settled',
    columns: () => ['phone', 'correlation_id', 'attempted_at', 'error_code', 'attempts'],
    row: (r) => {
      const latest = r.latestAttempt();
      return [r.phone, latest.correlationId, latest.attemptedAt, r.code, r.attempts];
    },
  },
  {
    name: 'failed',
    file: 'failed.csv',
    title: 'failed',
    help: 'failures no list above acts on, for a person to look at: a refused row (invalid parameter, media that cannot be fetched…), a code not in the table',
    // The row as sent, and what the provider (or the code table) said.
    columns: (variables) => ['phone', ...variables, 'reason', 'error_code', 'error_title', 'attempts'],
    row: (r, variables) => [r.phone, ...variables.map((column) => r.cell(column)), r.reason, r.code, r.title, r.attempts],
  },
] as const satisfies readonly ReconcileList[];

export type ListName = (typeof RECONCILE_LISTS)[number]['name'];

/** The list files (fixed names, SPEC "Reconcile lists"), by list name. */
export const LIST_FILES = Object.fromEntries(RECONCILE_LISTS.map((list) => [list.name, list.file])) as Record<ListName, string>;

/** The lists by name. */
export const LISTS_BY_NAME = Object.fromEntries(RECONCILE_LISTS.map((list) => [list.name, list])) as Record<ListName, ReconcileList>;

/**
 * The columns a list writes beside the campaign's variables: a CSV column of the same name is not
 * carried as a variable (a header names each column once, and send reads a retry list back).
 */
export function columnsBesideVariables(): Set<string> {
  const probe = '\u0000variable';
  return new Set(RECONCILE_LISTS.filter((list) => list.columns([probe]).includes(probe)).flatMap((list) => list.columns([])));
}
