/**
 * Spreadsheet-safe cells (SPEC, reconcile lists): a cell that starts with `= + - @`, tab or CR is
 * written with a leading `'` so a spreadsheet shows it instead of running it. A cell that already
 * starts with `'` before one of those gets one more, so that reading strips exactly one and the
 * round trip (reconcile writes a retry list, send reads it) gives back the original value.
 */
const NEEDS_QUOTE = /^'*[=+\-@\t\r]/;
const QUOTED = /^'+[=+\-@\t\r]/;

export function escapeFormula(cell: string): string {
  return NEEDS_QUOTE.test(cell) ? `'${cell}` : cell;
}

export function unescapeFormula(cell: string): string {
  return QUOTED.test(cell) ? cell.slice(1) : cell;
}
