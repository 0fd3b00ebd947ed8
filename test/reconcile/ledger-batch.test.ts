import { describe, expect, it } from 'vitest';
import { SendRecordScanner } from '../../src/ledger/scan-send-record.js';
import { messageIdHash } from '../../src/reconcile/message-id-table.js';
import { joinedValue as valueOf, LedgerLineKind, scanLedgerBatch } from '../../src/reconcile/ledger-batch.js';

const run = JSON.stringify({ type: 'run', v: 1, run: 'r1' });
const intent = (cid: string, phone: string) => JSON.stringify({ type: 'intent', at: '2026-11-17T08:00:01.000Z', cid, phone, line: 2, attempt: 1, row: { phone, first_name: 'Zoë' } });
const accepted = (cid: string, phone: string, fields: Record<string, string>) => JSON.stringify({ type: 'outcome', at: '2026-11-17T08:00:01.250Z', cid, phone, outcome: 'accepted', ...fields });

describe('scanLedgerBatch: send’s lines into joined columns', () => {
  it('gives each scanned line its values in the joined columns, every other line its text, a non-ASCII value parsed instead', () => {
    const lines = [
      run,
      intent('r1-2-1', '+447400000001'),
      accepted('r1-2-1', '+447400000001', { message_id: 'wamid.A1', wa_id: '447400000001' }),
      '   ',
      intent('r1-3-é', '+447400000002'),
      accepted('r1-3-1', '+15550001111', { message_id: 'wamid.B2', wa_id: '15550009999' }),
      accepted('r1-4-1', '+447400000003', {}),
    ];
    const text = lines.join('\n');
    const buffer = Buffer.from(`xx${text}\n`);
    const starts: number[] = [];
    const ends: number[] = [];
    for (let at = 2, i = 0; i < lines.length; i++) {
      starts.push(at);
      at += Buffer.byteLength(lines[i]!);
      ends.push(at);
      at++;
    }
    const batch = scanLedgerBatch({ firstLine: 1, buffer, offset: 100, starts, ends, tooLong: [] }, new SendRecordScanner());
    const { intent: I, outcome: O, other: X, blank: B } = LedgerLineKind;
    expect([...batch.kinds]).toEqual([X, I, O, B, X, O, O]);
    expect(batch.texts).toEqual([run, lines[4]]);
    expect(lines.map((_, i) => [valueOf(batch.phones, i), valueOf(batch.cids, i), valueOf(batch.messageIds, i), valueOf(batch.waIds, i)])).toEqual([
      ['', '', '', ''],
      ['+447400000001', 'r1-2-1', '', ''],
      ['+447400000001', 'r1-2-1', 'wamid.A1', '447400000001'],
      ['', '', '', ''],
      ['', '', '', ''],
      ['+15550001111', 'r1-3-1', 'wamid.B2', '15550009999'],
      ['+447400000003', 'r1-4-1', '', ''],
    ]);
    expect(batch.ats[1]).toBe(Date.parse('2026-11-17T08:00:01.000Z'));
    expect(batch.ats[2]).toBe(Date.parse('2026-11-17T08:00:01.250Z'));
    expect(batch.columns[1]).toEqual(['phone', 'first_name']);
    expect(batch.offsets[1]).toBe(100 + starts[1]!);
    expect(batch.lengths[1]).toBe(Buffer.byteLength(lines[1]!));
    // The message ids' hashes as the fold would work them out from the strings.
    expect(batch.messageIdHashes[2]).toBe(messageIdHash('wamid.A1'));
    expect(batch.messageIdHashes[5]).toBe(messageIdHash('wamid.B2'));
    expect(batch.messageIdHashes[1]).toBe(0);
    expect(batch.messageIdHashes[6]).toBe(0);
  });
});

describe('scanLedgerBatch: columns longer than their first guess', () => {
  it('grows a column past its first size (wa_ids past 64 bytes, correlation ids past 24 a line, message ids past a quarter of the lines): every value whole', () => {
    const lines: string[] = [];
    const expected: string[][] = [];
    for (let i = 0; i < 12; i++) {
      const phone = `+4474000000${String(i).padStart(2, '0')}`;
      const cid = `campaign-with-a-long-name-run-7-line-${i}-attempt-1`;
      const messageId = `wamid.HBgLMTU1NTAxMjM0NTYVAgARGBI${'Q'.repeat(40 + i)}${i}`;
      const waId = `4474000000${String(i).padStart(2, '0')}`;
      lines.push(accepted(cid, phone, { message_id: messageId, wa_id: waId }));
      expected.push([phone, cid, messageId, waId]);
    }
    const buffer = Buffer.from(`${lines.join('\n')}\n`);
    const starts: number[] = [];
    const ends: number[] = [];
    for (let at = 0, i = 0; i < lines.length; i++) {
      starts.push(at);
      at += Buffer.byteLength(lines[i]!);
      ends.push(at);
      at++;
    }
    const batch = scanLedgerBatch({ firstLine: 5, buffer, offset: 0, starts, ends, tooLong: [] }, new SendRecordScanner());
    expect([...batch.kinds]).toEqual(lines.map(() => LedgerLineKind.outcome));
    expect(lines.map((_, i) => [valueOf(batch.phones, i), valueOf(batch.cids, i), valueOf(batch.messageIds, i), valueOf(batch.waIds, i)])).toEqual(expected);
    expect(batch.waIds.text).toBe(expected.map((e) => e[3]).join(''));
    expect(batch.messageIds.text).toBe(expected.map((e) => e[2]).join(''));
    expect([...batch.phoneKeys]).toEqual(expected.map((e) => Number(e[0]!.slice(1))));
  });
});
