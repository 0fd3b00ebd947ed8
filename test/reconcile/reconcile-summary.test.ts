import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { reconcileCampaign, type ReconcileResult } from '../../src/reconcile/reconcile-campaign.js';
import { fixture } from '../helpers.js';
import { accepted, intent, jsonl, metaLine, outcome, runRecord } from './events.js';

/*
 * reconcileCampaign in process, every output read exactly: summary.json (funnel, states, lists,
 * reasons, errors, the next due retry, duplicate ids), the result's event counts and unknown lines,
 * and each list's bytes. (test/cli/ reads the same through the command, but it is not part of a
 * mutation run's set: what a mutant of reconcile-campaign.ts changes must fail a test here.)
 */

const row = (phone: string, name: string, extra: Record<string, string> = {}) => ({ phone, opt_in: 'yes', name, ...extra });
const ts = (iso: string) => Date.parse(iso) / 1000;
const NOW = Date.parse('2026-11-17T09:40:00.000Z');

/**
 * Run r1 (a 10-minute TTL: over by NOW) and run r2 (30 days), each recipient in a different state.
 * Recipients are numbered by phone: +4474000000NN.
 */
const P = (n: number) => `+4474000000${String(n).padStart(2, '0')}`;
const R2_AT = '2026-11-17T09:00:01.000Z';
const R2_OUT = '2026-11-17T09:00:01.100Z';
const LEDGER: LedgerRecord[] = [
  runRecord({ ttl_seconds: 600 }),
  // 01 read, 02 delivered, 03 accepted and never delivered (TTL over: ttl_expired), 04 no outcome (in doubt).
  intent(P(1), 'a1', 1, row(P(1), 'Ana')),
  accepted(P(1), 'a1', 'wamid.1'),
  intent(P(2), 'a2', 1, row(P(2), 'Ben')),
  accepted(P(2), 'a2', 'wamid.2'),
  intent(P(3), 'a3', 1, row(P(3), 'Cy')),
  accepted(P(3), 'a3', 'wamid.3'),
  intent(P(4), 'a4', 1, row(P(4), 'Di')),
  // 05 not on WhatsApp, 06 opted out, 07 not sent (retry now), 08 a row refused.
  intent(P(5), 'a5', 1, row(P(5), 'Ed')),
  outcome(P(5), 'a5', 'failed', '131026', 'sms_fallback'),
  intent(P(6), 'a6', 1, row(P(6), 'Flo')),
  outcome(P(6), 'a6', 'failed', '131050', 'opted_out'),
  intent(P(7), 'a7', 1, row(P(7), '=cmd|calc')),
  outcome(P(7), 'a7', 'retry', 'not_sent'),
  intent(P(8), 'a8', 1, row(P(8), 'Gus')),
  outcome(P(8), 'a8', 'failed', '131047', 'row_rejected'),
  // 09 accepted, then a callback failure without a code; 10 accepted, then its template paused (retries past the TTL).
  intent(P(9), 'a9', 1, row(P(9), 'Hal')),
  accepted(P(9), 'a9', 'wamid.9'),
  intent(P(10), 'a10', 1, row(P(10), 'Ida')),
  accepted(P(10), 'a10', 'wamid.10'),
  runRecord({ run: 'r2', at: '2026-11-17T09:00:00.000Z' }),
  // 11 a per-user limit (waits 24 h), 12 a transient failure (waits 30 min), 13 a US number's per-user limit (marketing: SMS).
  intent(P(11), 'b11', 1, row(P(11), 'Jo'), R2_AT),
  accepted(P(11), 'b11', 'wamid.11', undefined, R2_OUT),
  intent(P(12), 'b12', 1, { phone: P(12), name: 'Kai' }, R2_AT),
  accepted(P(12), 'b12', 'wamid.12', undefined, R2_OUT),
  intent('+12025550123', 'b13', 1, row('+12025550123', 'Lee'), R2_AT),
  accepted('+12025550123', 'b13', 'wamid.13', undefined, R2_OUT),
  // 14 and 15: one message id for two people (a provider that answered wrongly): their events are nobody's.
  intent(P(14), 'b14', 1, row(P(14), 'Mo'), R2_AT),
  accepted(P(14), 'b14', 'wamid.DUP', undefined, R2_OUT),
  intent(P(15), 'b15', 1, row(P(15), 'Ned'), R2_AT),
  accepted(P(15), 'b15', 'wamid.DUP', undefined, R2_OUT),
];

const EVENTS = [
  metaLine([{ id: 'wamid.1', status: 'read', ts: ts('2026-11-17T08:01:00Z') }]),
  metaLine([{ id: 'wamid.2', status: 'delivered', ts: ts('2026-11-17T08:01:00Z') }]),
  '',
  metaLine([{ id: 'wamid.9', status: 'failed', ts: ts('2026-11-17T08:02:00Z') }]),
  metaLine([{ id: 'wamid.10', status: 'failed', code: 132015, ts: ts('2026-11-17T08:05:00Z') }]),
  metaLine([{ id: 'wamid.11', status: 'failed', code: 131049, ts: ts('2026-11-17T09:30:00Z') }]),
  metaLine([{ id: 'wamid.12', status: 'failed', code: 131000, ts: ts('2026-11-17T09:20:00Z') }]),
  metaLine([{ id: 'wamid.13', status: 'failed', code: 131049, ts: ts('2026-11-17T09:30:00Z') }]),
  metaLine([{ id: 'wamid.DUP', status: 'read' }]),
  metaLine([{ id: 'wamid.elsewhere', status: 'read' }]),
  '{"type":"event"',
  '{"type":"intent","raw":"x"}',
];

async function reconciled(): Promise<{ result: ReconcileResult; out: string; dir: string }> {
  const dir = await fixture({ 'l.jsonl': jsonl(LEDGER), 'e.jsonl': EVENTS.join('\n') + '\n' });
  const out = path.join(dir, 'lists');
  const result = await reconcileCampaign({ ledgerFile: path.join(dir, 'l.jsonl'), eventFiles: [path.join(dir, 'e.jsonl')], outDir: out, now: NOW, optOutKeywords: ['STOP'] });
  return { result, out, dir };
}

describe('reconcileCampaign: every output, exactly', () => {
  it('summary.json: the funnel (shares of 15, one decimal), states, lists, sorted reasons and errors, the earliest due retry, duplicate ids', async () => {
    const { result, out } = await reconciled();
    const summary = {
      now: '2026-11-17T09:40:00.000Z',
      recipients: 15,
      funnel: {
        // Accepted: 01 02 03 14 15, and 09 to 13 (accepted, then failed in a callback).
        accepted: { count: 10, percent: 66.7 },
        delivered: { count: 2, percent: 13.3 },
        read: { count: 1, percent: 6.7 },
        // 05 06 08 (in the answer), 09 to 13 (in a callback); 09's failure has no code.
        failed: { count: 8, percent: 53.3, by_code: { '131000': 1, '131026': 1, '131047': 1, '131049': 2, '131050': 1, '132015': 1, unknown: 1 } },
      },
      deliveries_visible: true,
      states: { read: 1, delivered: 1, sent: 2, waiting_retry: 2, retry: 1, sms_fallback: 4, suppressed: 1, in_doubt: 1, failed: 2 },
      lists: { 'retry.csv': 3, 'sms-fallback.csv': 4, 'suppress.csv': 1, 'in-doubt.csv': 1, 'failed.csv': 2 },
      reasons: { in_doubt: 1, marketing_us: 1, not_on_whatsapp: 1, not_sent: 1, opted_out: 1, per_user_limit: 1, rejected: 1, retries_exhausted: 1, transient: 1, ttl_expired: 1, unknown_code: 1 },
      errors: { '131000': 1, '131026': 1, '131047': 1, '131049': 2, '131050': 1, '132015': 1, not_sent: 1 },
      // 12's (09:20 + 30 min), before 11's (09:30 + 24 h), though 11 comes first.
      next_retry_at: '2026-11-17T09:50:00.000Z',
      duplicate_message_ids: 1,
    };
    expect(result.summary).toEqual(summary);
    // The keys in this order (the file's bytes), two-space indented, one newline at the end.
    expect(Object.keys(result.summary.reasons)).toEqual(Object.keys(summary.reasons));
    expect(Object.keys(result.summary.errors)).toEqual(Object.keys(summary.errors));
    expect(Object.keys(result.summary.funnel.failed.by_code)).toEqual(Object.keys(summary.funnel.failed.by_code));
    expect(await readFile(path.join(out, 'summary.json'), 'utf8')).toBe(`${JSON.stringify(summary, null, 2)}\n`);
  });

  it('the result: event counts (a blank line is no line; unknown lines named with their line and why) and the files written', async () => {
    const { result, out } = await reconciled();
    expect(result.events).toEqual({ files: 1, lines: 11, matched: 7, unmatched: 1, ambiguous: 1, unknown: 2 });
    const file = result.unknown[0]!.file;
    expect(result.unknown).toEqual([
      { file, line: 11, why: 'not JSON' },
      { file, line: 12, why: 'not an event record written by `webhook`' },
    ]);
    expect(path.basename(file)).toBe('e.jsonl');
    expect(result.files).toEqual({
      retry: path.join(out, 'retry.csv'),
      sms_fallback: path.join(out, 'sms-fallback.csv'),
      suppress: path.join(out, 'suppress.csv'),
      in_doubt: path.join(out, 'in-doubt.csv'),
      failed: path.join(out, 'failed.csv'),
      summary: path.join(out, 'summary.json'),
    });
    expect((await readdir(out)).sort()).toEqual(['failed.csv', 'in-doubt.csv', 'retry.csv', 'sms-fallback.csv', 'summary.json', 'suppress.csv']);
  });

  it('each list, byte for byte: rows in ledger order, cells formula-escaped, opt-in "yes" when the row has none', async () => {
    const { out } = await reconciled();
    const list = (name: string) => readFile(path.join(out, name), 'utf8');
    expect(await list('retry.csv')).toBe(
      [
        'phone,opt_in,name,reason,error_code,attempts,due_at',
        // Not sent: due when the run stopped (its outcome's time).
        `${P(7)},yes,'=cmd|calc,not_sent,not_sent,1,2026-11-17T08:00:01.100Z`,
        `${P(11)},yes,Jo,per_user_limit,131049,1,2026-11-18T09:30:00.000Z`,
        `${P(12)},yes,Kai,transient,131000,1,2026-11-17T09:50:00.000Z`,
        '',
      ].join('\n'),
    );
    expect(await list('sms-fallback.csv')).toBe(
      ['phone,name,reason,error_code,attempts', `${P(3)},Cy,ttl_expired,,1`, `${P(5)},Ed,not_on_whatsapp,131026,1`, `${P(10)},Ida,retries_exhausted,132015,1`, '+12025550123,Lee,marketing_us,131049,1', ''].join('\n'),
    );
    expect(await list('suppress.csv')).toBe(['phone,reason,error_code', `${P(6)},opted_out,131050`, ''].join('\n'));
    expect(await list('in-doubt.csv')).toBe(['phone,correlation_id,attempted_at,error_code,attempts', `${P(4)},a4,2026-11-17T08:00:01.000Z,,1`, ''].join('\n'));
    expect(await list('failed.csv')).toBe(
      ['phone,name,reason,error_code,error_title,attempts', `${P(8)},Gus,rejected,131047,t,1`, `${P(9)},Hal,unknown_code,,a failure without an error code,1`, ''].join('\n'),
    );
    for (const name of await readdir(out)) expect((await stat(path.join(out, name))).mode & 0o777, name).toBe(0o600);
    expect((await stat(out)).mode & 0o777).toBe(0o700);
  });
});
