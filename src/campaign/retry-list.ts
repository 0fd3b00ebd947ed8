import path from 'node:path';
import { InputError } from '../errors.js';
import type { RunRecord } from '../ledger/ledger-records.js';
import { openCsv } from '../recipients/read-csv.js';
import { isRetryListHeader } from '../recipients/retry-list-header.js';
import { exists } from '../fs/exists.js';
import type { Recipient } from '../recipients/audience.js';

/** A retry-list row whose retry is not due yet at `now` (ms): skipped, and sent by a later run. */
export function notYetDue(recipient: Recipient, now: number): boolean {
  return recipient.listedDueAt !== undefined && recipient.listedDueAt > now;
}

/** Whether a CSV is a retry list written by `reconcile` (its header has reason, error_code, attempts). */
export async function isRetryList(csvFile: string, dialect: { delimiter?: string | undefined; encoding?: string | undefined } = {}): Promise<boolean> {
  const csv = await openCsv(csvFile, dialect);
  csv.close();
  return isRetryListHeader(csv.header);
}

/**
 * The template spec for a retry list sent without `--template`: the one the campaign's last run
 * used, as its ledger records it (a relative path is tried from here, then from the ledger's folder).
 */
export async function campaignTemplate(lastRun: RunRecord, ledgerFile: string, csvFile: string): Promise<string> {
  const candidates = path.isAbsolute(lastRun.template) ? [lastRun.template] : [lastRun.template, path.join(path.dirname(ledgerFile), lastRun.template)];
  for (const candidate of candidates) {
    if (await exists(candidate)) return candidate;
  }
  throw new InputError(`the campaign's template spec (${lastRun.template}, from the ledger) is not there any more: pass --template <spec>`, { file: csvFile });
}
