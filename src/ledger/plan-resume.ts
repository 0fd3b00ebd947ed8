import { PhoneTable } from '../recipients/phone-table.js';
import { MessageIdSet } from './message-id-set.js';
import type { LedgerLine } from './read-ledger.js';
import { NOT_SENT_CODE, type RunRecord } from './ledger-records.js';

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
  /** The last run header, to compare the template with. */
  lastRun: RunRecord | undefined;
  /** The last run that sent the campaign's own CSV (not a retry list), to compare the CSV with. */
  lastCampaignRun: RunRecord | undefined;
  runs: number;
  /** State and attempt count per recipient. */
  recipients: PhoneTable;
  /**
   * When the last request the provider saw of each recipient left in `Retry` ended (ms since the
   * epoch): a resumed run waits out the pair gap before sending to them again. A `not_sent` outcome
   * (no request made) does not count. Few entries: only throttled ones.
   */
  lastRetryAt: Map<string, number>;
  /**
   * Every provider message id the ledger records (their hashes; the ledger says whose): a run adds
   * the ids it is given, so that an id returned for a second recipient is noticed across runs too.
   */
  messageIds: MessageIdSet;
}

/** Folds a ledger into each recipient's state (pure apart from reading the lines given). */
export async function planResume(lines: AsyncIterable<LedgerLine>): Promise<ResumePlan> {
  const recipients = new PhoneTable();
  let lastRun: RunRecord | undefined;
  let lastCampaignRun: RunRecord | undefined;
  let runs = 0;
  const lastRetryAt = new Map<string, number>();
  const messageIds = new MessageIdSet();
  for await (const { record } of lines) {
    if (record.type === 'run') {
      lastRun = record;
      if (!record.retry_list) lastCampaignRun = record;
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
      // The pair gap follows a request the provider saw. `not_sent` (the run stopped before the
      // request was made) reached nobody: it keeps the time of the attempt before it, if any.
      if (state === RecipientState.Retry) {
        if (record.code !== NOT_SENT_CODE) lastRetryAt.set(record.phone, Date.parse(record.at));
      } else lastRetryAt.delete(record.phone);
      if (record.message_id) messageIds.add(record.message_id);
    }
  }
  return { lastRun, lastCampaignRun, runs, recipients, lastRetryAt, messageIds };
}

/** What a run does with a recipient the CSV offers: send it, or skip it as done or in doubt. */
export type ResumeDecision = 'send' | 'done' | 'in_doubt';

/**
 * `listedAttempts` is the `attempts` cell of a retry list (written by reconcile): the list asks for
 * one more attempt after exactly that many. When the ledger still shows that many, this is the retry
 * it asks for, whatever the last attempt's state (an accepted message may have failed later, in a
 * status callback; an in-doubt one may have been resolved as failed). When the ledger shows more,
 * the retry was already made (the same list fed twice): the usual rules apply, so nobody gets it
 * twice. When it shows fewer, the list is not this ledger's: skipped.
 */
export function resumeDecision(plan: ResumePlan, phone: string, listedAttempts?: number): ResumeDecision {
  const value = plan.recipients.get(phone);
  if (listedAttempts !== undefined) {
    const attempts = attemptsOf(value);
    if (attempts === listedAttempts) return 'send';
    if (attempts < listedAttempts) return 'done';
  }
  const state = stateOf(value);
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
