import { consentKey, type ConsentValues } from './opt-in.js';
import { plural } from '../plural.js';
import { quoteCell } from './quote-cell.js';

/** Distinct values counted; a file with more is not a consent column anyone filled in by hand. */
const MAX_DISTINCT = 1000;
/** Values named in a warning. */
const NAMED = 5;

export interface ConsentValueCount {
  /** As first written in the file (trimmed). */
  value: string;
  rows: number;
}

/**
 * Counts the consent cells of the rows that reached the consent check, so that a file whose
 * consent is written `x` or `ja` is told which values it holds and how to accept them, instead of
 * only "no row is sendable". Bounded: at most MAX_DISTINCT values are kept.
 */
export class ConsentTally {
  /** Rows whose consent cell is an accepted value. */
  consenting = 0;
  private readonly others = new Map<string, ConsentValueCount>();
  /** The accepted values that occur, so that a suggested --opt-in-values keeps them. */
  private readonly seenAccepted = new Set<string>();

  constructor(
    readonly accepted: ConsentValues,
    /** The consent column's name as written in the header. */
    readonly column: string,
  ) {}

  add(cell: string | undefined, consented: boolean): void {
    if (consented) {
      this.consenting++;
      this.seenAccepted.add(consentKey(cell ?? ''));
      return;
    }
    const value = (cell ?? '').trim();
    const key = consentKey(value);
    const entry = this.others.get(key);
    if (entry) entry.rows++;
    else if (this.others.size < MAX_DISTINCT) this.others.set(key, { value, rows: 1 });
  }

  /** The values that are not consent, most frequent first. */
  otherValues(limit = 10): ConsentValueCount[] {
    return [...this.others.values()].sort((a, b) => b.rows - a.rows).slice(0, limit);
  }

  /**
   * What to tell the user: when no row has consent, the values seen and how to accept them; when
   * some rows have values that are neither consent nor a plain no, those. Undefined otherwise.
   */
  warning(): { code: 'no_consent' | 'unknown_consent_values'; message: string } | undefined {
    const all = this.otherValues(Number.POSITIVE_INFINITY);
    const unknown = all.filter((entry) => entry.value !== '' && !this.accepted.isRefusal(entry.value));
    const suggestion = this.suggestion(unknown);
    const column = JSON.stringify(this.column);
    if (this.consenting === 0 && all.length > 0) {
      const seen = `no row has consent in ${column}: the values seen are ${this.describe(all)}`;
      if (unknown.length === 0) return { code: 'no_consent', message: `${seen}; nobody in this file agreed to receive messages` };
      return { code: 'no_consent', message: `${seen} (accepted: ${this.accepted.values.join(', ')})${suggestion}` };
    }
    if (unknown.length === 0) return undefined;
    const rows = unknown.reduce((sum, entry) => sum + entry.rows, 0);
    return {
      code: 'unknown_consent_values',
      message: `${plural(rows, 'row has', 'rows have')} a value in ${column} that is not a consent value: ${this.describe(unknown)}${suggestion}`,
    };
  }

  private describe(entries: ConsentValueCount[]): string {
    const named = entries.slice(0, NAMED).map((entry) => `${quoteCell(entry.value)} (${plural(entry.rows, 'row')})`);
    const rest = entries.length - NAMED;
    return rest > 0 ? `${named.join(', ')} and ${plural(rest, 'other value')}` : named.join(', ');
  }

  /**
   * The flag that would accept the unknown values as well as the consent values already seen
   * (--opt-in-values replaces the set, so those must be in it too). A value with a comma cannot be
   * in the list and is left out.
   */
  private suggestion(unknown: ConsentValueCount[]): string {
    const values = [
      ...this.accepted.values.filter((value) => this.seenAccepted.has(consentKey(value))),
      ...unknown.slice(0, NAMED).map((entry) => entry.value),
    ].filter((value) => !value.includes(','));
    if (unknown.length === 0 || values.length === 0) return '';
    const which = unknown.length === 1 ? `${quoteCell(unknown[0]!.value)} records` : 'these record';
    return `; if ${which} consent, pass --opt-in-values ${shellWord(values.join(','))}`;
  }
}

/** A word a shell takes as it is: quoted unless it is plain. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
