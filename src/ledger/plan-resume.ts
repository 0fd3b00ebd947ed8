import { PhoneTable } from '../recipients/phone-table.js';
import type { LedgerLine } from './read-ledger.js';
import type { RunRecord } from './ledger-records.js';

/** Where a recipient stands after everything the ledger records. */
export const RecipientState = {
  /** An attempt was made and nothing is known of its result: never re-sent automatically. */
  InDoubt: 1,
  Accepted: 2,
  Failed: 3,
  /** The last attempt was throttled or hit a transient error: send again. */
  Retry: 4,
} as const;
export type RecipientState = (typeof RecipientState)[keyof typeof RecipientState];

const STATE_BITS = 3;

export interface ResumePlan {
  /** The last run header, to compare inputs with. */
  lastRun: RunRecord | undefined;
  runs: number;
  /** State and attempt count per recipient. */
  recipients: PhoneTable;
  /**
   * When the last attempt of each recipient left in `Retry` ended (ms since the epoch): a resumed
   * run waits out the pair gap before sending to them again. Few entries: only throttled ones.
   */
  lastRetryAt: Map<string, number>;
}

/** Folds a ledger into each recipient's state (pure apart from reading the lines given). */
export async function planResume(lines: AsyncIterable<LedgerLine>): Promise<ResumePlan> {
  const recipients = new PhoneTable();
  let lastRun: RunRecord | undefined;
  let runs = 0;
  const lastRetryAt = new Map<string, number>();
  for await (const { record } of lines) {
    if (record.type === 'run') {
      lastRun = record;
      runs++;
    } else if (record.type === 'intent') {
      const attempts = attemptsOf(recipients.get(record.phone)) + 1;
      recipients.set(record.phone, pack(RecipientState.InDoubt, attempts));
    } else {
      const current = recipients.get(record.phone);
      const state: RecipientState =
        record.outcome === 'accepted'
          ? RecipientState.Accepted
          : record.outcome === 'failed'
            ? RecipientState.Failed
            : record.outcome === 'retry'
              ? RecipientState.Retry
              : RecipientState.InDoubt;
      recipients.set(record.phone, pack(state, Math.max(1, attemptsOf(current))));
      if (state === RecipientState.Retry) lastRetryAt.set(record.phone, Date.parse(record.at));
      else lastRetryAt.delete(record.phone);
    }
  }
  return { lastRun, runs, recipients, lastRetryAt };
}

/** What a run does with a recipient the CSV offers: send it, or skip it as done or in doubt. */
export type ResumeDecision = 'send' | 'done' | 'in_doubt';

export function resumeDecision(plan: ResumePlan, phone: string): ResumeDecision {
  const state = stateOf(plan.recipients.get(phone));
  if (state === RecipientState.Accepted || state === RecipientState.Failed) return 'done';
  if (state === RecipientState.InDoubt) return 'in_doubt';
  return 'send';
}

export function pack(state: RecipientState, attempts: number): number {
  return attempts * (1 << STATE_BITS) + state;
}

export function stateOf(value: number): RecipientState | undefined {
  return value === 0 ? undefined : ((value % (1 << STATE_BITS)) as RecipientState);
}

export function attemptsOf(value: number): number {
  return Math.floor(value / (1 << STATE_BITS));
}
