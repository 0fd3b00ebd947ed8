import { InputError } from '../errors.js';
import { parseRecord } from '../ledger/read-ledger.js';
import type { CampaignFold } from './fold-campaign.js';
import { joinedValue, LedgerLineKind, type LedgerBatch } from './ledger-batch.js';
import { float64s, int32s, type NumberColumn } from './number-column.js';

/**
 * Where each recipient's row is: the line of their first intent (recipient r's at index r), found
 * by pass 1, so that pass 2 reads those lines only.
 */
export interface RowLines {
  offsets: NumberColumn<Float64Array>;
  lengths: NumberColumn<Int32Array>;
  lines: NumberColumn<Int32Array>;
}

/**
 * Pass 1: every ledger record into the fold, in ledger order, from the batches the reader gives
 * (read on the worker thread when there is one). Returns where each recipient's row is, for pass 2.
 */
export async function foldLedger(fold: CampaignFold, file: string, batches: AsyncIterable<LedgerBatch>): Promise<RowLines> {
  const rows: RowLines = { offsets: float64s(), lengths: int32s(), lines: int32s() };
  for await (const { firstLine, kinds, offsets, lengths, ats, phones, phoneKeys, cids, messageIds, messageIdHashes, waIds, columns, texts } of batches) {
    let text = 0;
    for (let i = 0; i < kinds.length; i++) {
      const recipients = fold.recipients;
      const kind = kinds[i];
      // Send's own intents and accepted outcomes were scanned (a checked phone each); the rest is parsed here.
      if (kind === LedgerLineKind.intent) fold.addIntentOfKey(phoneKeys[i]!, ats[i]!, joinedValue(cids, i), columns[i]);
      else if (kind === LedgerLineKind.outcome) {
        // An empty message id or wa_id is none.
        fold.addOutcome(joinedValue(phones, i), ats[i]!, joinedValue(cids, i), 'accepted', joinedValue(messageIds, i) || undefined, joinedValue(waIds, i) || undefined, undefined, messageIdHashes[i]);
      } else if (kind === LedgerLineKind.other && !fold.addLedgerRecord(parseRecord(texts[text++]!, file, firstLine + i))) {
        throw new InputError('corrupt ledger line (no valid +E.164 phone)', { file, line: firstLine + i });
      }
      // Only an intent adds a recipient: this line has their row.
      if (fold.recipients !== recipients) {
        rows.offsets.push(offsets[i]!);
        rows.lengths.push(lengths[i]!);
        rows.lines.push(firstLine + i);
      }
    }
  }
  if (fold.runs.length === 0 && fold.recipients === 0) {
    throw new InputError('the ledger is empty: nothing was sent with it yet (is this the --ledger that send wrote?)', { file });
  }
  return rows;
}
