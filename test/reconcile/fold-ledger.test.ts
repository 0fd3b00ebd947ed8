// foldLedger (src/reconcile/fold-ledger.ts): pass 1, the ledger's batches into the fold, and where each recipient's row is.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readLedgerSpans } from '../../src/ledger/read-ledger.js';
import { SendRecordScanner } from '../../src/ledger/scan-send-record.js';
import { CampaignFold } from '../../src/reconcile/fold-campaign.js';
import { foldLedger } from '../../src/reconcile/fold-ledger.js';
import { scanLedgerBatch, type LedgerBatch } from '../../src/reconcile/ledger-batch.js';
import { tempDir } from '../helpers.js';
import { accepted, intent, jsonl, runRecord } from './events.js';

async function* batchesOf(file: string): AsyncGenerator<LedgerBatch> {
  const scanner = new SendRecordScanner();
  for await (const spans of readLedgerSpans(file)) yield scanLedgerBatch(spans, scanner);
}

async function folded(lines: string): Promise<{ fold: CampaignFold; file: string; rows: Awaited<ReturnType<typeof foldLedger>> }> {
  const file = path.join(await tempDir(), 'ledger.jsonl');
  await writeFile(file, lines);
  const fold = new CampaignFold();
  return { fold, file, rows: await foldLedger(fold, file, batchesOf(file)) };
}

const A = '+447400000001';
// Mexico: the number as dialled (+52 1 …) and the wa_id WhatsApp gives it (without the 1).
const M = '+5215512345678';
const M_WA_ID = '525512345678';

describe('foldLedger', () => {
  it('notes each recipient’s row: the offset, length and ledger line of their first intent', async () => {
    const lines = [jsonl([runRecord()]), jsonl([intent(A, 'a1')]), '\n', jsonl([accepted(A, 'a1', 'wamid.A')]), jsonl([intent(M, 'm1')]), jsonl([intent(A, 'a2', 2)])];
    const { fold, rows } = await folded(lines.join(''));
    expect(fold.recipients).toBe(2);
    const at = (k: number) => lines.slice(0, k).reduce((n, line) => n + Buffer.byteLength(line), 0);
    expect([0, 1].map((r) => [rows.offsets.get(r), rows.lengths.get(r), rows.lines.get(r)])).toEqual([
      [at(1), Buffer.byteLength(lines[1]!) - 1, 2],
      [at(4), Buffer.byteLength(lines[4]!) - 1, 5],
    ]);
  });

  it('an accepted outcome’s wa_id that is not the phone’s digits is the recipient’s too: an opt-out from it suppresses them', async () => {
    const { fold } = await folded(jsonl([runRecord(), intent(M, 'm1'), accepted(M, 'm1', 'wamid.M', M_WA_ID)]));
    fold.addSignal({ kind: 'preference', value: 'stop', via: 'user_preferences', waId: M_WA_ID, at: Date.parse('2026-11-17T09:00:00.000Z') });
    expect(fold.decide(Date.parse('2026-11-17T10:00:00.000Z'))).toEqual([{ state: 'suppressed', list: 'suppress', reason: 'user_preferences', code: '' }]);
  });

  it('a ledger of intents without a run header is folded (only one with neither is empty)', async () => {
    const { fold } = await folded(jsonl([intent(A, 'a1')]));
    expect(fold.recipients).toBe(1);
    const empty = await folded('\n').catch((error: unknown) => error);
    expect(empty).toBeInstanceOf(InputError);
    expect((empty as InputError).message).toBe('the ledger is empty: nothing was sent with it yet (is this the --ledger that send wrote?)');
  });

});
