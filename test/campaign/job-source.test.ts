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
