import { getEventListeners } from 'node:events';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/campaign/pacer.js';
import { throttleNote } from '../../src/commands/progress.js';
import { MAX_THROTTLE_WAIT_MS, THROTTLE_STOP_MS } from '../../src/campaign/retry-policy.js';
import type { CampaignStats } from '../../src/campaign/campaign-stats.js';
import type { DailyAllowance } from '../../src/campaign/daily-allowance.js';
import { lockLostStop } from '../../src/campaign/campaign-end.js';
import { runCampaign } from '../../src/campaign/run-campaign.js';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { openRegularFile } from '../../src/fs/open-regular-file.js';
import { writableFile } from '../../src/fs/writable-file.js';
import { openLedgerWriter, type LedgerFile, type LedgerWriter } from '../../src/ledger/open-ledger-writer.js';
import { planResume } from '../../src/ledger/plan-resume.js';
import { readLedger } from '../../src/ledger/read-ledger.js';
import { openAudience } from '../../src/recipients/open-audience.js';
import { cloudProvider as cloudApiProvider } from '../../src/providers/cloud/index.js';
import type { TransportResult } from '../../src/providers/http-transport.js';
import type { HttpRequest } from '../../src/providers/provider.js';
import { collect, fixture } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';

const phones = (n: number) => Array.from({ length: n }, (_, i) => `+4474001${String(i).padStart(5, '0')}`);

type Answer = TransportResult | ((request: HttpRequest) => TransportResult);
const ok = (id = 'wamid.X'): TransportResult => ({ ok: true, response: { status: 200, headers: {}, body: JSON.stringify({ messages: [{ id }], contacts: [{ wa_id: '1' }] }) } });
const metaError = (code: number, status = 400, headers: Record<string, string> = {}): TransportResult => ({ ok: true, response: { status, headers, body: JSON.stringify({ error: { code, message: `(#${code})` } }) } });

interface Setup {
  recipients?: number;
  /** Answers per phone, in order; the last one repeats. Default: accepted. */
  answers?: Record<string, Answer[]>;
  latencyMs?: number;
  concurrency?: number;
  maxConsecutiveFailures?: number;
  mps?: number;
  ledger?: LedgerRecord[];
  openFile?: () => Promise<LedgerFile>;
  /** Wraps the real ledger file (a failing disk whose records can still be read back). */
  wrapFile?: (file: LedgerFile, clock: ManualClock) => LedgerFile;
  /** The ledger writer's deferred flush (100 ms) on the manual clock, not the system's. */
  ledgerClock?: boolean;
  /** `--daily-limit`'s allowance. */
  allowance?: DailyAllowance;
  /** Interrupts at this clock time. */
  interruptAt?: number;
  /** Called with the interrupt controller before the campaign starts. */
  onStart?: (interrupt: AbortController) => void;
  /** Runs before the pacer admits the n-th attempt (1-based), with the ledger. */
  beforeAdmit?: (n: number, ledger: LedgerWriter) => Promise<void>;
  abortAfterRequests?: number;
  /** Interrupts just before the pacer admits the n-th attempt (1-based): its intent is on disk, its request not made. */
  abortBeforeAdmit?: number;
  onProgress?: (stats: CampaignStats) => void;
  lockLost?: AbortSignal;
  /** Called with the number of requests made so far, as each is made. */
  onRequest?: (n: number) => void;
  /** Called with the pacer's grid slots taken so far when the transport answers its first request. */
  onFirstAnswer?: (acquired: number) => void;
}

/** `file` with each of its operations held by `clock` (time does not jump while it is under way). */
function heldFile(clock: ManualClock, file: LedgerFile): LedgerFile {
  return {
    write: (data) => clock.hold(file.write(data)),
    sync: () => clock.hold(file.sync()),
    truncate: (size) => clock.hold(file.truncate(size)),
    size: () => clock.hold(file.size()),
    close: () => clock.hold(file.close()),
  };
}

async function campaign(setup: Setup = {}) {
  const list = phones(setup.recipients ?? 10);
  const csv = `phone,opt_in,name\n${list.map((p, i) => `${p},yes,N${i}`).join('\n')}\n`;
  const ledgerText = (setup.ledger ?? []).map((r) => `${JSON.stringify(r)}\n`).join('');
  const dir = await fixture({ 'c.csv': csv, 's.yaml': SPEC, 'l.jsonl': ledgerText });
  const ledgerFile = path.join(dir, 'l.jsonl');
  // Ledger writes and the CSV's reads are real: time jumps only once they are done.
  const clock = new ManualClock('files');
  const audience = await openAudience({ csvFile: path.join(dir, 'c.csv'), templateFile: path.join(dir, 's.yaml') });
  const plan = await planResume(readLedger(ledgerFile));
  const wrapFile = setup.wrapFile;
  const realFile = async (file: string) => {
    const opened = writableFile(await openRegularFile(file, 'append', { mode: 0o600 }));
    return wrapFile ? wrapFile(opened, clock) : opened;
  };
  // The clock stands still while a write or an fsync is under way (real I/O: see ManualClock.hold).
  const ledger = await openLedgerWriter(ledgerFile, {
    ...(setup.ledgerClock ? { clock } : {}),
    openFile: async (file) => heldFile(clock, await (setup.openFile ? setup.openFile() : realFile(file))),
  });
  const requests: { at: number; phone: string }[] = [];
  const seen = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const interrupt = new AbortController();
  if (setup.abortAfterRequests === 0) interrupt.abort();
  if (setup.interruptAt !== undefined) void clock.sleep(setup.interruptAt).then(() => interrupt.abort());
  setup.onStart?.(interrupt);
  let acquired = 0;
  const pacer = new Pacer(setup.mps ?? 80, clock);
  const acquire = pacer.acquire.bind(pacer);
  pacer.acquire = async (signal) => {
    acquired++;
    return acquire(signal);
  };
  let admitted = 0;
  const admit = pacer.admit.bind(pacer);
  pacer.admit = async (signal) => {
    const n = ++admitted; // (not in the call below: `?.` skips its arguments when there is no hook)
    await setup.beforeAdmit?.(n, ledger);
    if (n === setup.abortBeforeAdmit) interrupt.abort();
    return admit(signal);
  };
  const transport = async (request: HttpRequest): Promise<TransportResult> => {
    const phone = JSON.parse(request.body).to as string;
    requests.push({ at: clock.now(), phone });
    setup.onRequest?.(requests.length);
    if (setup.abortAfterRequests !== undefined && requests.length >= setup.abortAfterRequests) interrupt.abort();
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await clock.sleep(setup.latencyMs ?? 100);
    inFlight--;
    if (seen.size === 0) setup.onFirstAnswer?.(acquired);
    const n = seen.get(phone) ?? 0;
    seen.set(phone, n + 1);
    const script = setup.answers?.[phone] ?? [ok(`wamid.${phone}`)];
    const answer = script[Math.min(n, script.length - 1)]!;
    return typeof answer === 'function' ? answer(request) : answer;
  };
  const result = await clock.run(
    runCampaign({
      runId: 'r1',
      audience,
      plan,
      provider: cloudApiProvider({ baseUrl: 'http://127.0.0.1:9', version: 'v23.0', phoneNumberId: '1', token: 't' }),
      transport,
      ledger,
      clock,
      pacers: { mps: pacer.mps, for: () => pacer },
      sender: 'phone-number id 1',
      concurrency: setup.concurrency ?? 8,
      maxConsecutiveFailures: setup.maxConsecutiveFailures ?? 25,
      signal: interrupt.signal,
      lockLost: setup.lockLost,
      allowance: setup.allowance,
      onProgress: setup.onProgress,
      redact: (text) => text,
    }),
  );
  await ledger.close();
  audience.close();
  const records = setup.openFile ? [] : (await collect(readLedger(ledgerFile))).map((l) => l.record);
  return { ...result, requests, records, maxInFlight, list, clock, pacer, signal: interrupt.signal, ledger };
}

describe('runCampaign', () => {
  it('sends each recipient once, writing the intent before the request and the outcome after', async () => {
    const { stats, end, requests, records, list } = await campaign({ recipients: 20 });
    expect(end).toEqual({ reason: 'done' });
    expect(stats).toMatchObject({ accepted: 20, failed: 0, in_doubt: 0, requests: 20 });
    expect(requests.map((r) => r.phone).sort()).toEqual([...list].sort());
    for (const phone of list) {
      const mine = records.filter((r) => r.type !== 'run' && r.phone === phone);
      expect(mine.map((r) => r.type)).toEqual(['intent', 'outcome']);
      expect(mine[0]).toMatchObject({ attempt: 1, row: { phone, opt_in: 'yes' } });
      expect(mine[1]).toMatchObject({ outcome: 'accepted', message_id: `wamid.${phone}` });
    }
  });

  it('counts a message held for quality assessment as accepted and held', async () => {
    const [first] = phones(1);
    const held: TransportResult = { ok: true, response: { status: 200, headers: {}, body: JSON.stringify({ messages: [{ id: 'wamid.H', message_status: 'held_for_quality_assessment' }] }) } };
    const { stats, records } = await campaign({ recipients: 2, answers: { [first!]: [held] } });
    expect(stats).toMatchObject({ accepted: 2, held: 1 });
    expect(records.find((r) => r.type === 'outcome' && r.phone === first)).toMatchObject({ outcome: 'accepted', status: 'held_for_quality_assessment' });
  });

  it('keeps the in-flight cap', async () => {
    const { maxInFlight } = await campaign({ recipients: 100, latencyMs: 2000, concurrency: 5, mps: 1000 });
    expect(maxInFlight).toBe(5);
  });

  it('takes the next job only when there is room under the cap: none waits queued with a pacer slot spent', async () => {
    let acquiredBeforeFirstAnswer: number | undefined;
    const { stats } = await campaign({ recipients: 100, latencyMs: 2000, concurrency: 5, mps: 1000, onFirstAnswer: (n) => (acquiredBeforeFirstAnswer ??= n) });
    expect(stats.accepted).toBe(100);
    // Five in flight for 2 s at 1,000/s: without the check the dispatcher would have taken all 100.
    expect(acquiredBeforeFirstAnswer).toBe(5);
  });

  it('retries a throttled recipient after Retry-After, and slows down', async () => {
    const [first] = phones(1);
    const { stats, requests, records } = await campaign({ recipients: 3, answers: { [first!]: [metaError(130429, 400, { 'retry-after': '10' }), ok()] } });
    expect(stats).toMatchObject({ accepted: 3, failed: 0, retries: 1, errors: { 130429: 1 } });
    const mine = requests.filter((r) => r.phone === first);
    expect(mine).toHaveLength(2);
    expect(mine[1]!.at - mine[0]!.at).toBeGreaterThanOrEqual(10_000);
    expect(records.filter((r) => r.type === 'outcome' && r.phone === first).map((r) => (r as { outcome: string }).outcome)).toEqual(['retry', 'accepted']);
  });

  it('measures a Retry-After date from the campaign clock’s time, not the machine’s', async () => {
    const [first] = phones(1);
    // 30 s after the manual clock's start (its date() is 2026-11-24T00:00:00Z + now()); on the
    // machine's time this date is long past, which would mean no wait beyond the 6 s pair gap.
    const retryAt = new Date(Date.UTC(2026, 10, 24) + 30_000).toUTCString();
    const { stats, requests } = await campaign({ recipients: 1, answers: { [first!]: [metaError(130429, 429, { 'retry-after': retryAt }), ok()] } });
    expect(stats).toMatchObject({ accepted: 1, retries: 1 });
    expect(requests).toHaveLength(2);
    // The first request at the clock's start, the retry at the date it was told.
    expect(requests.map((r) => r.at)).toEqual([0, 30_000]);
  });

  it('retries transient errors with growing delays, then records the failure with its code', async () => {
    const [first] = phones(1);
    const { stats, requests } = await campaign({ recipients: 1, answers: { [first!]: [metaError(131000, 500)] } });
    expect(stats).toMatchObject({ accepted: 0, failed: 1, retries: 3, errors: { 131000: 4 } });
    const gaps = requests.slice(1).map((r, i) => r.at - requests[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(6000);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
  });

  it('retries a request that never reached the provider (connection refused)', async () => {
    const [first] = phones(1);
    const refused: TransportResult = { ok: false, written: false, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' };
    const { stats } = await campaign({ recipients: 1, answers: { [first!]: [refused, ok()] } });
    expect(stats).toMatchObject({ accepted: 1, retries: 1 });
  });

  it('records a send whose answer was lost as in doubt and never re-sends it', async () => {
    const [first] = phones(1);
    const lost: TransportResult = { ok: false, written: true, code: 'ECONNRESET', message: 'socket hang up' };
    const { stats, requests, records } = await campaign({ recipients: 2, answers: { [first!]: [lost] } });
    expect(stats).toMatchObject({ accepted: 1, in_doubt: 1, retries: 0 });
    expect(requests.filter((r) => r.phone === first)).toHaveLength(1);
    expect(records.find((r) => r.type === 'outcome' && r.phone === first)).toMatchObject({ outcome: 'in_doubt', code: 'ECONNRESET' });
  });

  it('stops the campaign after a handful of requests on an answer that would fail everyone (bad token)', async () => {
    const answers = Object.fromEntries(phones(200).map((p) => [p, [metaError(190, 401)]]));
    const { stats, end, requests, records } = await campaign({ recipients: 200, answers, concurrency: 4 });
    expect(end).toMatchObject({ reason: 'stopped', code: '190', fix: expect.stringContaining('WA_TOKEN') });
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(requests.length).toBeLessThanOrEqual(5);
    expect(stats.failed).toBe(requests.length);
    // Not the recipients' fault: once the token is fixed, resuming sends to them again. (Attempts
    // whose intent was written when the campaign stopped are `retry` too, as never sent.)
    const outcomes = records.filter((r) => r.type === 'outcome');
    expect(outcomes.filter((r) => r.type === 'outcome' && r.code === '190')).toHaveLength(requests.length);
    for (const record of outcomes) {
      expect(record).toMatchObject({ outcome: 'retry' });
      expect(['190', 'not_sent']).toContain((record as { code?: string }).code);
    }
  });

  it('stops after the configured run of consecutive failures', async () => {
    const answers = Object.fromEntries(phones(100).map((p) => [p, [metaError(100)]]));
    const { end, requests } = await campaign({ recipients: 100, answers, concurrency: 1, maxConsecutiveFailures: 7 });
    expect(end).toMatchObject({ reason: 'stopped', title: expect.stringContaining('7 sends in a row failed') });
    expect(requests).toHaveLength(7);
  });

  it('does not stop for rejected rows scattered among acceptances, however many there are in all', async () => {
    // Every other recipient refused (100): 50 failures in all, never two in a row; the limit is 25 in a row.
    const answers = Object.fromEntries(phones(100).filter((_, i) => i % 2 === 0).map((p) => [p, [metaError(100)]]));
    const { end, stats, requests } = await campaign({ recipients: 100, answers, concurrency: 1 });
    expect(end).toEqual({ reason: 'done' });
    expect(stats).toMatchObject({ accepted: 50, failed: 50 });
    expect(requests).toHaveLength(100);
  });

  it('retries in order of due time, not of queueing: a 6 s retry queued after a 60 s one goes first', async () => {
    const [a, b] = phones(2);
    const maintenance = metaError(131057, 500); // retried after 60 s
    const busy = metaError(131000, 500); // retried after 6 s
    const { stats, requests } = await campaign({ recipients: 2, concurrency: 1, answers: { [a!]: [maintenance, ok('wamid.a')], [b!]: [busy, ok('wamid.b')] } });
    expect(stats).toMatchObject({ accepted: 2, retries: 2 });
    expect(requests.map((r) => r.phone)).toEqual([a, b, b, a]);
    expect(requests[3]!.at - requests[0]!.at).toBeGreaterThanOrEqual(60_000);
  });

  it('on interrupt makes no new requests, lets those in flight finish, and records them', async () => {
    const { end, stats, requests, records } = await campaign({ recipients: 100, abortBeforeAdmit: 11, concurrency: 4, latencyMs: 500 });
    expect(end).toEqual({ reason: 'interrupted' });
    expect(requests).toHaveLength(10);
    expect(stats.accepted).toBe(10);
    const outcomes = records.filter((r) => r.type === 'outcome') as { outcome: string; code?: string }[];
    expect(outcomes.filter((r) => r.outcome === 'accepted')).toHaveLength(10);
    // The intents written when the interrupt came (the 11th attempt's, waiting to be admitted, among them) are closed as not sent, so none is left in doubt.
    const notSent = outcomes.filter((r) => r.outcome !== 'accepted');
    expect(notSent.length).toBeGreaterThanOrEqual(1);
    expect(notSent).toEqual(notSent.map(() => expect.objectContaining({ outcome: 'retry', code: 'not_sent' })));
    expect(records.filter((r) => r.type === 'intent')).toHaveLength(outcomes.length);
  });

  it('sends nothing when interrupted before it starts', async () => {
    const { end, requests } = await campaign({ recipients: 5, abortAfterRequests: 0 });
    expect(end).toEqual({ reason: 'interrupted' });
    expect(requests).toHaveLength(0);
  });

  it('stops sending the moment the ledger cannot be written', async () => {
    let syncs = 0;
    const openFile = async (): Promise<LedgerFile> => ({
      write: async (data) => data.length,
      sync: async () => {
        if (++syncs > 5) throw new Error('ENOSPC: no space left on device');
      },
      truncate: async () => undefined,
      size: async () => 0,
      close: async () => undefined,
    });
    const { end, requests } = await campaign({ recipients: 50, openFile, concurrency: 1 });
    expect(end).toMatchObject({ reason: 'stopped', code: 'ledger', title: expect.stringContaining('ENOSPC') });
    // Each request needs its intent synced first: no request follows the failed sync.
    // Five syncs succeed, one for each intent (each outcome rides along with the next intent's).
    expect(requests).toHaveLength(5);
  });

  it('when the ledger fails, attempts whose intent is on disk but whose request has not left are not sent, and handed back to be recorded so', async () => {
    let failSyncs = false;
    const wrapFile = (file: LedgerFile): LedgerFile => ({
      ...file,
      sync: async () => {
        if (failSyncs) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        return file.sync();
      },
    });
    // The 3rd and 4th attempts wait for admission, their intents on disk, until the ledger has failed.
    const beforeAdmit = async (n: number, ledger: LedgerWriter) => {
      if (n < 3) return;
      if (n === 4) failSyncs = true;
      while (!ledger.failed) await new Promise((resolve) => setImmediate(resolve));
    };
    const { end, requests, records, unrecorded, list } = await campaign({ recipients: 10, concurrency: 4, wrapFile, beforeAdmit });
    expect(end).toMatchObject({ reason: 'stopped', code: 'ledger', title: expect.stringContaining('EIO') });
    expect(requests.map((r) => r.phone)).toEqual([list[0], list[1]]);
    // On disk: the four intents (the fifth failed with the sync), no outcome.
    expect(records.filter((r) => r.type === 'intent').map((r) => r.phone)).toEqual(list.slice(0, 4));
    expect(records.filter((r) => r.type === 'outcome')).toEqual([]);
    const notSent = unrecorded.filter((u) => u.kind === 'not_sent');
    expect(notSent.map((u) => u.record.phone).sort()).toEqual([list[2], list[3]]);
    for (const u of notSent) expect(u.record).toMatchObject({ type: 'outcome', outcome: 'retry', code: 'not_sent' });
    // Not held for quality assessment: nothing was sent.
    expect(notSent.map((u) => u.held)).toEqual([false, false]);
    expect(unrecorded.filter((u) => u.kind === 'accepted').map((u) => u.record.phone).sort()).toEqual([list[0], list[1]]);
  });

  it('stops after a run of sends left in doubt (a proxy resetting every connection after the request)', async () => {
    const lost: TransportResult = { ok: false, written: true, code: 'ECONNRESET', message: 'socket hang up' };
    const answers = Object.fromEntries(phones(100).map((p) => [p, [lost]]));
    const { end, requests, stats } = await campaign({ recipients: 100, answers, concurrency: 1, maxConsecutiveFailures: 5 });
    expect(end).toMatchObject({ reason: 'stopped', code: 'ECONNRESET', title: expect.stringContaining('5 sends in a row got no answer') });
    expect(requests).toHaveLength(5);
    expect(stats).toMatchObject({ in_doubt: 5, accepted: 0 });
  });

  it('an acceptance between lost answers ends the run: no stop', async () => {
    const lost: TransportResult = { ok: false, written: true, code: 'ETIMEDOUT', message: 'timeout' };
    const answers = Object.fromEntries(phones(40).filter((_, i) => i % 4 !== 3).map((p) => [p, [lost]]));
    const { end, stats } = await campaign({ recipients: 40, answers, concurrency: 1, maxConsecutiveFailures: 4 });
    expect(end).toEqual({ reason: 'done' });
    expect(stats).toMatchObject({ in_doubt: 30, accepted: 10 });
  });

  it('stops when the ledger lock is lost: no new requests, those in flight recorded', async () => {
    const lockLost = new AbortController();
    const { end, requests, records } = await campaign({ recipients: 50, concurrency: 4, latencyMs: 500, lockLost: lockLost.signal, beforeAdmit: async (n) => void (n === 7 && lockLost.abort('the lock l.jsonl.lock was removed')) });
    expect(end).toMatchObject({ reason: 'stopped', code: 'ledger', title: 'the lock l.jsonl.lock was removed: another send may be writing this ledger' });
    // Lost as the 7th attempt waited to be admitted (its intent on disk): at most the six before it went.
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(requests.length).toBeLessThanOrEqual(6);
    const outcomes = records.filter((r) => r.type === 'outcome') as { phone: string; outcome: string; code?: string }[];
    // Every request made has its outcome; every other intent is closed as not sent.
    for (const { phone } of requests) expect(outcomes.find((o) => o.phone === phone)).toMatchObject({ outcome: 'accepted' });
    expect(records.filter((r) => r.type === 'intent')).toHaveLength(outcomes.length);
    const notSent = outcomes.filter((o) => !requests.some((r) => r.phone === o.phone));
    expect(notSent.length).toBeGreaterThanOrEqual(1);
    expect(notSent).toEqual(notSent.map(() => expect.objectContaining({ outcome: 'retry', code: 'not_sent' })));
  });

  it('on resume keeps 6 s between the last attempt of an earlier run and the next request to that number', async () => {
    const [a, b] = phones(2);
    // The manual clock's date() starts at 2026-11-24T00:00:00Z: the earlier attempt ended 2 s before.
    const at = '2026-11-23T23:59:58.000Z';
    const ledger: LedgerRecord[] = [
      { type: 'intent', at, cid: 'x-1', phone: a!, line: 2, attempt: 1 },
      { type: 'outcome', at, cid: 'x-1', phone: a!, outcome: 'retry', code: '130429' },
    ];
    const { stats, requests } = await campaign({ recipients: 2, ledger });
    expect(stats.accepted).toBe(2);
    // b goes first; a waits until 6 s after its earlier attempt ended (4 s into this run).
    expect(requests.map((r) => r.phone)).toEqual([b, a]);
    expect(requests.find((r) => r.phone === a)!.at).toBeGreaterThanOrEqual(4000);
  });

  it('on resume sends at once to a number whose last request the earlier run never made (not_sent), keeping the gap of the one before', async () => {
    const [a, b, c] = phones(3);
    // The earlier run stopped 1 s before this one: a's and c's requests were never made (not_sent);
    // c's attempt before that was throttled 2 s before this run.
    const ledger: LedgerRecord[] = [
      { type: 'intent', at: '2026-11-23T23:59:58.000Z', cid: 'x-1', phone: c!, line: 4, attempt: 1 },
      { type: 'outcome', at: '2026-11-23T23:59:58.000Z', cid: 'x-1', phone: c!, outcome: 'retry', code: '130429' },
      { type: 'intent', at: '2026-11-23T23:59:59.000Z', cid: 'x-2', phone: a!, line: 2, attempt: 1 },
      { type: 'outcome', at: '2026-11-23T23:59:59.000Z', cid: 'x-2', phone: a!, outcome: 'retry', code: 'not_sent' },
      { type: 'intent', at: '2026-11-23T23:59:59.000Z', cid: 'x-3', phone: c!, line: 4, attempt: 2 },
      { type: 'outcome', at: '2026-11-23T23:59:59.000Z', cid: 'x-3', phone: c!, outcome: 'retry', code: 'not_sent' },
    ];
    const { stats, requests } = await campaign({ recipients: 3, ledger });
    expect(stats.accepted).toBe(3);
    // a and b at once, in CSV order; c 6 s after its throttled attempt (4 s into this run), not 6 s after the not_sent.
    expect(requests.map((r) => r.phone)).toEqual([a, b, c]);
    expect(requests.find((r) => r.phone === a)!.at).toBeLessThan(100);
    expect(requests.find((r) => r.phone === c)!.at).toBeGreaterThanOrEqual(4000);
    expect(requests.find((r) => r.phone === c)!.at).toBeLessThan(5000);
  });

  it('on resume skips recipients already done or in doubt, and retries those marked retry', async () => {
    const [a, b, c, d] = phones(4);
    const at = '2026-11-24T10:00:00.000Z';
    const ledger: LedgerRecord[] = [
      { type: 'intent', at, cid: 'x-1', phone: a!, line: 2, attempt: 1 },
      { type: 'outcome', at, cid: 'x-1', phone: a!, outcome: 'accepted', message_id: 'wamid.a' },
      { type: 'intent', at, cid: 'x-2', phone: b!, line: 3, attempt: 1 },
      { type: 'intent', at, cid: 'x-3', phone: c!, line: 4, attempt: 1 },
      { type: 'outcome', at, cid: 'x-3', phone: c!, outcome: 'retry', code: '130429' },
    ];
    const { stats, requests, records } = await campaign({ recipients: 4, ledger });
    expect(stats).toMatchObject({ skipped: 1, skipped_in_doubt: 1, accepted: 2 });
    expect(requests.map((r) => r.phone).sort()).toEqual([c, d].sort());
    // c's second attempt carries attempt 2 and no second copy of the row.
    expect(records.find((r) => r.type === 'intent' && r.phone === c && r.attempt === 2)).not.toHaveProperty('row');
  });

  it('waits at most a minute when the provider asks for 99999 s, says so in the progress, and sends after', async () => {
    const [first] = phones(1);
    const notes: (string | undefined)[] = [];
    const { stats, end, requests } = await campaign({
      recipients: 3,
      answers: { [first!]: [metaError(130429, 400, { 'retry-after': '99999' }), ok()] },
      onProgress: (s) => notes.push(throttleNote(s)),
    });
    expect(end).toEqual({ reason: 'done' });
    expect(stats).toMatchObject({ accepted: 3, failed: 0, retries: 1, throttle: undefined });
    const mine = requests.filter((r) => r.phone === first);
    expect(mine).toHaveLength(2);
    expect(mine[1]!.at - mine[0]!.at).toBeGreaterThanOrEqual(MAX_THROTTLE_WAIT_MS);
    expect(mine[1]!.at - mine[0]!.at).toBeLessThan(MAX_THROTTLE_WAIT_MS + 2000);
    expect(notes).toContain('throttled: the provider asked to wait 27h46m; waiting 1m00s (the longest wait), then trying again');
  });

  it.each([
    ['HTTP 429 with no Retry-After', { ok: true, response: { status: 429, headers: {}, body: '' } } as TransportResult, 'http_429'],
    ['130429 with Retry-After: 99999', metaError(130429, 400, { 'retry-after': '99999' }), '130429'],
  ])('stops (not a silent end, not a stall) when the provider keeps throttling for 5 minutes: %s', async (_name, answer, code) => {
    const list = phones(2);
    const { stats, end, requests, records } = await campaign({ recipients: 2, answers: Object.fromEntries(list.map((p) => [p, [answer]])) });
    expect(end).toMatchObject({
      reason: 'stopped',
      code,
      title: expect.stringMatching(/^the provider kept throttling for 5 min without accepting a message \(the last answer: /),
      fix: expect.stringContaining('resuming sends them'),
    });
    expect(stats).toMatchObject({ accepted: 0, failed: 0, in_doubt: 0 });
    // Stopped once five minutes of throttling had passed, not before and not much after.
    const last = Math.max(...requests.map((r) => r.at));
    expect(last).toBeGreaterThanOrEqual(THROTTLE_STOP_MS - 1000);
    expect(last).toBeLessThan(THROTTLE_STOP_MS + 2 * MAX_THROTTLE_WAIT_MS);
    // Every recipient's last word in the ledger is `retry`: resuming sends them all.
    for (const phone of list) {
      const mine = records.filter((r) => r.type === 'outcome' && r.phone === phone) as { outcome: string }[];
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.at(-1)!.outcome).toBe('retry');
    }
  });

  it('does not stop while acceptances keep coming between throttled spells', async () => {
    const [a, b] = phones(2);
    const throttled = metaError(130429, 400, { 'retry-after': '60' });
    // Both are throttled every minute. a is accepted after three minutes; b after eight, which
    // without a's acceptance in between would be one spell over five minutes. (b's attempt at three
    // minutes may settle just before or just after a's acceptance: either way both spells are shorter.)
    const { stats, end } = await campaign({
      recipients: 2,
      answers: { [a!]: [...Array(3).fill(throttled), ok('wamid.A')], [b!]: [...Array(8).fill(throttled), ok('wamid.B')] },
    });
    expect(end).toEqual({ reason: 'done' });
    expect(stats).toMatchObject({ accepted: 2, failed: 0 });
  });
});

describe('runCampaign: one message id for two recipients', () => {
  it('records the second recipient given an id already returned for another as in doubt, never accepted', async () => {
    const [a, b, c] = phones(3);
    const { stats, end, records } = await campaign({ recipients: 3, concurrency: 1, answers: { [a!]: [ok('wamid.SAME')], [b!]: [ok('wamid.SAME')], [c!]: [ok('wamid.C')] } });
    expect(end).toEqual({ reason: 'done' });
    expect(stats).toMatchObject({ accepted: 2, in_doubt: 1, duplicate_message_ids: 1, errors: { duplicate_message_id: 1 } });
    const outcomes = records.filter((r) => r.type === 'outcome');
    expect(outcomes.find((r) => r.phone === a)).toMatchObject({ outcome: 'accepted', message_id: 'wamid.SAME' });
    expect(outcomes.find((r) => r.phone === b)).toMatchObject({
      outcome: 'in_doubt',
      code: 'duplicate_message_id',
      message_id: 'wamid.SAME',
      title: expect.stringContaining('already returned for another recipient'),
    });
    expect(outcomes.find((r) => r.phone === c)).toMatchObject({ outcome: 'accepted', message_id: 'wamid.C' });
  });

  it('notices an id the ledger already holds for another recipient from an earlier run', async () => {
    const [a, b] = phones(2);
    const at = '2026-11-23T10:00:00.000Z';
    const ledger: LedgerRecord[] = [
      { type: 'intent', at, cid: 'x-1', phone: a!, line: 2, attempt: 1 },
      { type: 'outcome', at, cid: 'x-1', phone: a!, outcome: 'accepted', message_id: 'wamid.EARLIER' },
    ];
    const { stats, records } = await campaign({ recipients: 2, ledger, answers: { [b!]: [ok('wamid.EARLIER')] } });
    expect(stats).toMatchObject({ accepted: 0, skipped: 1, in_doubt: 1, duplicate_message_ids: 1 });
    expect(records.at(-1)).toMatchObject({ type: 'outcome', phone: b, outcome: 'in_doubt', code: 'duplicate_message_id' });
  });

  it('takes the same id again for the same recipient (a retry the provider recognised) as accepted', async () => {
    const [a] = phones(1);
    const ledger: LedgerRecord[] = [
      { type: 'intent', at: '2026-11-23T10:00:00.000Z', cid: 'x-1', phone: a!, line: 2, attempt: 1 },
      { type: 'outcome', at: '2026-11-23T10:00:00.000Z', cid: 'x-1', phone: a!, outcome: 'in_doubt', code: 'ETIMEDOUT', message_id: 'wamid.A' },
      { type: 'outcome', at: '2026-11-23T10:00:00.000Z', cid: 'x-1', phone: a!, outcome: 'retry', code: '130429' },
    ];
    const { stats } = await campaign({ recipients: 1, ledger, answers: { [a!]: [ok('wamid.A')] } });
    expect(stats).toMatchObject({ accepted: 1, in_doubt: 0, duplicate_message_ids: 0 });
  });

  it('stops the campaign after a run of such answers: a provider answering so would leave everyone in doubt', async () => {
    const { stats, end, requests } = await campaign({ recipients: 20, concurrency: 1, maxConsecutiveFailures: 3, answers: Object.fromEntries(phones(20).map((p) => [p, [ok('wamid.SAME')]])) });
    expect(end).toMatchObject({ reason: 'stopped', code: 'duplicate_message_id', title: expect.stringContaining('3 success answers in a row could not be used') });
    expect(stats).toMatchObject({ accepted: 1, in_doubt: 3 });
    expect(requests).toHaveLength(4);
  });

  it('takes a success without a usable message id as in doubt', async () => {
    const [a, b] = phones(2);
    const { stats, records } = await campaign({ recipients: 2, answers: { [a!]: [ok('')], [b!]: [ok(`wamid.${'x'.repeat(300)}`)] } });
    expect(stats).toMatchObject({ accepted: 0, in_doubt: 2, errors: { no_message_id: 2 } });
    expect(records.filter((r) => r.type === 'outcome').map((r) => r.type === 'outcome' && r.outcome)).toEqual(['in_doubt', 'in_doubt']);
  });

  it('writes only a WhatsApp id of digits and a status word, so the ledger stays readable whatever the provider sent', async () => {
    const [a] = phones(1);
    const odd: TransportResult = { ok: true, response: { status: 200, headers: {}, body: JSON.stringify({ messages: [{ id: 'wamid.O', message_status: { nested: true } }], contacts: [{ wa_id: 447400 }] }) } };
    const { stats, records } = await campaign({ recipients: 1, answers: { [a!]: [odd] } });
    expect(stats.accepted).toBe(1);
    const written = records.find((r) => r.type === 'outcome')!;
    expect(written).toEqual({ type: 'outcome', at: expect.any(String), cid: expect.any(String), phone: a, outcome: 'accepted', message_id: 'wamid.O' });
  });
});

describe('runCampaign: the dispatcher’s edges (on the manual clock)', () => {
  const snapshot = (at: number, s: CampaignStats) => ({ at, throttle: s.throttle, pacing: s.pacing, retries_waiting: s.retries_waiting, requests: s.requests });

  it('counts each answer once under what became of it, keeps the throttling note until an acceptance, and shows the pacing only once it throttled, as it is now', async () => {
    const [a, b] = phones(2);
    const seen: ReturnType<typeof snapshot>[] = [];
    let now = () => NaN;
    const { end, stats, clock, pacer } = await campaign({
      recipients: 2,
      concurrency: 2,
      // a throttled (60 s), then accepted; b refused for good 12.5 ms later, while a's throttling stands.
      answers: { [a!]: [metaError(130429, 400, { 'retry-after': '60' }), ok('wamid.A')], [b!]: [metaError(100)] },
      wrapFile: (file, manual) => ((now = () => manual.now()), file),
      onProgress: (s) => seen.push(structuredClone(snapshot(now(), s))),
    });
    expect(end).toEqual({ reason: 'done' });
    const throttle = { askedMs: 60_000, waitMs: 60_000 };
    const pacing = (rate: number, timeBelowMs: number) => ({ mps: 80, rate, providerRate: 1, throttleReactions: 1, limitFound: true, timeBelowMs });
    // One line as each request is launched, one for the throttling answer, one at the end: b's
    // failure and a's acceptance add none of their own.
    expect(seen).toEqual([
      { at: 0, throttle: undefined, pacing: undefined, retries_waiting: 0, requests: 0 },
      { at: 12.5, throttle: undefined, pacing: undefined, retries_waiting: 0, requests: 1 },
      { at: 100, throttle, pacing: pacing(1, 0), retries_waiting: 1, requests: 2 },
      // b's failure (at 112.5) left the note as it was; the pacing is read again for each line.
      { at: 60_100, throttle, pacing: pacing(2, 60_000), retries_waiting: 0, requests: 2 },
      { at: 60_200, throttle: undefined, pacing: pacing(2, 60_100), retries_waiting: 0, requests: 3 },
    ]);
    expect(clock.now()).toBe(60_200);
    expect(stats.pacing).toEqual(pacer.state());
    expect(stats).toEqual({
      accepted: 1,
      held: 0,
      failed: 1,
      in_doubt: 0,
      skipped: 0,
      skipped_in_doubt: 0,
      skipped_not_due: 0,
      rejected: {},
      errors: { 100: 1, 130429: 1 },
      errorsByOutcome: { failed: { 100: 1 }, in_doubt: {}, retry: { 130429: 1 } },
      retries: 1,
      retries_waiting: 0,
      duplicate_message_ids: 0,
      unrecorded: { accepted: 0, failed: 0, not_sent: 0, retry: 0 },
      requests: 3,
      firstRequestAt: 0,
      lastRequestAt: 60_100,
      throttle: undefined,
      pacing: pacing(2, 60_100),
    });
  });

  it('counts each error code under what became of its attempt: retried, in doubt', async () => {
    const [a, b, c] = phones(3);
    const lost: TransportResult = { ok: false, written: true, code: 'ETIMEDOUT', message: 'timeout' };
    const { stats } = await campaign({ recipients: 3, concurrency: 1, answers: { [a!]: [metaError(131000, 500), ok('wamid.A')], [b!]: [metaError(131000, 500), ok('wamid.B')], [c!]: [lost] } });
    expect(stats).toMatchObject({ accepted: 2, in_doubt: 1, retries: 2, errors: { 131000: 2, ETIMEDOUT: 1 } });
    expect(stats.errorsByOutcome).toEqual({ failed: {}, in_doubt: { ETIMEDOUT: 1 }, retry: { 131000: 2 } });
  });

  const failingWrites = (from: () => boolean) => (file: LedgerFile): LedgerFile => ({
    ...file,
    write: async (data) => {
      if (from()) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      return file.write(data);
    },
  });

  it('an interrupt during the wait for a retry ends the campaign then, not when the retry is due', async () => {
    const [a] = phones(1);
    const { end, clock, requests, records } = await campaign({ recipients: 1, interruptAt: 5000, answers: { [a!]: [metaError(130429, 400, { 'retry-after': '10' }), ok()] } });
    expect(end).toEqual({ reason: 'interrupted' });
    expect(clock.now()).toBe(5000);
    expect(requests).toEqual([{ at: 0, phone: a }]);
    expect(records.filter((r) => r.type === 'outcome').map((r) => r.type === 'outcome' && r.outcome)).toEqual(['retry']);
  });

  it('an interrupt that comes while the next row is read does not wait for the retry due later', async () => {
    const [a, b] = phones(2);
    let interrupt: AbortController | undefined;
    // Ctrl-C as b's row is read (the allowance is asked then): b is not sent, and a's retry is 10 s away.
    const allowance = {
      take: (phone: string) => {
        if (phone !== b) return true;
        interrupt!.abort();
        return false;
      },
    } as Pick<DailyAllowance, 'take'> as DailyAllowance;
    const { end, clock, requests } = await campaign({ recipients: 2, concurrency: 1, allowance, onStart: (c) => (interrupt = c), answers: { [a!]: [metaError(130429, 400, { 'retry-after': '10' }), ok()] } });
    expect(end).toEqual({ reason: 'interrupted' });
    // a answered at 100 ms; b's row read right after.
    expect(clock.now()).toBe(100);
    expect(requests).toEqual([{ at: 0, phone: a }]);
  });

  it('an outcome the ledger refused while the dispatcher waited for a retry stops the campaign as a ledger failure', async () => {
    const [a] = phones(1);
    let failing = false;
    // The intent is written; the throttled outcome, deferred 100 ms, is refused by the disk.
    const { end, clock, requests, unrecorded } = await campaign({
      recipients: 1,
      ledgerClock: true,
      onRequest: () => (failing = true),
      wrapFile: failingWrites(() => failing),
      answers: { [a!]: [metaError(130429, 400, { 'retry-after': '10' }), ok()] },
    });
    expect(end).toEqual({ reason: 'stopped', code: 'ledger', title: expect.stringMatching(/^cannot write .*l\.jsonl: I\/O error \(EIO\)$/), fix: expect.stringContaining('free disk space') });
    // Stopped when the retry came due, before its request (the ledger could not hold its intent).
    expect(clock.now()).toBe(10_000);
    expect(requests).toEqual([{ at: 0, phone: a }]);
    expect(unrecorded).toEqual([
      { record: { type: 'outcome', at: '2026-11-24T00:00:00.100Z', cid: 'r1-2-1', phone: a, outcome: 'retry', code: '130429', title: '(#130429)' }, kind: 'retry', held: false },
    ]);
  });

  it('writes a not-sent outcome at once, with its title, not with the next batch', async () => {
    const [a, b] = phones(2);
    const writes: { at: number; data: string }[] = [];
    // Interrupted as b's attempt waits to be admitted (its intent on disk); a's answer comes at 2 s.
    const { end, records } = await campaign({
      recipients: 3,
      concurrency: 2,
      latencyMs: 2000,
      abortBeforeAdmit: 2,
      ledgerClock: true,
      wrapFile: (file, clock) => ({
        ...file,
        write: async (data) => {
          writes.push({ at: clock.now(), data: data.toString() });
          return file.write(data);
        },
      }),
    });
    expect(end).toEqual({ reason: 'interrupted' });
    const notSent = { type: 'outcome', at: '2026-11-24T00:00:00.012Z', cid: 'r1-3-1', phone: b, outcome: 'retry', code: 'not_sent', title: 'the campaign stopped before this request was made' };
    expect(records.filter((r) => r.type === 'outcome')).toEqual([notSent, { type: 'outcome', at: '2026-11-24T00:00:02.000Z', cid: 'r1-2-1', phone: a, outcome: 'accepted', message_id: `wamid.${a}`, wa_id: '1' }]);
    // On disk at 12.5 ms, when it was decided (an outcome appended "soon" would wait up to 100 ms).
    expect(writes.filter((w) => w.data.includes('"not_sent"')).map((w) => w.at)).toEqual([12.5]);
  });

  it('a ledger failure stops the campaign while it waits for the pacer, not once the pacer’s slot comes', async () => {
    const [a] = phones(1);
    let failing = false;
    let failedAt: number | undefined;
    // At 1 MPS: the second attempt's intent is refused by the disk while the dispatcher waits for
    // the third slot; the refusal stops that wait at once.
    const { end, clock, requests } = await campaign({
      recipients: 5,
      concurrency: 4,
      mps: 1,
      onRequest: () => (failing = true),
      wrapFile: (file, manual) => ({
        ...file,
        write: async (data) => {
          if (!failing) return file.write(data);
          failedAt ??= manual.now();
          throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
        },
      }),
    });
    expect(end).toEqual({ reason: 'stopped', code: 'ledger', title: expect.stringMatching(/^cannot write .*l\.jsonl: I\/O error \(EIO\)$/), fix: expect.stringContaining('free disk space') });
    expect(requests).toEqual([{ at: 0, phone: a }]);
    expect(failedAt).toBeGreaterThan(0);
    // Ended when the write failed (the first request's answer came long before).
    expect(clock.now()).toBe(failedAt);
  });

  it('a repeated message id the failed ledger cannot place is in doubt, never taken as new', async () => {
    const [a, b] = phones(2);
    let failing = false;
    // Both in flight; a's acceptance (deferred) is refused by the disk when b's answer, with the
    // same id, asks the ledger who had it first.
    const { end, stats, records, unrecorded } = await campaign({
      recipients: 2,
      concurrency: 2,
      ledgerClock: true,
      onRequest: (n) => (failing = n === 2),
      wrapFile: failingWrites(() => failing),
      answers: { [a!]: [ok('wamid.SAME')], [b!]: [ok('wamid.SAME')] },
    });
    expect(end).toMatchObject({ reason: 'stopped', code: 'ledger' });
    expect(stats).toMatchObject({ accepted: 1, in_doubt: 1, duplicate_message_ids: 1 });
    expect(records.filter((r) => r.type === 'outcome')).toEqual([]);
    expect(unrecorded.map((u) => [u.record.phone, u.record.outcome, u.kind])).toEqual([
      [a, 'accepted', 'accepted'],
      [b, 'in_doubt', 'in_doubt'],
    ]);
  });

  it('stops before the first request when the lock was lost before the campaign started', async () => {
    const lockLost = new AbortController();
    lockLost.abort('the lock l.jsonl.lock was removed');
    const { end, requests, records } = await campaign({ recipients: 3, lockLost: lockLost.signal });
    expect(end).toEqual(lockLostStop('the lock l.jsonl.lock was removed'));
    expect(requests).toEqual([]);
    expect(records.filter((r) => r.type !== 'run')).toEqual([]);
  });

  it('leaves no listener on the caller’s signals', async () => {
    const lockLost = new AbortController();
    const { end, signal } = await campaign({ recipients: 2, lockLost: lockLost.signal });
    expect(end).toEqual({ reason: 'done' });
    expect(getEventListeners(signal, 'abort')).toEqual([]);
    expect(getEventListeners(lockLost.signal, 'abort')).toEqual([]);
  });
});
