import type { LedgerWriter } from '../ledger/ledger-writer.js';
import type { OutcomeRecord, OutcomeState } from '../ledger/ledger-records.js';
import { attemptsOf, resumeDecision, type ResumePlan } from '../ledger/plan-resume.js';
import type { Recipient, RejectReason } from '../recipients/audience.js';
import type { Audience } from '../recipients/open-audience.js';
import { HELD_STATUS, type Outcome, type Provider } from '../providers/provider.js';
import type { Transport } from '../providers/http-transport.js';
import type { Clock } from './clock.js';
import type { Pacer } from './pacer.js';
import { PAIR_GAP_MS, THROTTLE_STOP_MS, nextRetry, throttleWaitMs, type AttemptHistory } from './retry-policy.js';

export interface CampaignStats {
  accepted: number;
  /** Accepted but held by Meta for quality assessment (template pacing); counted in accepted too. */
  held: number;
  failed: number;
  in_doubt: number;
  /** Already done in the ledger (accepted or failed), not sent again. */
  skipped: number;
  /** In doubt in the ledger from an earlier run: skipped, never re-sent automatically. */
  skipped_in_doubt: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Failed attempts by provider error code (retried ones included). */
  errors: Record<string, number>;
  retries: number;
  /** Answers repeating a message id already returned for another recipient (counted in in_doubt too). */
  duplicate_message_ids: number;
  /** Requests made. */
  requests: number;
  /** Clock times (ms) of the first and the last request, for the rate. */
  firstRequestAt: number | undefined;
  lastRequestAt: number | undefined;
  /**
   * The last throttling answer, while no acceptance has come since: what it asked to wait
   * (Retry-After) and what the campaign waits (capped), for the progress line.
   */
  throttle: { askedMs: number | undefined; waitMs: number | undefined } | undefined;
}

/** Requests per second between the first request and the last; 0 with fewer than two. */
export function requestRate(stats: CampaignStats): number {
  const { firstRequestAt: first, lastRequestAt: last, requests } = stats;
  if (first === undefined || last === undefined || requests < 2 || last <= first) return 0;
  return ((requests - 1) * 1000) / (last - first);
}

export type CampaignEnd =
  | { reason: 'done' }
  | { reason: 'interrupted' }
  | { reason: 'stopped'; code: string; title: string; fix: string };

export interface CampaignDeps {
  runId: string;
  audience: Audience;
  plan: ResumePlan;
  provider: Provider;
  transport: Transport;
  ledger: LedgerWriter;
  clock: Clock;
  pacer: Pacer;
  /** Requests in flight at once. */
  concurrency: number;
  /** Terminal failures in a row that stop the campaign (a bad template or account fails everyone). */
  maxConsecutiveFailures: number;
  /** Aborted on Ctrl-C / SIGTERM: no new requests; those in flight finish. */
  signal: AbortSignal;
  onProgress?: (stats: CampaignStats) => void;
  /**
   * Removes credentials from text that came from outside (a provider's error title, a transport
   * error, a message id) before it is stored: a provider that echoes the request would otherwise
   * put the token in the ledger. The same redactor as the command's output.
   */
  redact: (text: string) => string;
}

/** The in-doubt code of an answer repeating a message id returned for another recipient. */
export const DUPLICATE_MESSAGE_ID = 'duplicate_message_id';
/** A provider message id as wamids and SM sids look: printable ASCII, not absurdly long. */
const MESSAGE_ID = /^[\x21-\x7e]{1,256}$/;

/** Stored text from outside is cut to this length (after redaction): a title, not an echoed request. */
const MAX_STORED_TEXT = 500;

/**
 * The outcome with every text that came from outside (the provider's title, message id, WhatsApp
 * id and status; a transport error's message) redacted and cut short: it goes to the ledger, the
 * stop message and the summary from here on.
 */
function cleaned(outcome: Outcome, redact: (text: string) => string): Outcome {
  const clean = (text: string) => redact(String(text)).slice(0, MAX_STORED_TEXT);
  // A provider may put anything where a string belongs (a number, an object): only text is kept.
  const cleanOptional = (text: unknown) => (typeof text === 'string' ? clean(text) : undefined);
  switch (outcome.kind) {
    case 'accepted':
      return { ...outcome, messageId: clean(outcome.messageId), waId: cleanOptional(outcome.waId), status: cleanOptional(outcome.status) };
    default:
      return { ...outcome, code: clean(outcome.code), title: clean(outcome.title) };
  }
}

/**
 * The ledger could not be written. True whatever failed: a request leaves only after its whole
 * intent is on disk, and an answer that could not be recorded leaves its send in doubt (never
 * re-sent automatically).
 */
export function ledgerStop(message: string): CampaignEnd {
  return { reason: 'stopped', code: 'ledger', title: message, fix: 'free disk space or fix permissions, then resume: nothing unrecorded was sent' };
}

interface Job {
  recipient: Recipient;
  attempt: number;
  /** The row as header → cell, written with the recipient's first attempt in this ledger. */
  row: Record<string, string> | undefined;
  history: AttemptHistory;
  lastRequestAt: number;
}

/**
 * The send pipeline: rows → rules → resume plan → pacer → in-flight cap → intent (durable) →
 * request → outcome → ledger. Reads the CSV as it goes, so memory stays flat; retries wait in a
 * small queue and go before new rows when due.
 */
export async function runCampaign(deps: CampaignDeps): Promise<{ stats: CampaignStats; end: CampaignEnd }> {
  const { audience, plan, provider, transport, ledger, clock, pacer, signal } = deps;
  const stats: CampaignStats = { accepted: 0, held: 0, failed: 0, in_doubt: 0, skipped: 0, skipped_in_doubt: 0, rejected: {}, errors: {}, retries: 0, duplicate_message_ids: 0, requests: 0, firstRequestAt: undefined, lastRequestAt: undefined, throttle: undefined };
  let end: CampaignEnd | undefined;
  let consecutiveFailures = 0;
  /** When the provider began throttling with no acceptance since (clock ms), if it is throttling. */
  let throttledSince: number | undefined;
  const retries: { dueAt: number; job: Job }[] = [];
  const inFlight = new Set<Promise<void>>();
  // Wakes the dispatcher when an attempt finishes (it may have queued a retry or freed a slot).
  let wake: (() => void) | undefined;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  stop.signal.addEventListener('abort', () => wake?.(), { once: true });
  if (signal.aborted) stop.abort(); // interrupted before the first request (while validating, say)

  const rows = audience.batches[Symbol.asyncIterator]();
  let batch: Recipient[] = [];
  let rowsDone = false;

  /** The next sendable recipient from the CSV that the ledger does not already settle. */
  const nextFromCsv = async (): Promise<Job | undefined> => {
    for (;;) {
      if (batch.length === 0) {
        if (rowsDone) return undefined;
        const next = await rows.next();
        if (next.done) {
          rowsDone = true;
          return undefined;
        }
        batch = [];
        for (const row of next.value) {
          const verdict = audience.check(row);
          if (verdict.ok) batch.push(verdict.recipient);
          else stats.rejected[verdict.issue.reason] = (stats.rejected[verdict.issue.reason] ?? 0) + 1;
        }
        batch.reverse(); // pop() from the end keeps file order
        continue;
      }
      const recipient = batch.pop()!;
      const decision = resumeDecision(plan, recipient.phone, recipient.listedAttempts);
      if (decision === 'done') {
        stats.skipped++;
        continue;
      }
      if (decision === 'in_doubt') {
        stats.skipped_in_doubt++;
        continue;
      }
      const attempts = attemptsOf(plan.recipients.get(recipient.phone));
      const job: Job = {
        recipient,
        attempt: attempts + 1,
        row: attempts === 0 ? Object.fromEntries(audience.header.map((name, i) => [name, recipient.fields[i] ?? ''])) : undefined,
        history: { transientRetries: 0, pairRateRetries: 0 },
        lastRequestAt: -Infinity,
      };
      // An earlier run tried this number moments ago: keep the pair gap across runs too.
      const waitMs = (plan.lastRetryAt.get(recipient.phone) ?? -Infinity) + PAIR_GAP_MS - clock.date().getTime();
      if (waitMs > 0) {
        scheduleRetry(clock.now() + waitMs, job);
        continue;
      }
      return job;
    }
  };

  /** Stops the campaign (the first reason given is the one reported). */
  const halt = (reason: CampaignEnd) => {
    end ??= reason;
    stop.abort();
  };

  const scheduleRetry = (dueAt: number, job: Job) => {
    retries.push({ dueAt, job });
    retries.sort((a, b) => a.dueAt - b.dueAt);
  };

  /** A terminal failure of one recipient: counted, and a run of them stops the campaign. */
  const failed = (job: Job, cid: string, outcome: { code: string; title: string }, errorClass: string, fix: string) => {
    stats.failed++;
    record(job, cid, 'failed', { code: outcome.code, title: outcome.title, class: errorClass });
    if (++consecutiveFailures >= deps.maxConsecutiveFailures) {
      halt({ reason: 'stopped', code: outcome.code, title: `${consecutiveFailures} sends in a row failed (the last: ${outcome.code} ${outcome.title})`, fix });
    }
  };

  const record = (job: Job, cid: string, state: OutcomeState, extra: Partial<OutcomeRecord>) => {
    // Not awaited: the next send need not wait for this outcome's fsync. A failure is kept by the
    // writer and stops the dispatcher before its next request.
    ledger.appendSoon({ type: 'outcome', at: clock.date().toISOString(), cid, phone: job.recipient.phone, outcome: state, ...extra }).catch(() => undefined);
  };

  /**
   * A success answer that cannot be taken as one: in doubt (the message may have gone out). A run
   * of them stops the campaign: a provider answering like this would leave everyone in doubt.
   */
  const unusableSuccess = (job: Job, cid: string, code: string, title: string, extra: Partial<OutcomeRecord>) => {
    stats.in_doubt++;
    countError(code);
    record(job, cid, 'in_doubt', { code, title, ...extra });
    if (++consecutiveFailures >= deps.maxConsecutiveFailures) {
      halt({
        reason: 'stopped',
        code,
        title: `${consecutiveFailures} success answers in a row could not be used (the last: ${title})`,
        fix: 'the provider, or a proxy in front of it, is answering wrongly: find out why before resuming; these sends are in doubt and are never re-sent automatically',
      });
    }
  };

  const countError = (code: string) => {
    stats.errors[code] = (stats.errors[code] ?? 0) + 1;
  };

  const attempt = async (job: Job): Promise<void> => {
    const { recipient } = job;
    const cid = `${deps.runId}-${recipient.line}-${job.attempt}`;
    const request = provider.buildRequest({
      phone: recipient.phone,
      template: audience.template.render(recipient.fields),
      twilioVariables: audience.template.renderTwilioVariables(recipient.fields),
      correlationId: cid,
    });
    // The intent is on disk before the request leaves: a crash from here on leaves it in doubt.
    await ledger.append({
      type: 'intent',
      at: clock.date().toISOString(),
      cid,
      phone: recipient.phone,
      line: recipient.line,
      attempt: job.attempt,
      ...(job.row ? { row: job.row } : {}),
    });
    job.row = undefined;
    // Checked again after the wait: another attempt may have stopped the campaign meanwhile.
    if (!(await pacer.admit(stop.signal)) || stop.signal.aborted) {
      // Stopped while the intent was being written: the request is never made, and saying so
      // keeps this recipient out of "in doubt" (the next run sends it).
      record(job, cid, 'retry', { code: 'not_sent', title: 'the campaign stopped before this request was made' });
      return;
    }
    job.lastRequestAt = clock.now();
    stats.requests++;
    stats.firstRequestAt ??= job.lastRequestAt;
    stats.lastRequestAt = job.lastRequestAt;
    const result = await transport(request);
    const outcome: Outcome = result.ok
      ? provider.parseResponse(result.response)
      : result.written
        ? { kind: 'in_doubt', code: result.code, title: result.message }
        : { kind: 'transient', code: result.code, title: result.message };
    settle(job, cid, cleaned(outcome, deps.redact));
  };

  const settle = (job: Job, cid: string, outcome: Outcome) => {
    switch (outcome.kind) {
      case 'accepted': {
        const messageId = outcome.messageId;
        if (!MESSAGE_ID.test(messageId)) {
          // A success without an id reconcile could match a callback to (empty, huge, or binary).
          unusableSuccess(job, cid, 'no_message_id', 'the provider answered with success but without a usable message id: whether this message went out is unknown', {});
          return;
        }
        if (plan.messageIds.add(messageId, job.recipient.phone) === 'other_recipient') {
          // One id for two people: the provider is broken, and its callbacks for this id could be
          // about either. Never counted as accepted; reconcile gives that id's events to no one.
          stats.duplicate_message_ids++;
          const title = `the provider answered with message id ${messageId}, which it had already returned for another recipient: whether this message went out is unknown`;
          unusableSuccess(job, cid, DUPLICATE_MESSAGE_ID, title, { message_id: messageId });
          return;
        }
        consecutiveFailures = 0;
        throttledSince = undefined;
        stats.throttle = undefined;
        stats.accepted++;
        if (outcome.status === HELD_STATUS) stats.held++;
        // Only what the ledger's reader accepts: a WhatsApp id of digits, a status word.
        const waId = typeof outcome.waId === 'string' && /^\d{1,20}$/.test(outcome.waId) ? outcome.waId : undefined;
        const status = typeof outcome.status === 'string' && /^[\w-]{1,64}$/.test(outcome.status) ? outcome.status : undefined;
        record(job, cid, 'accepted', { message_id: messageId, wa_id: waId, status });
        return;
      }
      case 'in_doubt':
        stats.in_doubt++;
        countError(outcome.code);
        record(job, cid, 'in_doubt', { code: outcome.code, title: outcome.title });
        return;
      case 'stop':
        stats.failed++;
        countError(outcome.code);
        // Not this recipient's fault (a bad token, a paused template): once the cause is fixed,
        // resuming sends to them again, so the ledger says `retry`, not `failed`.
        record(job, cid, 'retry', { code: outcome.code, title: outcome.title, class: 'stop_campaign' });
        halt({ reason: 'stopped', code: outcome.code, title: outcome.title, fix: outcome.fix });
        return;
      case 'failed':
        countError(outcome.code);
        failed(job, cid, outcome, outcome.class, 'something fails every recipient: check the template spec against WhatsApp Manager and the account’s health before resuming');
        return;
      case 'throttled': {
        countError(outcome.code);
        const now = clock.now();
        throttledSince ??= now;
        const waitMs = throttleWaitMs(outcome.retryAfterMs);
        pacer.slowDown(waitMs);
        stats.throttle = { askedMs: outcome.retryAfterMs, waitMs };
        // Not the recipient's fault: `retry`, and resuming sends it.
        record(job, cid, 'retry', { code: outcome.code, title: outcome.title });
        if (now - throttledSince >= THROTTLE_STOP_MS) {
          const minutes = Math.round((now - throttledSince) / 60_000);
          halt({
            reason: 'stopped',
            code: outcome.code,
            title: `the provider kept throttling for ${minutes} min without accepting a message (the last answer: ${outcome.title})`,
            fix: `the account takes fewer than ${pacer.mps} messages a second now, or the provider is overloaded: wait, then resume, with a lower --mps if the number's throughput is lower; the throttled recipients are marked retry in the ledger and resuming sends them`,
          });
        } else {
          const decision = nextRetry(outcome, job.history);
          if (decision.retry) {
            stats.retries++;
            scheduleRetry(job.lastRequestAt + decision.delayMs, { ...job, attempt: job.attempt + 1 });
          }
        }
        deps.onProgress?.(stats);
        return;
      }
      default: {
        // pair_rate, transient
        countError(outcome.code);
        const decision = nextRetry(outcome, job.history);
        if (outcome.kind === 'pair_rate') job.history.pairRateRetries++;
        else job.history.transientRetries++;
        if (decision.retry) {
          record(job, cid, 'retry', { code: outcome.code, title: outcome.title });
          stats.retries++;
          scheduleRetry(job.lastRequestAt + decision.delayMs, { ...job, attempt: job.attempt + 1 });
        } else if (outcome.kind === 'transient') {
          failed(job, cid, outcome, 'transient', 'the provider keeps failing: check its status page and resume later');
        } else {
          // Still pair-rate limited after many tries: the next run sends it again.
          record(job, cid, 'retry', { code: outcome.code, title: outcome.title });
        }
      }
    }
  };

  const launch = (job: Job) => {
    const running: Promise<void> = attempt(job)
      .catch((error: unknown) => {
        // Only the ledger can fail here; the writer keeps the error and the dispatcher stops.
        halt(ledgerStop((error as Error).message));
      })
      .finally(() => {
        inFlight.delete(running);
        wake?.();
      });
    inFlight.add(running);
  };

  /** Sleeps until an attempt finishes, the campaign stops, or `ms` pass. */
  const waitForWake = async (ms?: number) => {
    const timer = new AbortController();
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (stop.signal.aborted) resolve();
      if (ms !== undefined) void clock.sleep(ms, timer.signal).then(resolve);
    });
    wake = undefined;
    timer.abort(); // no timer left behind to hold the process open
  };

  try {
    while (!stop.signal.aborted) {
      if (ledger.failed) break;
      if (inFlight.size >= deps.concurrency) {
        await waitForWake();
        continue;
      }
      const now = clock.now();
      let job: Job | undefined;
      if (retries.length > 0 && retries[0]!.dueAt <= now) job = retries.shift()!.job;
      else job = await nextFromCsv();
      if (!job) {
        if (retries.length > 0) await waitForWake(retries[0]!.dueAt - now);
        else if (inFlight.size > 0) await waitForWake();
        else break;
        continue;
      }
      if (!(await pacer.acquire(stop.signal))) {
        break; // interrupted while waiting: this job was never sent, and resume will send it
      }
      launch(job);
      deps.onProgress?.(stats);
    }
    await Promise.all(inFlight);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (ledger.failed) end ??= ledgerStop(ledger.failed.message);
  deps.onProgress?.(stats);
  return { stats, end: end ?? (signal.aborted ? { reason: 'interrupted' } : { reason: 'done' }) };
}
