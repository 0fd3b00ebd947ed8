/** The columns reconcile adds to a retry list after the recipient's own: how send recognises one. */
export const RETRY_LIST_COLUMNS = ['reason', 'error_code', 'attempts'] as const;

/** Whether a CSV header is a retry list's (written by `reconcile`). */
export function isRetryListHeader(header: readonly string[]): boolean {
  return RETRY_LIST_COLUMNS.every((name) => header.includes(name));
}
