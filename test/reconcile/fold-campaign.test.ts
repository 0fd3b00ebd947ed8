import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { CampaignFold } from '../../src/reconcile/fold-campaign.js';
import { DEFAULT_OPT_OUT_KEYWORDS, normaliseKeyword, parseEventLine } from '../../src/reconcile/parse-event.js';
import { accepted, intent, metaLine, metaValueLine, outcome, runRecord, twilioLine } from './events.js';

const KEYWORDS = new Set(DEFAULT_OPT_OUT_KEYWORDS.map(normaliseKeyword));
const NOW = (1795000100 + 3600) * 1000; // an hour after the failures below

function foldOf(records: LedgerRecord[], lines: string[]): CampaignFold {
  const fold = new CampaignFold();
  for (const record of records) expect(fold.addLedgerRecord(record)).toBe(true);
  for (const line of lines) {
    const parsed = parseEventLine(line, KEYWORDS);
    if (parsed.ok) for (const signal of parsed.signals) fold.addSignal(signal);
  }
  return fold;
}

const decisionOf = (fold: CampaignFold, phone: string) => fold.decide(NOW)[fold.recipientOf(phone)];

/** A deterministic shuffle (the test must not depend on luck either). */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('parseEventLine', () => {
  it('reads Meta statuses: id, correlation id, rank, failure code, timestamp', () => {
    const parsed = parseEventLine(metaLine([{ id: 'wamid.A', status: 'failed', cid: 'c1', code: 131049, ts: 1751142888 }]), KEYWORDS);
    expect(parsed).toEqual({ ok: true, signals: [{ kind: 'status', family: 'meta', messageId: 'wamid.A', cid: 'c1', rank: 0, failed: true, code: 131049, at: 1751142888000 }] });
  });

  it('reads Twilio forms: MessageSid, undelivered as failed with ErrorCode, the cid from the callback URL', () => {
    const parsed = parseEventLine(twilioLine({ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '63049' }, 'run-2-1'), KEYWORDS);
    expect(parsed).toMatchObject({ ok: true, signals: [{ kind: 'status', family: 'twilio', messageId: 'SM1', cid: 'run-2-1', failed: true, code: 63049 }] });
  });

  it('reads opt-outs: user_preferences stop and resume, a STOP text, an opt-out quick reply, Twilio OptOutType', () => {
    const prefs = parseEventLine(metaValueLine({ user_preferences: [{ wa_id: '5215512345678', detail: 'd', category: 'marketing_messages', value: 'stop', timestamp: 1795000000 }] }), KEYWORDS);
    expect(prefs).toMatchObject({ ok: true, signals: [{ kind: 'preference', value: 'stop', via: 'user_preferences', waId: '5215512345678' }] });
    const text = parseEventLine(metaValueLine({ messages: [{ from: '447400123456', id: 'wamid.in', timestamp: '1795000000', type: 'text', text: { body: '  stop ' } }] }), KEYWORDS);
    expect(text).toMatchObject({ ok: true, signals: [{ kind: 'preference', value: 'stop', via: 'keyword', waId: '447400123456' }] });
    const button = parseEventLine(metaValueLine({ messages: [{ from: '447400123456', type: 'button', button: { text: 'Stop promotions', payload: 'x' } }] }), KEYWORDS);
    expect(button).toMatchObject({ ok: true, signals: [{ kind: 'preference', via: 'keyword' }] });
    const chat = parseEventLine(metaValueLine({ messages: [{ from: '447400123456', type: 'text', text: { body: 'please stop by the shop' } }] }), KEYWORDS);
    expect(chat).toEqual({ ok: true, signals: [] });
    const twilio = parseEventLine(twilioLine({ MessageSid: 'SM2', SmsStatus: 'received', From: 'whatsapp:+447400123456', Body: 'Stop', OptOutType: 'STOP' }), KEYWORDS);
    expect(twilio).toMatchObject({ ok: true, signals: [{ kind: 'preference', value: 'stop', via: 'twilio_opt_out', waId: '447400123456' }] });
  });

  it('names what it does not understand, without throwing', () => {
    expect(parseEventLine('{"type":"event"', KEYWORDS)).toEqual({ ok: false, why: 'not JSON' });
    expect(parseEventLine('{"type":"intent"}', KEYWORDS)).toMatchObject({ ok: false });
    expect(parseEventLine(JSON.stringify({ type: 'event', received_at: 'x', provider: 'meta', raw: '{}' }), KEYWORDS)).toMatchObject({ ok: false, why: 'event without a valid received_at' });
    expect(parseEventLine(JSON.stringify({ type: 'event', received_at: '2026-11-24T10:00:00Z', provider: 'meta', raw: '{"hello":1}' }), KEYWORDS)).toMatchObject({ ok: false });
    expect(parseEventLine(JSON.stringify({ type: 'event', received_at: '2026-11-24T10:00:00Z', provider: 'unsigned', raw: 'not json' }), KEYWORDS)).toEqual({ ok: false, why: 'payload is not JSON' });
  });
});

describe('CampaignFold', () => {
  const ledger: LedgerRecord[] = [
    runRecord(),
    intent('+447400123456', 'c1', 1, { phone: '+447400123456', opt_in: 'yes', name: 'Ana' }),
    accepted('+447400123456', 'c1', 'wamid.1'),
    intent('+447400123457', 'c2', 1, { phone: '+447400123457', opt_in: 'yes', name: 'Ben' }),
    accepted('+447400123457', 'c2', 'wamid.2'),
    intent('+5511912345678', 'c3', 1, { phone: '+5511912345678', opt_in: 'yes', name: 'João' }),
    accepted('+5511912345678', 'c3', 'wamid.3'),
    intent('+525512345678', 'c4', 1, { phone: '+525512345678', opt_in: 'yes', name: 'Mx' }),
    accepted('+525512345678', 'c4', 'wamid.4', '5215512345678'),
    intent('+33612345678', 'c5', 1, { phone: '+33612345678', opt_in: 'yes', name: 'Élodie' }),
    outcome('+33612345678', 'c5', 'in_doubt', 'ETIMEDOUT'),
    intent('+306912345678', 'c6', 1, { phone: '+306912345678', opt_in: 'yes', name: 'Nikos' }),
  ];
  const events = [
    metaLine([{ id: 'wamid.1', status: 'sent', cid: 'c1' }]),
    metaLine([{ id: 'wamid.1', status: 'read', cid: 'c1', ts: 1795000200 }]),
    metaLine([{ id: 'wamid.1', status: 'delivered', cid: 'c1', ts: 1795000300 }]), // late: read is not downgraded
    metaLine([{ id: 'wamid.2', status: 'sent', cid: 'c2' }]),
    metaLine([{ id: 'wamid.2', status: 'failed', code: 131026, ts: 1795000100 }]),
    metaLine([{ id: 'wamid.2', status: 'delivered', ts: 1795000200 }]), // failed is terminal
    metaLine([{ id: 'wamid.3', status: 'failed', code: 131049, cid: 'c3', ts: 1795000100 }]),
    metaValueLine({ user_preferences: [{ wa_id: '5215512345678', category: 'marketing_messages', value: 'stop', timestamp: '1795000000' }] }),
    // The in-doubt attempt: its failure names only the message id, learned from the `sent` status
    // that carries the correlation id, wherever that one lands in the file.
    metaLine([{ id: 'wamid.5', status: 'failed', code: 130472, ts: 1795000100 }]),
    metaLine([{ id: 'wamid.5', status: 'sent', cid: 'c5' }]),
    metaLine([{ id: 'wamid.other', status: 'read', cid: 'another-campaign' }]),
  ];

  it('applies the lattice: read beats a late delivered; failed is terminal; matching by id or correlation id', () => {
    const fold = foldOf(ledger, events);
    expect(decisionOf(fold, '+447400123456')).toMatchObject({ state: 'read', list: undefined });
    expect(decisionOf(fold, '+447400123457')).toMatchObject({ state: 'sms_fallback', reason: 'not_on_whatsapp' });
    expect(decisionOf(fold, '+5511912345678')).toMatchObject({ state: 'waiting_retry', dueAt: 1795000100_000 + 86_400_000 });
    // Mexico: the opt-out names the WhatsApp id 521…, matched through the ledger's wa_id.
    expect(decisionOf(fold, '+525512345678')).toMatchObject({ state: 'suppressed', reason: 'user_preferences' });
    expect(decisionOf(fold, '+33612345678')).toMatchObject({ state: 'sms_fallback', reason: 'experiment', code: '130472' });
    expect(decisionOf(fold, '+306912345678')).toMatchObject({ state: 'in_doubt', list: 'in_doubt' });
    expect(fold.counts.unmatched).toBe(1);
  });

  it('gives the same decisions for the events duplicated and in any order', () => {
    const expected = foldOf(ledger, events).decide(NOW);
    for (let seed = 1; seed <= 30; seed++) {
      const lines = shuffled([...events, ...events, ...events.slice(0, seed % events.length)], seed);
      const fold = foldOf(ledger, lines);
      expect(fold.decide(NOW)).toEqual(expected);
      expect(fold.counts.unmatched).toBe(lines.filter((l) => l.includes('another-campaign')).length);
    }
  });

  it('never matches a status by phone number', () => {
    // A status about +447400123456's number but with a message id and cid this ledger never saw.
    const fold = foldOf(ledger, [metaLine([{ id: 'wamid.x', status: 'failed', code: 131050, cid: 'zz', recipient: '447400123456' }])]);
    expect(decisionOf(fold, '+447400123456')).toMatchObject({ state: 'sent' });
  });

  it('a later resume lifts an opt-out; at the same instant a stop wins', () => {
    const stop = (ts: string) => metaValueLine({ user_preferences: [{ wa_id: '447400123456', category: 'marketing_messages', value: 'stop', timestamp: ts }] });
    const resume = (ts: string) => metaValueLine({ user_preferences: [{ wa_id: '447400123456', category: 'marketing_messages', value: 'resume', timestamp: ts }] });
    expect(decisionOf(foldOf(ledger, [resume('1795000200'), stop('1795000100')]), '+447400123456')).toMatchObject({ state: 'sent' });
    expect(decisionOf(foldOf(ledger, [stop('1795000300'), resume('1795000200')]), '+447400123456')).toMatchObject({ state: 'suppressed' });
    expect(decisionOf(foldOf(ledger, [resume('1795000300'), stop('1795000300')]), '+447400123456')).toMatchObject({ state: 'suppressed' });
    expect(decisionOf(foldOf(ledger, [stop('1795000300'), resume('1795000300')]), '+447400123456')).toMatchObject({ state: 'suppressed' });
  });

  it('counts 131049 refusals over attempts: the second waits 48 h', () => {
    const records: LedgerRecord[] = [
      runRecord(),
      intent('+5511912345678', 'a1', 1, { phone: '+5511912345678', opt_in: 'yes' }),
      accepted('+5511912345678', 'a1', 'wamid.a1'),
      runRecord({ run: 'r2', retry_list: true }),
      intent('+5511912345678', 'a2', 2, undefined, '2026-11-25T10:00:00.000Z'),
      accepted('+5511912345678', 'a2', 'wamid.a2', undefined, '2026-11-25T10:00:00.100Z'),
    ];
    const failedAt = Date.parse('2026-11-25T10:01:00Z');
    const fold = foldOf(records, [
      metaLine([{ id: 'wamid.a2', status: 'failed', code: 131049, ts: failedAt / 1000 }]),
      metaLine([{ id: 'wamid.a1', status: 'failed', code: 131049, ts: 1795000100 }]),
    ]);
    const r = fold.recipientOf('+5511912345678');
    expect(fold.attemptsOf(r)).toBe(2);
    expect(fold.decide(failedAt)[r]).toMatchObject({ state: 'waiting_retry', dueAt: failedAt + 2 * 86_400_000 });
  });
});

describe('CampaignFold: one message id for two recipients', () => {
  const row = (phone: string) => ({ phone, opt_in: 'yes' });
  const ledger: LedgerRecord[] = [
    runRecord(),
    intent('+447400123451', 'c1', 1, row('+447400123451')),
    accepted('+447400123451', 'c1', 'wamid.SAME'),
    intent('+447400123452', 'c2', 1, row('+447400123452')),
    // What send now writes for the second: in doubt, with the repeated id.
    outcome('+447400123452', 'c2', 'in_doubt', 'duplicate_message_id'),
    intent('+447400123453', 'c3', 1, row('+447400123453')),
    outcome('+447400123453', 'c3', 'in_doubt', 'ETIMEDOUT'),
    intent('+447400123454', 'c4', 1, row('+447400123454')),
    outcome('+447400123454', 'c4', 'in_doubt', 'ETIMEDOUT'),
    intent('+447400123455', 'c5', 1, row('+447400123455')),
    outcome('+447400123455', 'c5', 'in_doubt', 'ECONNRESET'),
  ];
  (ledger[4] as Extract<LedgerRecord, { type: 'outcome' }>).message_id = 'wamid.SAME';
  const events = [
    metaLine([{ id: 'wamid.SAME', status: 'read' }]),
    metaLine([{ id: 'wamid.SAME', status: 'failed', code: 131026 }]),
    // Two attempts in doubt, of different people, each claimed by its correlation id with the same message id.
    metaLine([{ id: 'wamid.CLAIMED', status: 'sent', cid: 'c3' }]),
    metaLine([{ id: 'wamid.CLAIMED', status: 'sent', cid: 'c4' }]),
    metaLine([{ id: 'wamid.CLAIMED', status: 'failed', code: 131026 }]),
    // One attempt in doubt claimed alone: its id's later events are its own, whatever the order.
    metaLine([{ id: 'wamid.ONLY', status: 'delivered' }]),
    metaLine([{ id: 'wamid.ONLY', status: 'sent', cid: 'c5' }]),
  ];

  it('gives events naming only such an id to no one, in any order, and counts them', () => {
    const expected = foldOf(ledger, events);
    const decisions = expected.decide(NOW);
    const of = (phone: string) => decisions[expected.recipientOf(phone)];
    expect(of('+447400123451')).toMatchObject({ state: 'sent' }); // not read, not failed: nothing matched
    expect(of('+447400123452')).toMatchObject({ state: 'in_doubt', list: 'in_doubt', code: 'duplicate_message_id' });
    // c3 and c4 are proven sent by their own correlation ids, but the failure naming only the id is nobody's.
    expect(of('+447400123453')).toMatchObject({ state: 'sent' });
    expect(of('+447400123454')).toMatchObject({ state: 'sent' });
    expect(of('+447400123455')).toMatchObject({ state: 'delivered' });
    expect(expected.counts).toEqual({ matched: 4, unmatched: 0, ambiguous: 3 });
    expect(expected.ambiguousMessageIds()).toBe(2);
    for (let seed = 1; seed <= 30; seed++) {
      const lines = shuffled([...events, ...events.slice(seed % events.length)], seed);
      const fold = foldOf(ledger, lines);
      expect(fold.decide(NOW)).toEqual(decisions);
      expect(fold.ambiguousMessageIds()).toBe(2);
    }
  });

  it('makes an id ambiguous whichever of the two records comes first, but not for two attempts of one recipient', () => {
    const twoAttempts: LedgerRecord[] = [
      runRecord(),
      intent('+447400123451', 'a1', 1, row('+447400123451')),
      accepted('+447400123451', 'a1', 'wamid.R'),
      intent('+447400123451', 'a2', 2, undefined, '2026-11-18T08:00:00.000Z'),
      accepted('+447400123451', 'a2', 'wamid.R', undefined, '2026-11-18T08:00:00.100Z'),
    ];
    const fold = foldOf(twoAttempts, [metaLine([{ id: 'wamid.R', status: 'read' }])]);
    expect(fold.ambiguousMessageIds()).toBe(0);
    expect(decisionOf(fold, '+447400123451')).toMatchObject({ state: 'read' });
  });
});

describe('CampaignFold: an opt-out failure, then a resume', () => {
  const T_FAIL = 1795000100;
  const ledger: LedgerRecord[] = [runRecord(), intent('+447400123456', 'c1', 1, { phone: '+447400123456', opt_in: 'yes', name: 'Ana' }), accepted('+447400123456', 'c1', 'wamid.1')];
  const failed = metaLine([{ id: 'wamid.1', status: 'failed', code: 131050, ts: T_FAIL }]);
  const preference = (value: 'stop' | 'resume', ts: number) => metaValueLine({ user_preferences: [{ wa_id: '447400123456', category: 'marketing_messages', value, timestamp: String(ts) }] });

  it('a resume after the 131050 is the person’s latest word: due for retry from the resume, reason resumed, in any order', () => {
    const events = [failed, preference('resume', T_FAIL + 60)];
    const expected = { state: 'retry', list: 'retry', reason: 'resumed', code: '131050', dueAt: (T_FAIL + 60) * 1000 };
    for (let seed = 1; seed <= 10; seed++) expect(decisionOf(foldOf(ledger, shuffled([...events, ...events.slice(seed % 2)], seed)), '+447400123456')).toEqual(expected);
  });

  it('a resume before the 131050, or at the same second, leaves the opt-out standing (a stop wins a tie)', () => {
    expect(decisionOf(foldOf(ledger, [preference('resume', T_FAIL - 60), failed]), '+447400123456')).toMatchObject({ state: 'suppressed', reason: 'opted_out', code: '131050' });
    expect(decisionOf(foldOf(ledger, [preference('resume', T_FAIL), failed]), '+447400123456')).toMatchObject({ state: 'suppressed', reason: 'opted_out' });
    expect(decisionOf(foldOf(ledger, [failed, preference('resume', T_FAIL)]), '+447400123456')).toMatchObject({ state: 'suppressed', reason: 'opted_out' });
  });

  it('a stop after the resume is the latest word again', () => {
    const events = [failed, preference('resume', T_FAIL + 60), preference('stop', T_FAIL + 120)];
    for (let seed = 1; seed <= 6; seed++) expect(decisionOf(foldOf(ledger, shuffled(events, seed)), '+447400123456')).toMatchObject({ state: 'suppressed', list: 'suppress' });
  });

  it('Twilio: 21610, then an inbound START (OptOutType=START), is due for retry, reason resumed', () => {
    const twilio: LedgerRecord[] = [runRecord({ provider: 'twilio' }), intent('+447400123456', 't1', 1, { phone: '+447400123456', opt_in: 'yes' }), accepted('+447400123456', 't1', 'SM1')];
    const events = [
      twilioLine({ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '21610' }, 't1', '2026-11-17T09:00:00.000Z'),
      twilioLine({ MessageSid: 'SMin', SmsStatus: 'received', From: 'whatsapp:+447400123456', Body: 'START', OptOutType: 'START' }, undefined, '2026-11-17T10:00:00.000Z'),
    ];
    const at = Date.parse('2026-11-17T10:00:00.000Z');
    expect(foldOf(twilio, events).decide(at)[0]).toEqual({ state: 'retry', list: 'retry', reason: 'resumed', code: '21610', dueAt: at });
    expect(foldOf(twilio, [...events].reverse()).decide(at)[0]).toEqual({ state: 'retry', list: 'retry', reason: 'resumed', code: '21610', dueAt: at });
  });

  it.each([
    ['cloud', '130472'],
    ['360dialog', '130472'],
    ['twilio', '63032'],
  ] as const)('%s: the code %s recorded in the send answer is read in the code table of the run’s provider (an experiment)', (provider, code) => {
    const records: LedgerRecord[] = [runRecord({ provider }), intent('+447400123456', 'x1', 1, { phone: '+447400123456', opt_in: 'yes' }), outcome('+447400123456', 'x1', 'failed', code, 'sms_fallback')];
    expect(foldOf(records, []).decide(NOW)[0]).toMatchObject({ list: 'sms_fallback', reason: 'experiment', code });
  });
});

describe('CampaignFold: two failures of one message at the same instant with the same code', () => {
  // worseFailure: the earliest wins, then the lowest code; at a full tie the failure folded first
  // stays (`code < currentCode`, not `<=`), so the family whose table reads the code is the first's.
  // 131026 is Meta's "Message undeliverable" (SMS fallback); Twilio's table has no 131026.
  const T = Date.parse('2026-11-17T09:00:00.000Z');
  const records: LedgerRecord[] = [runRecord(), intent('+447400123456', 'c1'), accepted('+447400123456', 'c1', 'wamid.T')];
  const failed = (family: 'meta' | 'twilio') => ({ kind: 'status' as const, family, messageId: 'wamid.T', cid: undefined, rank: 0, failed: true, code: 131026, at: T });

  function decisionAfter(families: ('meta' | 'twilio')[]) {
    const fold = new CampaignFold();
    for (const record of records) expect(fold.addLedgerRecord(record)).toBe(true);
    for (const family of families) fold.addSignal(failed(family));
    return fold.decide(T + 60_000);
  }

  it('Meta’s first: the code is Meta’s, an SMS fallback', () => {
    expect(decisionAfter(['meta', 'twilio'])).toEqual([{ state: 'sms_fallback', list: 'sms_fallback', reason: 'not_on_whatsapp', code: '131026' }]);
  });

  it('Twilio’s first: a code Twilio’s table does not know, failed', () => {
    expect(decisionAfter(['twilio', 'meta'])).toEqual([{ state: 'failed', list: 'failed', reason: 'unknown_code', code: '131026', title: 'not in the code table' }]);
  });
});
