import { appendFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { SendPlan } from '../../src/campaign/send-campaign.js';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { intentFor, outcomeFor } from '../ledger-record-builders.js';
import { accepted, csvOf, refused, sendSetup, sentKind, timedOut } from './send-campaign-setup.js';

// What sendCampaign counts for the plan the user confirms: the resume decisions, the retry list's
// rows not due yet, the daily limit's window. `confirm` answers no: the plan is all there is.

const counts = (plan: SendPlan) => ({ toSend: plan.toSend, alreadyDone: plan.alreadyDone, inDoubt: plan.inDoubt, notDue: plan.notDue, nextDueAt: plan.nextDueAt, dailyLimit: plan.dailyLimit, preflight: plan.preflight });
const NO_LOOKUP = { checked: false, reason: 'no template look-up for this provider' };
const lines = (records: LedgerRecord[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

describe('sendCampaign: the plan of a resumed campaign', () => {
  it('counts the done, the in doubt and the new; no due time, no daily limit', async () => {
    const s = await sendSetup(6);
    await writeFile(s.options.csvFile, csvOf(s.list.slice(0, 4)));
    // The first run: accepted, failed, in doubt, accepted.
    const answers = [accepted, () => refused(), () => timedOut, accepted];
    sentKind(await s.send({}, { transport: s.transport((to, n) => answers[n - 1]!(to)) }));
    await writeFile(s.options.csvFile, csvOf(s.list));
    let confirmed: SendPlan | undefined;
    const result = await s.send({ allowChangedInputs: true }, { confirm: async (plan) => ((confirmed = plan), false) });
    expect(result.kind).toBe('cancelled');
    expect(confirmed).toBe(result.plan);
    expect(counts(result.plan)).toEqual({ toSend: 2, alreadyDone: 3, inDoubt: 1, notDue: 0, nextDueAt: undefined, dailyLimit: undefined, preflight: NO_LOOKUP });
    expect('dailyLimit' in result.plan).toBe(false);
  });
});

describe('sendCampaign: the plan of a retry list', () => {
  it('rows due later are counted apart, with the earliest due time; the rest are sent, and the run says it was a retry list', async () => {
    const s = await sendSetup(4);
    sentKind(await s.send({}, { transport: s.transport(() => refused()) }));
    const [a, b, c, d] = s.list as [string, string, string, string];
    const now = s.clock.date().getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    // a due an hour ago, b in two hours, c in one hour, d (no due time) at once.
    const retry = `phone,opt_in,name,reason,error_code,attempts,due_at\n${a},yes,A,failed,131026,1,${iso(now - 3600_000)}\n${b},yes,B,failed,131026,1,${iso(now + 7200_000)}\n${c},yes,C,failed,131026,1,${iso(now + 3600_000)}\n${d},yes,D,failed,131026,1,\n`;
    await writeFile(s.options.csvFile, retry);
    const plan = (await s.send({}, { confirm: async () => false })).plan;
    expect(counts(plan)).toEqual({ toSend: 2, alreadyDone: 0, inDoubt: 0, notDue: 2, nextDueAt: now + 3600_000, dailyLimit: undefined, preflight: NO_LOOKUP });

    s.requested.length = 0;
    const result = sentKind(await s.send());
    expect(result.plan.toSend).toBe(2);
    expect(s.requested).toEqual([a, d]);
    const runs = (await s.records()).filter((r) => r.type === 'run');
    expect(runs.map((r) => r.retry_list)).toEqual([undefined, true]);
  });
});

describe('sendCampaign: the plan under --daily-limit', () => {
  // The manual clock's date is 2026-11-24T00:00Z. In the window: a at 01:00 and b at 02:00 the day
  // before (accepted); outside it: z, 36 hours before.
  async function limited(rows: number) {
    const s = await sendSetup(4);
    const [a, b] = s.list as [string, string];
    const z = '+447400399999';
    const at = (iso: string) => ({ at: iso });
    await writeFile(
      s.options.ledgerFile,
      lines([
        intentFor(z, at('2026-11-22T12:00:00.000Z')),
        outcomeFor(z, 'accepted', at('2026-11-22T12:00:01.000Z')),
        intentFor(a, at('2026-11-23T01:00:00.000Z')),
        outcomeFor(a, 'accepted', at('2026-11-23T01:00:01.000Z')),
        intentFor(b, at('2026-11-23T02:00:00.000Z')),
        outcomeFor(b, 'accepted', at('2026-11-23T02:00:01.000Z')),
      ]),
    );
    await writeFile(s.options.csvFile, csvOf(s.list.slice(0, rows)));
    return async (limit: number) => (await s.send({ dailyRecipientLimit: limit }, { confirm: async () => false })).plan;
  }

  it('room left: the two of the window counted, nothing held, no time to wait for', async () => {
    const plan = await (await limited(4))(5);
    expect(counts(plan)).toMatchObject({ toSend: 2, alreadyDone: 2, inDoubt: 0 });
    expect(plan.dailyLimit).toEqual({ limit: 5, sentLast24h: 2, held: 0, nextAt: undefined });
  });

  it('room for one of two new: one held, the next place frees 24 h after the oldest of the window', async () => {
    const plan = await (await limited(4))(3);
    expect(counts(plan)).toMatchObject({ toSend: 1, alreadyDone: 2, inDoubt: 0 });
    expect(plan.dailyLimit).toEqual({ limit: 3, sentLast24h: 2, held: 1, nextAt: '2026-11-24T01:00:00.000Z' });
  });

  it('the window exactly full, nobody new: the next place frees 24 h after its oldest', async () => {
    const plan = await (await limited(2))(2);
    expect(counts(plan)).toMatchObject({ toSend: 0, alreadyDone: 2 });
    expect(plan.dailyLimit).toEqual({ limit: 2, sentLast24h: 2, held: 0, nextAt: '2026-11-24T01:00:00.000Z' });
  });

  it('more in the window than the limit: the place frees when enough have left it', async () => {
    const plan = await (await limited(2))(1);
    expect(plan.dailyLimit).toEqual({ limit: 1, sentLast24h: 2, held: 0, nextAt: '2026-11-24T02:00:00.000Z' });
  });

  it('the window full and new recipients held: all of them', async () => {
    const plan = await (await limited(4))(2);
    expect(counts(plan)).toMatchObject({ toSend: 0, alreadyDone: 2 });
    expect(plan.dailyLimit).toEqual({ limit: 2, sentLast24h: 2, held: 2, nextAt: '2026-11-24T01:00:00.000Z' });
  });
});
