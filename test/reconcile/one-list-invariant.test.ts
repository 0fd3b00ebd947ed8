import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { allCodes } from '../../src/codes/error-codes.js';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { ttlBufferMs } from '../../src/reconcile/decide-recipient.js';
import { CampaignFold } from '../../src/reconcile/fold-campaign.js';
import { parseEventLine } from '../../src/reconcile/parse-event.js';
import { reconcileCampaign } from '../../src/reconcile/reconcile-campaign.js';
import { LIST_FILES } from '../../src/reconcile/reconcile-lists.js';
import { fixture } from '../helpers.js';
import { jsonl, metaLine, runRecord, twilioLine } from './events.js';

/*
 * SPEC "Reconcile lists": every recipient that is neither delivered, read, nor accepted and still
 * within its TTL is in exactly one list, and none is in two. A property over generated campaigns:
 * random outcomes in the ledger (accepted, failed with any code of the table or none of it, retry,
 * in doubt, no outcome at all), several attempts, status callbacks with any code, duplicated and
 * shuffled, preference changes, and any clock reading. Seeded, so a failure is reproducible.
 */

const T0 = Date.parse('2026-11-17T08:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const KEYWORDS = new Set(['STOP']);

const codeOf = (family: 'meta' | 'twilio') => fc.oneof(fc.constantFrom(...allCodes(family).map(([code]) => code)), fc.constantFrom(999_999, 12_345));
const ledgerCode = fc.oneof(codeOf('meta').map(String), fc.constantFrom('ETIMEDOUT', 'http_500', 'not_sent'));

const attemptArb = fc.record({
  outcome: fc.constantFrom('none', 'accepted', 'accepted', 'failed', 'retry', 'in_doubt'),
  code: ledgerCode,
  errorClass: fc.constantFrom(undefined, 'row_rejected', 'transient', 'retry_later', 'sms_fallback', 'opted_out', 'unknown'),
  hoursLater: fc.integer({ min: 0, max: 72 }),
  statuses: fc.array(fc.record({ status: fc.constantFrom('sent', 'delivered', 'read', 'failed'), code: fc.integer({ min: 0, max: 1000 }), hoursLater: fc.integer({ min: 0, max: 800 }), byCid: fc.boolean() }), { maxLength: 4 }),
});

const campaignArb = fc.record({
  provider: fc.constantFrom('cloud', '360dialog', 'twilio'),
  category: fc.constantFrom('marketing', 'utility'),
  ttlSeconds: fc.constantFrom(600, 86_400, 2_592_000),
  recipients: fc.array(fc.record({ us: fc.boolean(), attempts: fc.array(attemptArb, { minLength: 1, maxLength: 3 }), preference: fc.constantFrom(undefined, 'stop', 'resume'), preferenceHours: fc.integer({ min: 0, max: 200 }) }), { minLength: 1, maxLength: 8 }),
  duplicate: fc.boolean(),
  nowHours: fc.integer({ min: 0, max: 60 * 24 }),
  seed: fc.integer(),
});

type Campaign = typeof campaignArb extends fc.Arbitrary<infer T> ? T : never;

/** The campaign as send and webhook would have written it: ledger records and events lines. */
function build(c: Campaign) {
  const family = c.provider === 'twilio' ? 'twilio' : 'meta';
  const codes = allCodes(family).map(([code]) => code);
  const ledger: LedgerRecord[] = [runRecord({ provider: c.provider as 'cloud', category: c.category, ttl_seconds: c.ttlSeconds })];
  const events: string[] = [];
  const facts: { phone: string; acceptedAt: number | undefined; evidence: boolean }[] = [];
  c.recipients.forEach((recipient, r) => {
    const phone = recipient.us ? `+1202555${String(1000 + r)}` : `+4474000000${String(10 + r)}`;
    let at = T0;
    let last: (typeof facts)[number] = { phone, acceptedAt: undefined, evidence: false };
    recipient.attempts.forEach((attempt, a) => {
      at += attempt.hoursLater * HOUR + 1000;
      const cid = `r1-${r}-${a}`;
      const messageId = `${family === 'twilio' ? 'SM' : 'wamid.'}${r}x${a}`;
      ledger.push({ type: 'intent', at: iso(at), cid, phone, line: r + 2, attempt: a + 1, ...(a === 0 ? { row: { phone, opt_in: 'yes', name: `N${r}` } } : {}) });
      const outcomeAt = at + 100;
      if (attempt.outcome === 'accepted') ledger.push({ type: 'outcome', at: iso(outcomeAt), cid, phone, outcome: 'accepted', message_id: messageId, wa_id: phone.slice(1) });
      else if (attempt.outcome !== 'none') ledger.push({ type: 'outcome', at: iso(outcomeAt), cid, phone, outcome: attempt.outcome as 'failed', code: attempt.code, title: 'as the provider said', ...(attempt.errorClass ? { class: attempt.errorClass } : {}) });
      last = { phone, acceptedAt: attempt.outcome === 'accepted' ? outcomeAt : undefined, evidence: false };
      for (const status of attempt.statuses) {
        const ts = Math.floor((at + status.hoursLater * HOUR) / 1000);
        const code = status.code === 0 ? 999_999 : codes[status.code % codes.length]!;
        // An event names the message id of an accepted attempt; one of an attempt without an answer, only its correlation id.
        if (!status.byCid && attempt.outcome !== 'accepted') continue;
        if (status.byCid || attempt.outcome === 'accepted') last.evidence = true;
        if (family === 'twilio') {
          const form: Record<string, string> = { MessageSid: messageId, MessageStatus: status.status === 'failed' ? 'undelivered' : status.status };
          if (status.status === 'failed') form.ErrorCode = String(code);
          events.push(twilioLine(form, status.byCid ? cid : undefined, iso(ts * 1000)));
        } else {
          events.push(metaLine([{ id: messageId, status: status.status as 'sent', ...(status.byCid ? { cid } : {}), code, ts, recipient: phone.slice(1) }], iso(ts * 1000)));
        }
      }
    });
    if (recipient.preference && family === 'meta') {
      const ts = String(Math.floor((T0 + recipient.preferenceHours * HOUR) / 1000));
      events.push(metaLine([]).replace('"statuses":[]', `"user_preferences":[{"wa_id":"${phone.slice(1)}","category":"marketing_messages","value":"${recipient.preference}","timestamp":"${ts}"}]`));
    }
    facts.push(last);
  });
  // Webhooks are at least once and unordered: duplicates, and a seeded shuffle.
  const delivered = c.duplicate ? [...events, ...events] : events;
  const random = seeded(c.seed);
  for (let i = delivered.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [delivered[i], delivered[j]] = [delivered[j]!, delivered[i]!];
  }
  return { ledger, events: delivered, facts, now: T0 + c.nowHours * HOUR, ttlMs: c.ttlSeconds * 1000 };
}

function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function fold(ledger: LedgerRecord[], events: string[]): CampaignFold {
  const f = new CampaignFold();
  for (const record of ledger) f.addLedgerRecord(record);
  for (const line of events) {
    const parsed = parseEventLine(line, KEYWORDS);
    if (parsed.ok) for (const signal of parsed.signals) f.addSignal(signal);
  }
  return f;
}

const NO_LIST_STATES = new Set(['delivered', 'read', 'sent']);

describe('every recipient in exactly one list (a property over generated campaigns)', () => {
  it('the decisions: a list for everyone but the delivered, the read and the accepted within their TTL; the same whatever the order or duplication of events', () => {
    fc.assert(
      fc.property(campaignArb, (c) => {
        const { ledger, events, facts, now, ttlMs } = build(c);
        const decisions = fold(ledger, events).decide(now);
        expect(decisions).toHaveLength(facts.length);
        decisions.forEach((decision, r) => {
          if (NO_LIST_STATES.has(decision.state)) {
            expect(decision.list, `${decision.state} is in no list`).toBeUndefined();
            if (decision.state === 'sent') {
              // Accepted (by the ledger, or proven by an event), and within its TTL unless no event was ever seen for the run.
              const { acceptedAt, evidence } = facts[r]!;
              expect(acceptedAt !== undefined || evidence, 'sent means accepted').toBe(true);
              // Deliveries can be seen once any status event matched an attempt of the (one) run.
              const deliveriesVisible = facts.some((f) => f.evidence);
              if (acceptedAt !== undefined && deliveriesVisible) {
                expect(now <= acceptedAt + ttlMs + ttlBufferMs(ttlMs), 'sent past its TTL').toBe(true);
              }
            }
          } else {
            expect(decision.list, `${decision.state} (${decision.reason}, ${decision.code}) must be in a list`).toBeDefined();
          }
        });
        // Order and duplicates do not matter: the events reversed and deduplicated give the same.
        const again = fold(ledger, [...new Set(events)].reverse()).decide(now);
        expect(again).toEqual(decisions);
      }),
      { seed: 20261124, numRuns: 300 },
    );
  });

  it('the files: each recipient’s phone is in at most one list, and in exactly one unless delivered, read or sent', async ({ signal }) => {
    await fc.assert(
      fc.asyncProperty(campaignArb, async (c) => {
        // A run that timed out must stop, not go on writing into temp folders that the next test's
        // clean-up (shared by the worker's files) is removing: that failed two other files once.
        if (signal.aborted) throw new Error('the test timed out');
        const { ledger, events, now } = build(c);
        const dir = await fixture({ 'l.jsonl': jsonl(ledger), 'e.jsonl': events.length ? events.join('\n') + '\n' : '' });
        const { summary } = await reconcileCampaign({ ledgerFile: path.join(dir, 'l.jsonl'), eventFiles: [path.join(dir, 'e.jsonl')], outDir: path.join(dir, 'out'), now, optOutKeywords: ['STOP'] });
        const seen = new Map<string, string>();
        for (const file of Object.values(LIST_FILES)) {
          const rows = parse(await readFile(path.join(dir, 'out', file), 'utf8'), { columns: true }) as { phone: string }[];
          expect(rows.length, file).toBe(summary.lists[file]);
          for (const { phone } of rows) {
            expect(seen.get(phone), `${phone} in ${file} and ${seen.get(phone)}`).toBeUndefined();
            seen.set(phone, file);
          }
        }
        const inNoList = summary.recipients - seen.size;
        expect(inNoList).toBe(summary.states.delivered + summary.states.read + summary.states.sent);
      }),
      { seed: 20261125, numRuns: 40 },
    );
  });
});
