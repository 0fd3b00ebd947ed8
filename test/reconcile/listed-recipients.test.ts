// listedRecipients (src/reconcile/listed-recipients.ts): the recipients in a list, as pass 2's columns.
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/reconcile/decide-recipient.js';
import { CampaignFold } from '../../src/reconcile/fold-campaign.js';
import { listedRecipients } from '../../src/reconcile/listed-recipients.js';
import { float64s, int32s } from '../../src/reconcile/number-column.js';
import { RECONCILE_LISTS } from '../../src/reconcile/reconcile-lists.js';
import { intent, outcome, runRecord } from './events.js';

const A = '+447400000001';
const B = '+447400000002';
const C = '+447400000003';
const listIndex = (name: string) => RECONCILE_LISTS.findIndex((list) => list.name === name);

describe('listedRecipients', () => {
  it('lists only recipients with a list, with their decision’s fields; no title and no correlation id out of doubt are empty', () => {
    const fold = new CampaignFold();
    for (const record of [
      runRecord(),
      intent(A, 'a1', 1, undefined, '2026-11-17T08:00:01.000Z'),
      outcome(A, 'a1', 'in_doubt', 'ETIMEDOUT'),
      intent(B, 'b1', 1, undefined, '2026-11-17T08:00:02.000Z'),
      intent(C, 'c1', 1, undefined, '2026-11-17T08:00:03.000Z'),
      outcome(C, 'c1', 'failed', '131026', 'sms_fallback'),
      intent(C, 'c2', 2, undefined, '2026-11-17T08:00:04.000Z'),
      outcome(C, 'c2', 'failed', '131026', 'sms_fallback'),
    ]) expect(fold.addLedgerRecord(record)).toBe(true);
    const decisions: Decision[] = [
      { state: 'in_doubt', list: 'in_doubt', reason: 'in_doubt', code: 'ETIMEDOUT' },
      { state: 'sent', list: undefined, reason: '', code: '' },
      { state: 'failed', list: 'failed', reason: 'unknown_code', code: '131026', title: 'Message undeliverable', dueAt: 5 },
    ];
    const rowLines = { offsets: float64s(), lengths: int32s(), lines: int32s() };
    for (const [offset, length, line] of [[10, 20, 2], [30, 40, 3], [70, 50, 4]] as const) {
      rowLines.offsets.push(offset);
      rowLines.lengths.push(length);
      rowLines.lines.push(line);
    }
    expect(listedRecipients(fold, decisions, rowLines, { file: 'l.jsonl', now: 9, variables: ['v'], optInColumn: 'opt_in' })).toEqual({
      file: 'l.jsonl',
      now: 9,
      variables: ['v'],
      optInColumn: 'opt_in',
      count: 2,
      lists: Uint8Array.from([listIndex('in_doubt'), listIndex('failed')]),
      reasons: ['in_doubt', 'unknown_code'],
      codes: ['ETIMEDOUT', '131026'],
      titles: ['', 'Message undeliverable'],
      dueAts: Float64Array.from([NaN, 5]),
      attempts: Int32Array.from([1, 2]),
      cids: ['a1', ''],
      intentAts: Float64Array.from([Date.parse('2026-11-17T08:00:01.000Z'), Date.parse('2026-11-17T08:00:04.000Z')]),
      phones: Float64Array.from([447400000001, 447400000003]),
      offsets: Float64Array.from([10, 70]),
      lengths: Int32Array.from([20, 50]),
      lines: Int32Array.from([2, 4]),
    });
  });
});
