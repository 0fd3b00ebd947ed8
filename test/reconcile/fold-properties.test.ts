import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { CampaignFold } from '../../src/reconcile/fold-campaign.js';
import { parseEventLine } from '../../src/reconcile/parse-event.js';
import { reconcileCampaign } from '../../src/reconcile/reconcile-campaign.js';
import { fixture } from '../helpers.js';
import { accepted, intent, jsonl, metaLine, metaValueLine, outcome, runRecord } from './events.js';

/*
 * The fold's invariants (properties over generated campaigns, seeded so a failure reproduces):
 * - webhooks are at least once and unordered, so reconcile's files are byte for byte the same
 *   whatever the order of the event lines, however often each comes, and however they are split
 *   over files;
 * - a status never goes back: a later `sent` after `delivered`, or `delivered` after `read`, leaves
 *   the recipient where they were.
 */

const T0 = Date.parse('2026-11-17T08:00:00Z');
const NOW = T0 + 3_600_000;
const KEYWORDS = new Set(['STOP']);
const STATUSES = ['sent', 'delivered', 'read'] as const;
const RANK = { sent: 1, delivered: 2, read: 3 } as const;

const eventArb = fc.record({
  status: fc.constantFrom('sent', 'delivered', 'read', 'failed'),
  // Failure codes of several classes: a row rejection, a per-user limit, an unknown code.
  code: fc.constantFrom(131026, 131049, 131047, 130472, 999_999),
  seconds: fc.integer({ min: 0, max: 3_000 }),
  byCid: fc.boolean(),
});
const recipientArb = fc.record({
  outcome: fc.constantFrom('accepted', 'accepted', 'failed', 'in_doubt', 'retry'),
  events: fc.array(eventArb, { maxLength: 4 }),
});
const campaignArb = fc.record({
  recipients: fc.array(recipientArb, { minLength: 1, maxLength: 6 }),
  // Events for messages that are not this campaign's.
  strangers: fc.array(eventArb, { maxLength: 2 }),
  copies: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 20 }),
  order: fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
  split: fc.integer({ min: 1, max: 3 }),
});
type Campaign = typeof campaignArb extends fc.Arbitrary<infer T> ? T : never;

function build(c: Campaign): { ledger: LedgerRecord[]; events: string[] } {
  const ledger: LedgerRecord[] = [runRecord({ ttl_seconds: 86_400 })];
  const events: string[] = [];
  const line = (id: string, cid: string | undefined, phone: string, e: Campaign['strangers'][number]) =>
    metaLine([{ id, status: e.status as 'sent', ...(cid ? { cid } : {}), ...(e.status === 'failed' ? { code: e.code } : {}), ts: T0 / 1000 + e.seconds, recipient: phone.slice(1) }], new Date(T0 + e.seconds * 1000).toISOString());
  c.recipients.forEach((r, i) => {
    const phone = `+4474000000${String(10 + i)}`;
    const cid = `r1-${i}`;
    const messageId = `wamid.${i}`;
    ledger.push(intent(phone, cid, 1, { phone, opt_in: 'yes', name: `N${i}` }));
    if (r.outcome === 'accepted') ledger.push(accepted(phone, cid, messageId));
    else ledger.push(outcome(phone, cid, r.outcome as 'failed', r.outcome === 'failed' ? '131026' : 'ETIMEDOUT', r.outcome === 'failed' ? 'row_rejected' : undefined));
    for (const e of r.events) events.push(line(messageId, e.byCid ? cid : undefined, phone, e));
  });
  c.strangers.forEach((e, i) => events.push(line(`wamid.other${i}`, undefined, '+447400999999', e)));
  return { ledger, events };
}

/** The events at least once each (some many times), in an order drawn from `c`. */
function deliveredAsWebhooksDo(events: string[], c: Campaign): string[] {
  const copies = events.flatMap((event, i) => Array.from({ length: c.copies[i % c.copies.length]! }, () => event));
  const out: string[] = [];
  let k = 0;
  while (copies.length > 0) out.push(...copies.splice(c.order[k++ % c.order.length]! % copies.length, 1));
  return out;
}

async function reconcileFiles(ledger: LedgerRecord[], eventFiles: string[][]): Promise<Record<string, string>> {
  const dir = await fixture({ 'campaign.ledger.jsonl': jsonl(ledger) });
  const files = await Promise.all(
    eventFiles.map(async (lines, i) => {
      const file = path.join(dir, `events-${i}.jsonl`);
      await writeFile(file, lines.length ? `${lines.join('\n')}\n` : '');
      return file;
    }),
  );
  const outDir = path.join(dir, 'out');
  await reconcileCampaign({ ledgerFile: path.join(dir, 'campaign.ledger.jsonl'), eventFiles: files, outDir, now: NOW, optOutKeywords: ['STOP'] });
  const out: Record<string, string> = {};
  for (const name of (await readdir(outDir)).sort()) out[name] = await readFile(path.join(outDir, name), 'utf8');
  return out;
}

function foldOf(ledger: LedgerRecord[], events: string[]): CampaignFold {
  const fold = new CampaignFold();
  for (const record of ledger) fold.addLedgerRecord(record);
  for (const event of events) {
    const parsed = parseEventLine(event, KEYWORDS);
    if (parsed.ok) for (const signal of parsed.signals) fold.addSignal(signal);
  }
  return fold;
}

const decide = (ledger: LedgerRecord[], events: string[]) => foldOf(ledger, events).decide(NOW);

describe('the fold: order and duplication of events change nothing', () => {
  it('reconcile writes byte-identical files for the events once each in order, and duplicated, shuffled and split over files', async () => {
    await fc.assert(
      fc.asyncProperty(campaignArb, async (c) => {
        const { ledger, events } = build(c);
        const once = await reconcileFiles(ledger, [events]);
        const shuffled = deliveredAsWebhooksDo(events, c);
        const parts = Array.from({ length: c.split }, (_, p) => shuffled.filter((_, i) => i % c.split === p));
        const again = await reconcileFiles(ledger, parts);
        expect(Object.keys(once).length).toBeGreaterThan(1);
        expect(again).toEqual(once);
      }),
      { seed: 16_001, numRuns: 8 },
    );
  });

  it('the decisions are the same in memory too, for many more campaigns', () => {
    fc.assert(
      fc.property(campaignArb, (c) => {
        const { ledger, events } = build(c);
        expect(decide(ledger, deliveredAsWebhooksDo(events, c))).toEqual(decide(ledger, events));
      }),
      { seed: 16_002, numRuns: 100 },
    );
  });
});

describe('the fold: the shortcut for settled recipients is the rules', () => {
  it('decisions and funnel stages with the shortcut equal those of decideRecipient for every recipient', () => {
    let shortcutTaken = 0;
    fc.assert(
      fc.property(campaignArb, (c) => {
        const { ledger, events } = build(c);
        const fold = foldOf(ledger, deliveredAsWebhooksDo(events, c));
        const fast = fold.decide(NOW);
        expect(fast).toEqual(fold.decide(NOW, false));
        for (let r = 0; r < fold.recipients; r++) expect(fold.funnelStageOf(r)).toBe(fold.funnelStageOf(r, false));
        shortcutTaken += fast.filter((d) => Object.isFrozen(d)).length;
      }),
      { seed: 16_004, numRuns: 200 },
    );
    // The generated campaigns do take the shortcut (delivered and read recipients), and not only it.
    expect(shortcutTaken).toBeGreaterThan(50);
  });

  it('a stop after a read, or a second attempt, is decided by the rules, not the shortcut', () => {
    const phone = '+447400000010';
    const ledger = [runRecord(), intent(phone, 'r1-0', 1, { phone, opt_in: 'yes' }), accepted(phone, 'r1-0', 'wamid.0')];
    const read = metaLine([{ id: 'wamid.0', status: 'read', ts: T0 / 1000 + 10, recipient: phone.slice(1) }]);
    const stop = metaValueLine({ user_preferences: [{ wa_id: phone.slice(1), detail: 'd', category: 'marketing_messages', value: 'stop', timestamp: T0 / 1000 + 20 }] });
    expect(decide(ledger, [read, stop])[0]).toMatchObject({ state: 'suppressed', list: 'suppress' });
    const failedFirst = [runRecord(), intent(phone, 'r1-0', 1, { phone, opt_in: 'yes' }), outcome(phone, 'r1-0', 'failed', '131050', 'opted_out'), intent(phone, 'r1-1', 2), accepted(phone, 'r1-1', 'wamid.0')];
    expect(decide(failedFirst, [read])[0]).toMatchObject({ state: 'suppressed', reason: 'opted_out' });
  });
});

describe('the fold: a status never goes back', () => {
  const phone = '+447400000010';
  const ledger = [runRecord(), intent(phone, 'r1-0', 1, { phone, opt_in: 'yes' }), accepted(phone, 'r1-0', 'wamid.0')];
  const status = (s: (typeof STATUSES)[number], seconds: number) => metaLine([{ id: 'wamid.0', status: s, ts: T0 / 1000 + seconds, recipient: phone.slice(1) }]);
  const stateOf = (events: string[]) => decide(ledger, events)[0]!.state;

  it('the state is the furthest status seen, whatever came after it or when', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ s: fc.constantFrom(...STATUSES), seconds: fc.integer({ min: 0, max: 3_000 }) }), { minLength: 1, maxLength: 8 }), (seen) => {
        const furthest = seen.reduce((best, { s }) => (RANK[s] > RANK[best] ? s : best), 'sent' as (typeof STATUSES)[number]);
        expect(stateOf(seen.map(({ s, seconds }) => status(s, seconds)))).toBe(furthest);
      }),
      { seed: 16_003, numRuns: 200 },
    );
  });

  it('read, then a late delivered and sent (even timestamped later): still read; delivered, then sent: still delivered', () => {
    expect(stateOf([status('read', 10), status('delivered', 20), status('sent', 30)])).toBe('read');
    expect(stateOf([status('delivered', 10), status('sent', 20)])).toBe('delivered');
    expect(stateOf([status('sent', 10)])).toBe('sent');
  });
});
