/** The columns reconcile adds to a retry list after the recipient's own: how send recognises one. */
export const RETRY_LIST_COLUMNS = ['reason', 'error_code', 'attempts'] as const;

/** Whether a CSV header is a retry list's (written by `reconcile`). */
export function isRetryListHeader(header: readonly string[]): boolean {
  return RETRY_LIST_COLUMNS.every((name) => header.includes(name));
}

/**
 * The retry list's due time (ISO-8601): reconcile lists every planned retry, due or not, so that no
 * recipient is in no list; send sends a row only once its due time has come. Not needed to
 * recognise a list (lists written before it are due at once).
 */
export const RETRY_DUE_COLUMN = 'due_at';
