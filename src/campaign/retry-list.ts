import path from 'node:path';
import { InputError } from '../errors.js';
import type { RunRecord } from '../ledger/ledger-records.js';
import { readLedgerBatches } from '../ledger/read-ledger.js';
import { RETRY_LIST_COLUMNS } from '../recipients/formula-safe.js';
import { openCsv } from '../recipients/read-csv.js';
import { exists } from '../template/find-template-spec.js';

/** Whether a CSV is a retry list written by `reconcile` (its header has reason, error_code, attempts). */
export async function isRetryList(csvFile: string): Promise<boolean> {
  const csv = await openCsv(csvFile);
  csv.close();
  return RETRY_LIST_COLUMNS.every((name) => csv.header.includes(name));
}

/**
 * The template spec for a retry list sent without `--template`: the one the campaign's last run
 * used, as its ledger records it (relative paths are tried from here, then from the ledger's
 * folder). Undefined when the CSV is not a retry list or no ledger was named.
 */
export async function retryListTemplate(csvFile: string, ledgerFile: string | undefined): Promise<string | undefined> {
  if (ledgerFile === undefined || !(await isRetryList(csvFile))) return undefined;
  let lastRun: RunRecord | undefined;
  for await (const { lines } of readLedgerBatches(ledgerFile)) {
    for (const text of lines) if (text.startsWith('{"type":"run"')) lastRun = JSON.parse(text) as RunRecord;
  }
  if (!lastRun) return undefined;
  const candidates = path.isAbsolute(lastRun.template) ? [lastRun.template] : [lastRun.template, path.join(path.dirname(ledgerFile), lastRun.template)];
  for (const candidate of candidates) {
    if (await exists(candidate)) return candidate;
  }
  throw new InputError(`the campaign's template spec (${lastRun.template}, from the ledger) is not there any more: pass --template <spec>`, { file: csvFile });
}
