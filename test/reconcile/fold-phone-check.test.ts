import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ledgerRecordProblem } from '../../src/ledger/ledger-records.js';
import { CampaignFold } from '../../src/reconcile/fold-campaign.js';
import { fixture, run } from '../helpers.js';
import { accepted, intent, jsonl, runRecord } from './events.js';

// The fold and the ledger's record check share one +E.164 predicate (recipients/is-e164.ts): a
// phone the ledger refuses never reaches the fold's phone table, whose keys are the digits as a
// number (`+0123` would be `+123`'s key, and a RangeError for `+0`).
const PHONES = ['+0', '+0123', '+00447400123456', '+123', '+1', '+123456789012345', '+1234567890123456', '+', '447400123456', '+44 7400', '+４４', '+447400123456'];

describe('the fold checks a phone exactly as the ledger does', () => {
  it.each(PHONES)('%s: the fold takes it if and only if the ledger check passes it, and never throws', (phone) => {
    const ledgerTakesIt = ledgerRecordProblem(intent(phone, 'c1')) === undefined;
    const fold = new CampaignFold();
    expect(fold.addLedgerRecord(intent(phone, 'c1'))).toBe(ledgerTakesIt);
    expect(fold.addLedgerRecord(accepted(phone, 'c1', 'wamid.1'))).toBe(ledgerTakesIt);
    expect(fold.recipients).toBe(ledgerTakesIt ? 1 : 0);
    expect(fold.recipientOf(phone)).toBe(ledgerTakesIt ? 0 : -1);
  });

  it('refuses a leading zero, so +0123 is never taken for +123', () => {
    const fold = new CampaignFold();
    expect(fold.addLedgerRecord(intent('+123', 'c1'))).toBe(true);
    expect(fold.addLedgerRecord(intent('+0123', 'c2'))).toBe(false);
    expect(fold.recipients).toBe(1);
    expect(fold.recipientOf('+0123')).toBe(-1);
    expect(fold.recipientOf('+123')).toBe(0);
  });

  it('reconcile names the ledger line of a +0… phone in one line, exit 2, no stack trace', async () => {
    const dir = await fixture({ 'campaign.ledger.jsonl': jsonl([runRecord(), intent('+447400123456', 'c1'), intent('+0447400123456', 'c2')]), 'events.jsonl': '' });
    const ledger = path.join(dir, 'campaign.ledger.jsonl');
    const result = await run(['reconcile', '--ledger', ledger, '--events', path.join(dir, 'events.jsonl'), '--out', path.join(dir, 'out')], {}, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`wa-broadcast: ${ledger}:3: corrupt ledger line: `);
    expect(result.stderr).toMatch(/: corrupt ledger line: intent record's "phone" is "\+0447400123456", not a \+E\.164 number/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
