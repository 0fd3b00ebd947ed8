import { stringify } from 'csv-stringify/sync';
import { InputError } from '../errors.js';
import { LinesAt } from '../fs/read-lines-at.js';
import { parseRecord } from '../ledger/read-ledger.js';
import { escapeFormula } from '../recipients/formula-safe.js';
import { isE164 } from '../recipients/is-e164.js';
import type { ListedRecipients } from './listed-recipients.js';
import { RECONCILE_LISTS, type ListRowFacts } from './reconcile-lists.js';

/**
 * Pass 2 for listed recipients `from` to `to` (indices in `listed`): each one's row read again
 * from the ledger (the line pass 1 noted), checked, and written as its list's CSV row. Returns
 * each list's rows as CSV text (per RECONCILE_LISTS index, no header), in ledger order: the texts
 * of consecutive ranges, joined, are those of the whole (which is how two threads share it).
 * Throws an InputError at the first line that is not what pass 1 read.
 */
export async function listRowsText(listed: ListedRecipients, from: number, to: number): Promise<string[]> {
  const { file, variables, optInColumn } = listed;
  const rows: string[][][] = RECONCILE_LISTS.map(() => []);
  const texts: string[] = RECONCILE_LISTS.map(() => '');
  const flush = (list: number) => {
    texts[list] += stringify(rows[list]!, { record_delimiter: 'unix' });
    rows[list] = [];
  };
  const lines = await LinesAt.open(file);
  try {
    for (let i = from; i < to; i++) {
      const text = await lines.text(listed.offsets[i]!, listed.lengths[i]!);
      const record = text === undefined ? undefined : parseRecord(text, file, listed.lines[i]!);
      // The recipient's phone (E.164, so its digits name it alone), on an intent: else not the line pass 1 read.
      if (record?.type !== 'intent' || !isE164(record.phone) || Number(record.phone.slice(1)) !== listed.phones[i]) {
        throw new InputError('the ledger changed while reconcile read it (this line is not what it was): run reconcile again', { file, line: listed.lines[i]! });
      }
      const row = record.row ?? {};
      // Own cells only: a column named `constructor` that this row lacks is empty, not Object's.
      const own = (name: string) => (Object.hasOwn(row, name) ? row[name] : undefined);
      const dueAt = listed.dueAts[i]!;
      const facts: ListRowFacts = {
        phone: record.phone,
        cell: (name) => escapeFormula(own(name) ?? ''),
        optIn: () => escapeFormula(own(optInColumn) ?? 'yes'),
        reason: listed.reasons[i]!,
        code: escapeFormula(listed.codes[i]!),
        title: escapeFormula(listed.titles[i]!),
        dueAt: () => new Date(Number.isNaN(dueAt) ? listed.now : dueAt).toISOString(),
        attempts: String(listed.attempts[i]!),
        latestAttempt: () => ({ correlationId: listed.cids[i]!, attemptedAt: new Date(listed.intentAts[i]!).toISOString() }),
      };
      const list = listed.lists[i]!;
      rows[list]!.push(RECONCILE_LISTS[list]!.row(facts, variables));
      if (rows[list]!.length >= 1000) flush(list);
    }
  } finally {
    await lines.close();
  }
  for (let list = 0; list < rows.length; list++) flush(list);
  return texts;
}
