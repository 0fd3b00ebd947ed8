import { attemptsOf, resumeDecision, type ResumePlan } from '../ledger/plan-resume.js';
import { notYetDue } from './retry-list.js';
import type { Recipient } from '../recipients/audience.js';
import type { Audience } from '../recipients/open-audience.js';
import type { CsvRow } from '../recipients/read-csv.js';
import type { CampaignStats } from './campaign-stats.js';
import type { Clock } from '../clock.js';
import type { DailyAllowance } from './daily-allowance.js';
import type { RetryQueue } from './retry-queue.js';
import { PAIR_GAP_MS, type AttemptHistory } from './retry-policy.js';

/** One attempt to send to one recipient. */
export interface Job {
  recipient: Recipient;
  /** This attempt's number in the ledger (1 for a first send, counting earlier runs' attempts). */
  attempt: number;
  /** The row as header → cell, written with the recipient's first attempt in this ledger. */
  row: Record<string, string> | undefined;
  history: AttemptHistory;
}

export interface JobSourceOptions {
  audience: Audience;
  plan: ResumePlan;
  clock: Clock;
  /** Where a recipient an earlier run tried moments ago waits out the pair gap. */
  retries: RetryQueue<Job>;
  /** Counts rows rejected by the rules, and recipients the ledger already settles. */
  stats: CampaignStats;
  /** `--daily-limit`: a recipient without a place is left for a later run. */
  allowance?: DailyAllowance | undefined;
}

/**
 * The campaign's new work: the CSV's rows, in file order, checked by the rules (rejected ones
 * counted), minus what the resume plan says is done or in doubt. Reads the CSV a batch at a time
 * as the campaign asks, so memory stays flat. A recipient an earlier run of this ledger tried
 * less than the pair gap ago is put in the retry queue for when the gap is over, not sent now.
 */
export class JobSource {
  private readonly rows: AsyncIterator<CsvRow[]>;
  /** The current batch's recipients, last first (pop keeps file order). */
  private batch: Recipient[] = [];
  private done = false;

  constructor(private readonly options: JobSourceOptions) {
    this.rows = options.audience.batches[Symbol.asyncIterator]();
  }

  /** The next recipient to send to now, or undefined when the CSV is exhausted. */
  async next(): Promise<Job | undefined> {
    const { audience, plan, clock, stats } = this.options;
    for (;;) {
      const recipient = this.batch.pop() ?? (await this.nextBatch());
      if (!recipient) return undefined;
      if (notYetDue(recipient, clock.date().getTime())) {
        stats.skipped_not_due++;
        continue;
      }
      const decision = resumeDecision(plan, recipient.phone, recipient.listedAttempts);
      if (decision === 'done') {
        stats.skipped++;
        continue;
      }
      if (decision === 'in_doubt') {
        stats.skipped_in_doubt++;
        continue;
      }
      if (this.options.allowance && !this.options.allowance.take(recipient.phone)) continue;
      const attempts = attemptsOf(plan.recipients.get(recipient.phone));
      const job: Job = {
        recipient,
        attempt: attempts + 1,
        row: attempts === 0 ? Object.fromEntries(audience.header.map((name, i) => [name, recipient.fields[i] ?? ''])) : undefined,
        history: { transientRetries: 0, pairRateRetries: 0 },
      };
      // An earlier run tried this number moments ago: keep the pair gap across runs too.
      const waitMs = (plan.lastRetryAt.get(recipient.phone) ?? -Infinity) + PAIR_GAP_MS - clock.date().getTime();
      if (waitMs > 0) {
        this.options.retries.push(clock.now() + waitMs, job);
        continue;
      }
      return job;
    }
  }

  /** Reads batches until one holds a sendable recipient; returns it (the rest wait in `batch`). */
  private async nextBatch(): Promise<Recipient | undefined> {
    const { audience, stats } = this.options;
    while (!this.done) {
      const next = await this.rows.next();
      if (next.done) {
        this.done = true;
        return undefined;
      }
      for (const row of next.value) {
        const verdict = audience.check(row);
        if (verdict.ok) this.batch.push(verdict.recipient);
        else stats.rejected[verdict.issue.reason] = (stats.rejected[verdict.issue.reason] ?? 0) + 1;
      }
      this.batch.reverse();
      const first = this.batch.pop();
      if (first) return first;
    }
    return undefined;
  }
}
