import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookupCode } from '../../src/codes/error-codes.js';
import { parseEventLine } from '../../src/reconcile/parse-event.js';
import { fixture, run } from '../helpers.js';
import { intent, jsonl, metaLine, outcome, runRecord, twilioLine, type MetaStatus } from './events.js';

// Text from callbacks and ledgers named like Object.prototype members is no status, code or cell.
const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

describe('outside text named like Object.prototype members', () => {
  it('is no error code', () => {
    for (const family of ['meta', 'twilio'] as const) {
      for (const name of PROTOTYPE_NAMES) expect(lookupCode(family, name as unknown as number)).toBeUndefined();
      expect(lookupCode(family, Number.NaN)).toBeUndefined();
      expect(lookupCode(family, 1.5)).toBeUndefined();
    }
    expect(lookupCode('meta', 131026)).toMatchObject({ class: 'sms_fallback' });
  });

  it('is no message status, from Meta or Twilio', () => {
    const keywords = new Set<string>();
    for (const name of PROTOTYPE_NAMES) {
      expect(parseEventLine(metaLine([{ id: 'wamid.1', status: name as MetaStatus['status'] }]), keywords)).toEqual({ ok: true, signals: [] });
      expect(parseEventLine(twilioLine({ MessageSid: 'SM1', MessageStatus: name }), keywords)).toEqual({ ok: true, signals: [] });
    }
  });

  it('reconcile: a column another row lacks is an empty cell, and odd codes are counted as themselves', async () => {
    const at = '2026-11-17T08:00:01.100Z';
    const ledger = [
      runRecord(),
      intent('+447400123456', 'c1', 1, { phone: '+447400123456', opt_in: 'yes', constructor: 'Ana' }),
      outcome('+447400123456', 'c1', 'retry', '130429', undefined, at),
      // A row without the column (a CSV of another shape): its cell is empty, not Object's constructor.
      intent('+447400123457', 'c2', 1, { phone: '+447400123457', opt_in: 'yes' }),
      outcome('+447400123457', 'c2', 'retry', '130429', undefined, at),
      intent('+447400123458', 'c3', 1, { phone: '+447400123458', opt_in: 'yes', constructor: 'Cy' }),
      outcome('+447400123458', 'c3', 'failed', 'constructor', undefined, at),
      intent('+447400123459', 'c4', 1, { phone: '+447400123459', opt_in: 'yes', constructor: 'Di' }),
      outcome('+447400123459', 'c4', 'failed', '__proto__', undefined, at),
    ];
    const dir = await fixture({ 'l.jsonl': jsonl(ledger) });
    const result = await run(['reconcile', '--ledger', path.join(dir, 'l.jsonl'), '--out', path.join(dir, 'lists'), '--now', '2026-11-18T00:00:00Z']);
    expect(result.code).toBe(0);
    expect(await readFile(path.join(dir, 'lists', 'retry.csv'), 'utf8')).toBe(
      'phone,opt_in,constructor,reason,error_code,attempts,due_at\n+447400123456,yes,Ana,not_sent,130429,1,2026-11-17T08:00:01.100Z\n+447400123457,yes,,not_sent,130429,1,2026-11-17T08:00:01.100Z\n',
    );
    const summary = JSON.parse(await readFile(path.join(dir, 'lists', 'summary.json'), 'utf8'));
    expect(Object.entries(summary.errors)).toEqual([
      ['130429', 2],
      ['__proto__', 1],
      ['constructor', 1],
    ]);
  });
});
