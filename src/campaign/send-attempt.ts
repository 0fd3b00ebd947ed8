import type { IntentRecord } from '../ledger/ledger-records.js';
import type { LedgerWriter } from '../ledger/open-ledger-writer.js';
import type { Transport, TransportResult } from '../providers/http-transport.js';
import type { Outcome, Provider } from '../providers/provider.js';
import type { Audience } from '../recipients/open-audience.js';
import type { CampaignStats } from './campaign-stats.js';
import { cleanOutcome } from './clean-outcome.js';
import type { Clock } from '../clock.js';
import type { Job } from './job-source.js';
import type { Pacer } from './pacer.js';

export interface AttemptDeps {
  runId: string;
  audience: Audience;
  provider: Provider;
  transport: Transport;
  ledger: LedgerWriter;
  clock: Clock;
  /** Counts the request (and when it left, for the rate). */
  stats: CampaignStats;
  redact: (text: string) => string;
}

/** What became of one attempt: the provider's answer (redacted), or no request at all. */
export type AttemptResult =
  | { kind: 'answered'; cid: string; requestAt: number; outcome: Outcome }
  | { kind: 'not_sent'; cid: string };

/**
 * One attempt, in the order that makes it safe: the request is built, its intent is made durable,
 * the pacer admits it, then it is sent. A crash after the intent leaves it in doubt, never lost and
 * never sent twice. Rejects only when the ledger could not be written (no request was made then).
 *
 * The dispatcher took the attempt's slot on the pacer's grid before (`acquire`); `admit` comes after
 * the intent's fsync, whose varying delay would otherwise bunch requests (pacer.ts): the wait
 * between the intent and the request is that admission, a few milliseconds at most. A campaign
 * that stops meanwhile (Ctrl-C, a stopping answer, the ledger failing or its lock lost) makes no
 * request for it: `not_sent`, which the dispatcher records at once so that it is not in doubt.
 */
export async function sendAttempt(job: Job, deps: AttemptDeps, pacer: Pacer, stop: AbortSignal): Promise<AttemptResult> {
  const { recipient } = job;
  const { audience, ledger, clock, stats } = deps;
  const cid = `${deps.runId}-${recipient.line}-${job.attempt}`;
  const request = deps.provider.buildRequest({
    phone: recipient.phone,
    template: audience.template.render(recipient.fields),
    twilioVariables: audience.template.renderTwilioVariables(recipient.fields),
    correlationId: cid,
  });
  const intent: IntentRecord = { type: 'intent', at: clock.date().toISOString(), cid, phone: recipient.phone, line: recipient.line, attempt: job.attempt };
  if (job.row) intent.row = job.row; // the row goes with the recipient's first attempt only
  await ledger.append(intent);
  // Checked again after the wait: another attempt may have stopped the campaign meanwhile, or the
  // ledger failed (its answer could not be recorded: it would be in doubt for nothing).
  const sending = await pacer.admit(stop);
  if (!sending) return { kind: 'not_sent', cid };
  if (stop.aborted || ledger.failed) {
    sending.done();
    return { kind: 'not_sent', cid };
  }
  const requestAt = sending.at;
  stats.requests++;
  stats.firstRequestAt ??= requestAt;
  stats.lastRequestAt = requestAt;
  let result: TransportResult;
  try {
    result = await deps.transport(request, sending);
  } finally {
    sending.done();
  }
  return { kind: 'answered', cid, requestAt, outcome: cleanOutcome(outcomeOf(result, deps.provider, clock), deps.redact) };
}

/** A transport failure before the request could reach the provider is safe to retry; after, in doubt. */
function outcomeOf(result: TransportResult, provider: Provider, clock: Clock): Outcome {
  if (result.ok) return provider.parseResponse({ ...result.response, receivedAt: clock.date().getTime() });
  return result.written ? { kind: 'in_doubt', code: result.code, title: result.message } : { kind: 'transient', code: result.code, title: result.message };
}
