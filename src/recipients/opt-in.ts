import { quoteCell } from './quote-cell.js';

/** The values that mean "this person agreed to receive WhatsApp messages" unless --opt-in-values says others (SPEC.md). */
export const OPT_IN_VALUES: readonly string[] = ['yes', 'y', 'true', '1', 'opted_in'];

/** Values that plainly say no: a row with one is refused without suggesting it might be consent. */
const REFUSALS: ReadonlySet<string> = new Set(['no', 'n', 'false', '0', 'opted_out', 'opt_out']);

/** How a consent cell is compared: trimmed, case-insensitive, and `é` typed either way is one value. */
export function consentKey(value: string): string {
  return value.trim().normalize('NFC').toLowerCase();
}

/** The accepted consent values: the fixed set, or the one --opt-in-values gives. */
export class ConsentValues {
  private readonly keys: ReadonlySet<string>;

  constructor(readonly values: readonly string[] = OPT_IN_VALUES) {
    this.keys = new Set(values.map(consentKey));
  }

  accepts(cell: string | undefined): boolean {
    return cell !== undefined && this.keys.has(consentKey(cell));
  }

  /** Whether a cell is a plain no (and not one of the accepted values). */
  isRefusal(cell: string): boolean {
    const key = consentKey(cell);
    return REFUSALS.has(key) && !this.keys.has(key);
  }

  /** Why `cell` (in `column`) is not consent, showing it as written. */
  refusal(cell: string | undefined, column: string): string {
    if (cell === undefined || cell.trim() === '') return `${JSON.stringify(column)} is empty: no consent recorded`;
    if (this.isRefusal(cell)) return `${quoteCell(cell)} means no consent`;
    return `${quoteCell(cell)} is not a consent value (accepted: ${this.values.join(', ')}; --opt-in-values sets them)`;
  }
}

export const DEFAULT_CONSENT = new ConsentValues();

/** Consent is explicit or absent: anything outside the accepted set, or empty, is no. */
export function isOptedIn(value: string | undefined, accepted: ConsentValues = DEFAULT_CONSENT): boolean {
  return accepted.accepts(value);
}
