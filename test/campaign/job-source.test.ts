import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyStats } from '../../src/campaign/campaign-stats.js';
import { JobSource, type Job } from '../../src/campaign/job-source.js';
import { RetryQueue } from '../../src/campaign/retry-queue.js';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { planResume } from '../../src/ledger/plan-resume.js';
import { openAudience } from '../../src/recipients/open-audience.js';
import { ManualClock } from '../manual-clock.js';
import { fixture } from '../helpers.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';
import { DailyAllowance } from '../../src/campaign/daily-allowance.js';
import { PAIR_GAP_MS } from '../../src/campaign/retry-policy.js';
import type { Audience } from '../../src/recipients/open-audience.js';
import type { CsvRow } from '../../src/recipients/read-csv.js';


async function* lines(records: LedgerRecord[]) {
  for (const [i, record] of records.entries()) yield { line: i + 1, record };
}

describe('JobSource', () => {
  it('yields sendable rows in file order, counts the rejected and the settled, and sends a number tried moments ago after the pair gap', async () => {
    // The manual clock's date() is 2026-11-24T00:00:00Z at 0 ms.
    const csv = [
      'phone,opt_in,name',
      '+447400100001,yes,A', // line 2: sent
      '+447400100002,no,B', // line 3: no consent
      '+447400100003,yes,C', // line 4: accepted in an earlier run
      '+447400100004,yes,D', // line 5: in doubt in an earlier run
      '+447400100005,yes,E', // line 6: throttled 2 s ago: waits 4 s more
      'not a number,yes,F', // line 7: invalid
      '+447400100007,yes,G', // line 8: sent
    ].join('\n');
    const dir = await fixture({ 'c.csv': `${csv}\n`, 's.yaml': SPEC });
    const at = '2026-11-23T23:59:58.000Z';
    const plan = await planResume(
      lines([
        { type: 'intent', at, cid: 'x-1', phone: '+447400100003', line: 4, attempt: 1 },
        { type: 'outcome', at, cid: 'x-1', phone: '+447400100003', outcome: 'accepted', message_id: 'wamid.C' },
        { type: 'intent', at, cid: 'x-2', phone: '+447400100004', line: 5, attempt: 1 },
        { type: 'intent', at, cid: 'x-3', phone: '+447400100005', line: 6, attempt: 1 },
        { type: 'outcome', at, cid: 'x-3', phone: '+447400100005', outcome: 'retry', code: '130429' },
      ]),
    );
    const audience = await openAudience({ csvFile: path.join(dir, 'c.csv'), templateFile: path.join(dir, 's.yaml') });
    const clock = new ManualClock();
    const retries = new RetryQueue<Job>();
    const stats = emptyStats();
    const source = new JobSource({ audience, plan, clock, retries, stats });
    const jobs: Job[] = [];
    for (let job = await source.next(); job; job = await source.next()) jobs.push(job);
    audience.close();

    expect(jobs.map((j) => [j.recipient.line, j.attempt])).toEqual([
      [2, 1],
      [8, 1],
    ]);
    expect(jobs[0]!.row).toEqual({ phone: '+447400100001', opt_in: 'yes', name: 'A' });
    expect(stats).toMatchObject({ skipped: 1, skipped_in_doubt: 1, rejected: { no_opt_in: 1, invalid_number: 1 } });
    // The throttled one waits in the retry queue until 6 s after its last attempt, as attempt 2, without its row again.
    expect(retries.size).toBe(1);
    expect(retries.nextDueAt).toBe(4000);
    expect(retries.popDue(3999)).toBeUndefined();
    const later = retries.popDue(4000)!;
    expect([later.recipient.line, later.attempt, later.row]).toEqual([6, 2, undefined]);
    expect(await source.next()).toBeUndefined();
  });
});

describe('JobSource: the edges', () => {
  const CSV = ['phone,opt_in,name', '+447400100001,no,A', 'not a number,yes,B', '+447400100003,yes,C', '+447400100004,yes,D'].join('\n');

  async function source(options: { records?: LedgerRecord[]; allowance?: DailyAllowance; batches?: (rows: CsvRow[]) => CsvRow[][]; dueAt?: (line: number) => number | undefined } = {}) {
    const dir = await fixture({ 'c.csv': `${CSV}\n`, 's.yaml': SPEC });
    const real = await openAudience({ csvFile: path.join(dir, 'c.csv'), templateFile: path.join(dir, 's.yaml') });
    const rows: CsvRow[] = [];
    for await (const batch of real.batches) rows.push(...batch);
    const batches = options.batches?.(rows) ?? [rows];
    const audience: Audience = {
      ...real,
      batches: (async function* () {
        yield* batches;
      })(),
      check: (row) => {
        const verdict = real.check(row);
        const due = options.dueAt?.(row.line);
        if (verdict.ok && due !== undefined) verdict.recipient.listedDueAt = due;
        return verdict;
      },
    };
    const stats = emptyStats();
    const retries = new RetryQueue<Job>();
    const plan = await planResume(lines(options.records ?? []));
    const jobs = new JobSource({ audience, plan, clock: new ManualClock(), retries, stats, allowance: options.allowance });
    const all: Job[] = [];
    for (let job = await jobs.next(); job; job = await jobs.next()) all.push(job);
    real.close();
    return { jobs: all, stats, retries };
  }

  it('a batch whose rows are all rejected is not the end of the CSV: the next batch is read', async () => {
    const { jobs, stats } = await source({ batches: (rows) => [rows.slice(0, 2), [], rows.slice(2)] });
    expect(jobs.map((j) => j.recipient.line)).toEqual([4, 5]);
    expect(jobs[0]!.history).toEqual({ transientRetries: 0, pairRateRetries: 0 });
    expect(stats.rejected).toEqual({ no_opt_in: 1, invalid_number: 1 });
  });

  it('a retry-list row not due yet is skipped and counted; one due now is sent', async () => {
    // The manual clock's date is 2026-11-24T00:00:00Z: line 4 is due a millisecond later, line 5 now.
    const now = Date.parse('2026-11-24T00:00:00.000Z');
    const { jobs, stats } = await source({ dueAt: (line) => (line === 4 ? now + 1 : now) });
    expect(jobs.map((j) => j.recipient.line)).toEqual([5]);
    expect(stats.skipped_not_due).toBe(1);
  });

  it('--daily-limit: a recipient without a place is left for a later run, counted by the allowance, not as skipped', async () => {
    const allowance = new DailyAllowance(1, new Set());
    const { jobs, stats } = await source({ allowance });
    expect(jobs.map((j) => j.recipient.line)).toEqual([4]);
    expect(allowance.held).toBe(1);
    expect([stats.skipped, stats.skipped_in_doubt, stats.skipped_not_due]).toEqual([0, 0, 0]);
  });

  it('a number tried exactly the pair gap ago is sent now, not queued', async () => {
    const at = '2026-11-23T23:59:54.000Z'; // 6 s before the manual clock's 0
    const { jobs, retries } = await source({
      records: [
        { type: 'intent', at, cid: 'x-1', phone: '+447400100003', line: 4, attempt: 1 },
        { type: 'outcome', at, cid: 'x-1', phone: '+447400100003', outcome: 'retry', code: '130429' },
      ],
    });
    expect(PAIR_GAP_MS).toBe(6_000);
    expect(jobs.map((j) => [j.recipient.line, j.attempt, j.row])).toEqual([
      [4, 2, undefined],
      [5, 1, { phone: '+447400100004', opt_in: 'yes', name: 'D' }],
    ]);
    expect(retries.size).toBe(0);
  });

  it('a row with fewer cells than the header: the row written with its first attempt has the missing columns empty', async () => {
    // `note` is not a placeholder of the template, so the short row is sendable.
    const dir = await fixture({ 'c.csv': 'phone,opt_in,name,note\n+447400100001,yes,A\n+447400100002,yes,B,vip\n', 's.yaml': SPEC });
    const audience = await openAudience({ csvFile: path.join(dir, 'c.csv'), templateFile: path.join(dir, 's.yaml') });
    const jobs = new JobSource({ audience, plan: await planResume(lines([])), clock: new ManualClock(), retries: new RetryQueue<Job>(), stats: emptyStats() });
    const rows: Job['row'][] = [];
    for (let job = await jobs.next(); job; job = await jobs.next()) rows.push(job.row);
    audience.close();
    expect(rows).toEqual([
      { phone: '+447400100001', opt_in: 'yes', name: 'A', note: '' },
      { phone: '+447400100002', opt_in: 'yes', name: 'B', note: 'vip' },
    ]);
  });
});
