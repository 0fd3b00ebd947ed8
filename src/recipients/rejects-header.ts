/** The columns a rejects file (--rejects) adds after the row's own: how a rejects file fed back is recognised. */
export const REJECTS_COLUMNS = ['line', 'reason', 'detail'] as const;

/** Whether a CSV header is a rejects file's: its cells were written formula-safe and are read back so. */
export function isRejectsHeader(header: readonly string[]): boolean {
  return REJECTS_COLUMNS.every((name) => header.includes(name));
}
