// A ledger and its ListedRecipients built by hand, for pass 2's tests (on either thread).
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ListedRecipients } from '../../src/reconcile/listed-recipients.js';
import { RECONCILE_LISTS } from '../../src/reconcile/reconcile-lists.js';
import type { CampaignFold } from '../../src/reconcile/fold-campaign.js';
import type { foldLedger } from '../../src/reconcile/fold-ledger.js';
import type { startReadingEvents } from '../../src/reconcile/read-events.js';
import { intent, jsonl, metaLine, runRecord } from './events.js';

const LISTS = RECONCILE_LISTS.map((list) => list.name);

/**
 * A ledger of `n` intents (a run header first; rows with a variable, one formula-like) and every
 * recipient listed, the lists in turn; `wrongPhone`: the recipient whose noted phone is not their line's.
 */
export async function listedLedger(dir: string, n: number, wrongPhone?: number): Promise<ListedRecipients> {
  const lines = [jsonl([runRecord()])];
  const listed: ListedRecipients = {
    file: path.join(dir, 'ledger.jsonl'),
    now: Date.parse('2026-11-20T00:00:00Z'),
    variables: ['first_name'],
    optInColumn: 'opt_in',
    count: n,
    lists: new Uint8Array(n),
    reasons: [],
    codes: [],
    titles: [],
    dueAts: new Float64Array(n),
    attempts: new Int32Array(n),
    cids: [],
    intentAts: new Float64Array(n),
    phones: new Float64Array(n),
    offsets: new Float64Array(n),
    lengths: new Int32Array(n),
    lines: new Int32Array(n),
  };
  let offset = Buffer.byteLength(lines[0]!);
  for (let i = 0; i < n; i++) {
    const phone = `+4474${String(i).padStart(8, '0')}`;
    const line = jsonl([intent(phone, `c${i}`, 1, { phone, opt_in: 'yes', first_name: i % 3 === 0 ? `=n${i}` : `n${i}` })]);
    lines.push(line);
    listed.lists[i] = i % LISTS.length;
    listed.reasons.push(`reason${i % 4}`);
    listed.codes.push(i % 2 ? '131049' : '');
    listed.titles.push(i % 2 ? '+title' : '');
    listed.dueAts[i] = i % 10 === 0 ? NaN : listed.now + i * 1000;
    listed.attempts[i] = 1 + (i % 3);
    listed.cids.push(i % 7 === 0 ? `c${i}` : '');
    listed.intentAts[i] = Date.parse('2026-11-17T08:00:01.000Z');
    listed.phones[i] = Number(phone.slice(1)) + (i === wrongPhone ? 1 : 0);
    listed.offsets[i] = offset;
    listed.lengths[i] = Buffer.byteLength(line) - 1;
    listed.lines[i] = i + 2;
    offset += Buffer.byteLength(line);
  }
  await writeFile(listed.file, lines.join(''));
  return listed;
}

/** The modules pass 2 runs on: src/ (an in-process worker) or dist/ (a real worker thread, which runs compiled code). */
export interface PassTwoModules {
  startReadingEvents: typeof startReadingEvents;
  CampaignFold: typeof CampaignFold;
  foldLedger: typeof foldLedger;
  keywords: string[];
}

/**
 * The worker's pass-2 texts (or its error) for listed recipients `from`..`to`, after a fold of the
 * listed ledger and one events line; undefined when no worker starts (`threshold` above the events'
 * size) or the range is empty.
 */
export async function rowsOnWorker(modules: PassTwoModules, listed: ListedRecipients, from: number, to: number, threshold = 0): Promise<string[] | undefined> {
  const events = path.join(path.dirname(listed.file), 'e.jsonl');
  await writeFile(events, metaLine([{ id: 'wamid.1', status: 'read' }]) + '\n');
  const reader = await modules.startReadingEvents([events], modules.keywords, { file: listed.file, size: (await stat(listed.file)).size }, threshold);
  try {
    const fold = new modules.CampaignFold();
    await modules.foldLedger(fold, listed.file, reader.ledgerBatches());
    await reader.foldInto(fold);
    return await reader.listRowsText(listed, from, to);
  } finally {
    await reader.close();
  }
}
