import pLimit from 'p-limit';
import { NOT_SENT_CODE, type OutcomeRecord, type OutcomeState } from '../ledger/ledger-records.js';
import type { LedgerWriter } from '../ledger/open-ledger-writer.js';
import { findMessageIdOwner } from '../ledger/find-message-id-owner.js';
import { MessageIdOwners } from '../ledger/message-id-owners.js';
import type { MessageIdSeen } from '../ledger/message-id-set.js';
import type { ResumePlan } from '../ledger/plan-resume.js';
import type { Transport } from '../providers/http-transport.js';
import type { Provider } from '../providers/provider.js';
import type { Audience } from '../recipients/open-audience.js';
import { ledgerStop, lockLostStop, type CampaignEnd, type CampaignStop } from './campaign-end.js';
import { emptyStats, type CampaignStats } from './campaign-stats.js';
import type { Clock } from '../clock.js';
import type { DailyAllowance } from './daily-allowance.js';
import { JobSource, type Job } from './job-source.js';
import type { PacingState } from './pacer.js';
import { RetryQueue } from './retry-queue.js';
import type { SenderPacers } from './sender-pacers.js';
import { sendAttempt, type AttemptResult } from './send-attempt.js';
import { HEALTHY, isUsableMessageId, settle, type Settlement } from './settle.js';
import type { UnrecordedOutcome } from './unrecorded-outcome.js';

export interface CampaignDeps {
  runId: string;
  audience: Audience;
  plan: ResumePlan;
  provider: Provider;
  transport: Transport;
  ledger: LedgerWriter;
  clock: Clock;
  /** The pacing, per sending number. */
  pacers: Pick<SenderPacers, 'for' | 'mps'>;
  /** Whose throughput the campaign's messages count against (one sender a campaign, for now). */
  sender: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** `--daily-limit`: new recipients past it are not sent in this run. */
  allowance?: DailyAllowance | undefined;
  /** Terminal failures in a row that stop the campaign (a bad template or account fails everyone). */
  maxConsecutiveFailures: number;
  /** Aborted on Ctrl-C / SIGTERM: no new requests; those in flight finish. */
  signal: AbortSignal;
  /**
   * Aborted, with why as its reason, when the ledger's lock was removed or taken over: another
   * send may be writing the ledger. The campaign stops as on a ledger failure (no new requests;
   * those in flight finish and are recorded).
   */
  lockLost?: AbortSignal;
  onProgress?: (stats: CampaignStats) => void;
  /**
   * Removes credentials from text that came from outside (a provider's error title, a transport
   * error, a message id) before it is stored: a provider that echoes the request would otherwise
   * put the token in the ledger. The same redactor as the command's output.
   */
  redact: (text: string) => string;
}

/**
 * The dispatcher: takes the next job (a due retry before a new row from the job source), waits
 * for room under the in-flight cap (p-limit) and for the pacer, and starts the attempt
 * (send-attempt.ts: intent → admit → request); each answer is settled by the pure policy
 * (settle.ts) and carried out here: the outcome record, the counts, a retry in the queue, the
 * pacer slowed, the campaign stopped.
 */
export async function runCampaign(deps: CampaignDeps): Promise<{ stats: CampaignStats; end: CampaignEnd; unrecorded: UnrecordedOutcome[] }> {
  const { plan, ledger, clock, signal } = deps;
  const pacer = deps.pacers.for(deps.sender);
  const stats = emptyStats();
  const retries = new RetryQueue<Job>();
  const jobs = new JobSource({ audience: deps.audience, plan, clock, retries, stats, allowance: deps.allowance });
  const inFlight = pLimit(deps.concurrency);
  const attemptDeps = { ...deps, stats };
  const messageIds = new MessageIdOwners(plan.messageIds, async (id) => {
    await ledger.settled();
    // What a failed ledger refused may hold the id: it cannot tell.
    if (ledger.failed) return 'unknown';
    const phone = await findMessageIdOwner(ledger.file, id);
    return phone === undefined ? 'absent' : { phone };
  });
  /** The counts for the progress line, with the retries now waiting in the queue. */
  const progress = () => {
    stats.retries_waiting = retries.size;
    if (stats.pacing) stats.pacing = pacingOf(pacer.state());
    deps.onProgress?.(stats);
  };
  let health = HEALTHY;
  let end: CampaignStop | undefined;
  const stop = new AbortController();
  // Wakes the dispatcher when an attempt finishes (it may have queued a retry or freed a slot) or the campaign stops.
  let wake: (() => void) | undefined;
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const onLockLost = () => halt(lockLostStop(String(deps.lockLost!.reason)));
  deps.lockLost?.addEventListener('abort', onLockLost, { once: true });
  stop.signal.addEventListener('abort', () => wake?.(), { once: true });
  if (signal.aborted) stop.abort(); // interrupted before the first request (while validating, say)
  /**
   * Outcomes the ledger refused (it failed): filled as they are refused, also by the writer's final
   * flush after this returns. The caller tries them once more and counts what stays unrecorded.
   */
  const unrecorded: UnrecordedOutcome[] = [];

  /** Stops the campaign (the first reason given is the one reported). */
  const halt = (reason: CampaignStop) => {
    end ??= reason;
    stop.abort();
  };
  if (deps.lockLost?.aborted) onLockLost(); // lost while the plan was being confirmed

  const record = (job: Job, cid: string, state: OutcomeState, fields: Partial<OutcomeRecord>, kind: UnrecordedOutcome['kind'], now: boolean, held = false) => {
    // Not awaited: the next send need not wait for this outcome's fsync. A failure is kept by the
    // writer and stops the dispatcher before its next request; the outcome is kept for one more try.
    const outcome: OutcomeRecord = Object.assign({ type: 'outcome' as const, at: clock.date().toISOString(), cid, phone: job.recipient.phone, outcome: state }, fields);
    (now ? ledger.append(outcome) : ledger.appendSoon(outcome)).catch(() => unrecorded.push({ record: outcome, kind, held }));
  };

  const finish = (job: Job, result: AttemptResult): void | Promise<void> => {
    if (result.kind === 'not_sent') {
      // The campaign stopped between this attempt's intent and its request: saying so keeps this
      // recipient out of "in doubt" (the next run sends it). Written at once, not with the next
      // batch: the run is ending, and a kill -9 while those in flight finish must not find the
      // intent alone.
      record(job, result.cid, 'retry', { code: NOT_SENT_CODE, title: 'the campaign stopped before this request was made' }, 'not_sent', true);
      return;
    }
    const { outcome } = result;
    // The one impure question the policy needs answered: has this id been seen, and for whom? Known
    // at once nearly always; a hash seen before is settled by the ledger first (message-id-owners.ts).
    const messageIdSeen = outcome.kind === 'accepted' && isUsableMessageId(outcome.messageId) ? messageIds.add(outcome.messageId, job.recipient.phone) : undefined;
    if (messageIdSeen instanceof Promise) return messageIdSeen.then((seen) => conclude(job, result, seen));
    conclude(job, result, messageIdSeen);
  };

  /** Carries out the policy's answer for an attempt that was made. */
  const conclude = (job: Job, result: Exclude<AttemptResult, { kind: 'not_sent' }>, messageIdSeen: MessageIdSeen | undefined) => {
    const { outcome } = result;
    const settled = settle(outcome, job.history, { now: clock.now(), requestAt: result.requestAt, health, messageIdSeen, maxConsecutiveFailures: deps.maxConsecutiveFailures, mps: deps.pacers.mps });
    health = settled.health;
    count(stats, settled);
    if (settled.slowDown) {
      pacer.throttled(result.requestAt, settled.slowDown.pauseMs);
      stats.pacing = pacingOf(pacer.state());
    } else pacer.answered(result.requestAt);
    record(job, result.cid, settled.state, settled.fields, settled.tally ?? 'retry', false, settled.held);
    if (settled.retryAt !== undefined) {
      stats.retries++;
      retries.push(settled.retryAt, { recipient: job.recipient, attempt: job.attempt + 1, row: undefined, history: settled.history });
    }
    if (settled.halt) halt(settled.halt);
    if (settled.throttle) progress(); // a throttling wait is news for the progress line
  };

  const launch = (job: Job) => {
    inFlight(async () => finish(job, await sendAttempt(job, attemptDeps, pacer, stop.signal)))
      // Only the ledger can fail here; the writer keeps the error and the dispatcher stops.
      .catch((error: unknown) => halt(ledgerStop((error as Error).message)))
      // On the next turn of the event loop: p-limit frees the slot in a callback of its own once the
      // attempt has settled, and the dispatcher, woken, must find it free.
      .finally(() => setImmediate(() => wake?.()));
  };

  const busy = () => inFlight.activeCount + inFlight.pendingCount > 0;

  /** Sleeps until an attempt finishes, the campaign stops (unless `drain`), or `ms` pass. */
  const waitForWake = async (ms?: number, drain = false) => {
    // Only a timed wait needs a timer to cancel (most waits are for an attempt to finish).
    const timer = ms === undefined ? undefined : new AbortController();
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (stop.signal.aborted && !drain) resolve();
      if (timer) void clock.sleep(ms!, timer.signal).then(resolve);
    });
    wake = undefined;
    // No timer left behind to hold the process open. A reason of our own: abort() without one
    // builds a DOMException with a stack trace, 2 % of send's CPU at 1,000 MPS.
    timer?.abort(WOKEN);
  };

  try {
    while (!stop.signal.aborted && !ledger.failed) {
      if (inFlight.activeCount + inFlight.pendingCount >= inFlight.concurrency) {
        await waitForWake();
        continue;
      }
      const job = retries.popDue(clock.now()) ?? (await jobs.next());
      if (!job) {
        const dueAt = retries.nextDueAt;
        if (dueAt !== undefined) await waitForWake(dueAt - clock.now());
        else if (busy()) await waitForWake();
        else break;
        continue;
      }
      if (!(await pacer.acquire(stop.signal))) break; // interrupted while waiting: never sent, and resume will send it
      launch(job);
      progress();
    }
    // Those in flight finish and are recorded, whatever stopped the campaign.
    while (busy()) await waitForWake(undefined, true);
  } finally {
    signal.removeEventListener('abort', onAbort);
    deps.lockLost?.removeEventListener('abort', onLockLost);
  }
  if (ledger.failed) end ??= ledgerStop(ledger.failed.message);
  progress();
  return { stats, end: end ?? (signal.aborted ? { reason: 'interrupted' } : { reason: 'done' }), unrecorded };
}

/** Why a timed wait's timer is cancelled: the dispatcher woke before it fired. */
const WOKEN = 'woken';

/** The pacing as the stats carry it. */
function pacingOf(state: PacingState): CampaignStats['pacing'] {
  return { mps: state.mps, rate: state.rate, providerRate: state.providerRate, throttleReactions: state.throttleReactions, limitFound: state.limitFound, timeBelowMs: state.timeBelowMs };
}

/** Adds a settled answer to the summary's counts. */
function count(stats: CampaignStats, settled: Settlement): void {
  if (settled.tally) stats[settled.tally]++;
  if (settled.held) stats.held++;
  if (settled.duplicateMessageId) stats.duplicate_message_ids++;
  if (settled.errorCode !== undefined) {
    stats.errors[settled.errorCode] = (stats.errors[settled.errorCode] ?? 0) + 1;
    if (settled.state !== 'accepted') {
      const byCode = stats.errorsByOutcome[settled.state];
      byCode[settled.errorCode] = (byCode[settled.errorCode] ?? 0) + 1;
    }
  }
  if (settled.throttle !== undefined) stats.throttle = settled.throttle ?? undefined;
}
