import { describe, expect, it } from 'vitest';
import { emptyStats } from '../../src/campaign/campaign-stats.js';
import type { Job } from '../../src/campaign/job-source.js';
import type { Pacer, Sending } from '../../src/campaign/pacer.js';
import { sendAttempt, type AttemptDeps } from '../../src/campaign/send-attempt.js';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import type { LedgerWriter } from '../../src/ledger/open-ledger-writer.js';
import type { TransportResult } from '../../src/providers/http-transport.js';
import type { HttpRequest, Provider } from '../../src/providers/provider.js';
import type { Audience } from '../../src/recipients/open-audience.js';
import { ManualClock } from '../manual-clock.js';

// sendAttempt on its own, with a pacer that admits at once and a ledger kept in memory. The
// campaign tests (run-campaign.test.ts) never reach the check made after the pacer's admission: in
// them a stop or a failed ledger has always aborted the signal before `admit` returns, and `admit`
// then answers undefined. Here the stop comes, or the ledger fails, while the attempt is admitted.

const job = (over: Partial<Job> = {}): Job => ({
  recipient: { line: 7, phone: '+447400123456', rawPhone: '07400 123456', country: 'GB', fields: ['+447400123456', 'yes', 'Ana'] },
  attempt: 1,
  row: { phone: '+447400123456', opt_in: 'yes', name: 'Ana' },
  history: { transientRetries: 0, pairRateRetries: 0 },
  ...over,
});

function setup(answer: TransportResult, onAdmit: (ledger: { failed: boolean }, stop: AbortController) => void = () => {}) {
  const clock = new ManualClock();
  const records: LedgerRecord[] = [];
  const ledger = { failed: false, append: async (record: LedgerRecord) => void records.push(record) };
  const requests: HttpRequest[] = [];
  const done: string[] = [];
  const stop = new AbortController();
  const sending: Sending = { at: 5_000, written: () => {}, answered: () => {}, done: () => void done.push('done') };
  const pacer = {
    admit: async () => {
      onAdmit(ledger, stop);
      return sending;
    },
  } as unknown as Pacer;
  const provider = {
    buildRequest: (message: { phone: string; template: unknown; correlationId: string }) => ({ method: 'POST', url: 'http://provider.invalid/send', headers: {}, body: JSON.stringify(message) }),
    parseResponse: (response: { body: string }) => ({ kind: 'accepted', messageId: response.body, waId: undefined, status: undefined }),
  } as unknown as Provider;
  const audience = { template: { render: (fields: string[]) => `hello ${fields[2]}`, renderTwilioVariables: () => undefined } } as unknown as Audience;
  const stats = emptyStats();
  const deps: AttemptDeps = {
    runId: 'r9',
    audience,
    provider,
    transport: async (request) => {
      requests.push(request);
      return answer;
    },
    ledger: ledger as unknown as LedgerWriter,
    clock,
    stats,
    redact: (text) => text.replaceAll('SECRET', '***'),
  };
  return { deps, pacer, stop, records, requests, done, stats };
}

const ACCEPTED: TransportResult = { ok: true, response: { status: 200, headers: {}, body: 'wamid.SECRET' } };
const INTENT = { type: 'intent', at: '2026-11-24T00:00:00.000Z', cid: 'r9-7-1', phone: '+447400123456', line: 7, attempt: 1, row: { phone: '+447400123456', opt_in: 'yes', name: 'Ana' } };

describe('sendAttempt', () => {
  it('writes the intent (with the row on a first attempt), sends, counts the request, and hands back the redacted answer', async () => {
    const s = setup(ACCEPTED);
    expect(await sendAttempt(job(), s.deps, s.pacer, s.stop.signal)).toEqual({ kind: 'answered', cid: 'r9-7-1', requestAt: 5_000, outcome: { kind: 'accepted', messageId: 'wamid.***', waId: undefined, status: undefined } });
    expect(s.records).toStrictEqual([INTENT]);
    expect(s.requests.map((r) => JSON.parse(r.body))).toEqual([{ phone: '+447400123456', template: 'hello Ana', correlationId: 'r9-7-1' }]);
    expect(s.done).toEqual(['done']);
    expect([s.stats.requests, s.stats.firstRequestAt, s.stats.lastRequestAt]).toEqual([1, 5_000, 5_000]);
  });

  it('a later attempt: its own cid, no row in the intent', async () => {
    const s = setup(ACCEPTED);
    const result = await sendAttempt(job({ attempt: 3, row: undefined }), s.deps, s.pacer, s.stop.signal);
    expect(result).toMatchObject({ kind: 'answered', cid: 'r9-7-3' });
    // No row key at all (strict: not even one set to undefined).
    expect(s.records).toStrictEqual([{ type: 'intent', at: '2026-11-24T00:00:00.000Z', cid: 'r9-7-3', phone: '+447400123456', line: 7, attempt: 3 }]);
  });

  it('a transport failure before the request reached the provider is transient; after it, in doubt', async () => {
    const before = setup({ ok: false, written: false, code: 'ECONNREFUSED', message: 'refused' });
    expect(await sendAttempt(job(), before.deps, before.pacer, before.stop.signal)).toEqual({ kind: 'answered', cid: 'r9-7-1', requestAt: 5_000, outcome: { kind: 'transient', code: 'ECONNREFUSED', title: 'refused' } });
    const after = setup({ ok: false, written: true, code: 'ECONNRESET', message: 'reset SECRET' });
    expect(await sendAttempt(job(), after.deps, after.pacer, after.stop.signal)).toEqual({ kind: 'answered', cid: 'r9-7-1', requestAt: 5_000, outcome: { kind: 'in_doubt', code: 'ECONNRESET', title: 'reset ***' } });
  });

  it('the campaign stopped while the attempt was being admitted: no request, the admission given back, not_sent', async () => {
    const s = setup(ACCEPTED, (_ledger, stop) => stop.abort());
    expect(await sendAttempt(job(), s.deps, s.pacer, s.stop.signal)).toEqual({ kind: 'not_sent', cid: 'r9-7-1' });
    expect(s.requests).toEqual([]);
    expect(s.done).toEqual(['done']);
    expect(s.stats.requests).toBe(0);
    expect(s.records).toStrictEqual([INTENT]); // the intent is on disk: the caller records not_sent for it
  });

  it('the ledger failed while the attempt was being admitted (its answer could not be recorded): no request, not_sent', async () => {
    const s = setup(ACCEPTED, (ledger) => (ledger.failed = true));
    expect(await sendAttempt(job(), s.deps, s.pacer, s.stop.signal)).toEqual({ kind: 'not_sent', cid: 'r9-7-1' });
    expect(s.requests).toEqual([]);
    expect(s.done).toEqual(['done']);
    expect(s.stats.requests).toBe(0);
  });

  it('the pacer admits nothing (stopped while waiting): not_sent, no request', async () => {
    const s = setup(ACCEPTED);
    const pacer = { admit: async () => undefined } as unknown as Pacer;
    expect(await sendAttempt(job(), s.deps, pacer, s.stop.signal)).toEqual({ kind: 'not_sent', cid: 'r9-7-1' });
    expect(s.requests).toEqual([]);
    expect(s.done).toEqual([]);
  });
});
