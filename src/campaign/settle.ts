import type { OutcomeRecord, OutcomeState } from '../ledger/ledger-records.js';
import type { MessageIdSeen } from '../ledger/message-id-set.js';
import { HELD_STATUS } from '../providers/held-status.js';
import type { Outcome } from '../providers/provider.js';
import type { CampaignStop } from './campaign-end.js';
import { THROTTLE_STOP_MS, nextRetry, throttleWaitMs, type AttemptHistory } from './retry-policy.js';

/** What the campaign as a whole carries from one answer to the next. */
export interface CampaignHealth {
  /**
   * Terminal failures, unusable successes and in-doubt answers since the last acceptance: a run of
   * them stops the campaign.
   */
  consecutiveFailures: number;
  /** When the provider began throttling with no acceptance since (clock ms), while it is throttling. */
  throttledSince: number | undefined;
}

/** A campaign's health before its first answer. */
export const HEALTHY: CampaignHealth = Object.freeze({ consecutiveFailures: 0, throttledSince: undefined });

export interface SettleContext {
  /** Clock ms when the answer came. */
  now: number;
  /** Clock ms when this attempt's request left: a retry is due counted from it. */
  requestAt: number;
  health: CampaignHealth;
  /**
   * For an accepted answer with a usable message id (`isUsableMessageId`): what the campaign's
   * message-id set said of it. The caller asks the set, so that this function stays pure.
   */
  messageIdSeen?: MessageIdSeen;
  /** Terminal failures in a row that stop the campaign (a bad template or account fails everyone). */
  maxConsecutiveFailures: number;
  /** The campaign's --mps, for the throttling stop's advice. */
  mps: number;
}

/**
 * What one answer means: for the ledger, the summary, the retry queue, the pacer and the campaign.
 * Every field is always there (undefined when it does not apply): one object shape, built without
 * spreads, since a settlement is made for every request (an object spread with more properties
 * after it costs microseconds in V8, measured: a tenth of send's own CPU at 1,000 MPS).
 */
export interface Settlement {
  /** The outcome record's state and fields. */
  state: OutcomeState;
  fields: Partial<Pick<OutcomeRecord, 'code' | 'title' | 'class' | 'message_id' | 'wa_id' | 'status'>>;
  /** The summary count this answer adds to; none when the recipient is retried or left to the next run. */
  tally: 'accepted' | 'failed' | 'in_doubt' | undefined;
  held: boolean;
  duplicateMessageId: boolean;
  /** The code counted in the summary's errors (every failed attempt, retried ones included). */
  errorCode: string | undefined;
  /** Try this recipient again at this clock time (ms), with `history`. */
  retryAt: number | undefined;
  /** The recipient's retries so far, this answer included. */
  history: AttemptHistory;
  health: CampaignHealth;
  /** Slow the whole campaign down, pausing it `pauseMs` when set. */
  slowDown: { pauseMs: number | undefined } | undefined;
  /** The throttling the progress line shows: replaced, cleared (null), or left as it was (undefined). */
  throttle: { askedMs: number | undefined; waitMs: number | undefined } | null | undefined;
  /** Stop the campaign. */
  halt: CampaignStop | undefined;
}

function settlement(state: OutcomeState, fields: Settlement['fields'], history: AttemptHistory, health: CampaignHealth, errorCode: string | undefined): Settlement {
  return { state, fields, tally: undefined, held: false, duplicateMessageId: false, errorCode, retryAt: undefined, history, health, slowDown: undefined, throttle: undefined, halt: undefined };
}

/** The in-doubt code of an answer repeating a message id returned for another recipient. */
export const DUPLICATE_MESSAGE_ID = 'duplicate_message_id';
/** A provider message id as wamids and SM sids look: printable ASCII, not absurdly long. */
const MESSAGE_ID = /^[\x21-\x7e]{1,256}$/;

/** Whether a success answer's message id is one reconcile can match callbacks to. */
export function isUsableMessageId(messageId: string): boolean {
  return MESSAGE_ID.test(messageId);
}

const ROW_FAILURE_FIX = 'something fails every recipient: check the template spec against WhatsApp Manager and the account’s health before resuming';
const TRANSIENT_FIX = 'the provider keeps failing: check its status page and resume later';
const IN_DOUBT_FIX =
  'the provider, or a proxy or network in front of it, is losing answers (resets, timeouts, gateway errors): find out why before resuming; these sends are in doubt and never re-sent automatically';

/**
 * The campaign's policy for one answer, pure: `outcome` (already redacted) for a recipient whose
 * retries so far are `history` → the ledger state, whether and when to retry, and whether the
 * campaign stops. The dispatcher carries it out; `settle.test.ts` holds one rule per row.
 */
export function settle(outcome: Outcome, history: AttemptHistory, context: SettleContext): Settlement {
  const { health } = context;

  /** A terminal failure of this recipient: a run of them stops the campaign. */
  const failed = (code: string, title: string, errorClass: string, fix: string, after: AttemptHistory): Settlement => {
    const consecutiveFailures = health.consecutiveFailures + 1;
    const result = settlement('failed', { code, title, class: errorClass }, after, { consecutiveFailures, throttledSince: health.throttledSince }, code);
    result.tally = 'failed';
    if (consecutiveFailures >= context.maxConsecutiveFailures) {
      result.halt = { reason: 'stopped', code, title: `${consecutiveFailures} sends in a row failed (the last: ${code} ${title})`, fix };
    }
    return result;
  };

  /**
   * A success answer that cannot be taken as one: in doubt (the message may have gone out). A run
   * of them stops the campaign: a provider answering like this would leave everyone in doubt.
   */
  const unusableSuccess = (code: string, title: string, messageId: string | undefined): Settlement => {
    const consecutiveFailures = health.consecutiveFailures + 1;
    const fields: Settlement['fields'] = messageId === undefined ? { code, title } : { code, title, message_id: messageId };
    const result = settlement('in_doubt', fields, history, { consecutiveFailures, throttledSince: health.throttledSince }, code);
    result.tally = 'in_doubt';
    if (consecutiveFailures >= context.maxConsecutiveFailures) {
      result.halt = {
        reason: 'stopped',
        code,
        title: `${consecutiveFailures} success answers in a row could not be used (the last: ${title})`,
        fix: 'the provider, or a proxy in front of it, is answering wrongly: find out why before resuming; these sends are in doubt and are never re-sent automatically',
      };
    }
    return result;
  };

  switch (outcome.kind) {
    case 'accepted': {
      const { messageId } = outcome;
      if (!isUsableMessageId(messageId)) {
        // A success without an id reconcile could match a callback to (empty, huge, or binary).
        return unusableSuccess('no_message_id', 'the provider answered with success but without a usable message id: whether this message went out is unknown', undefined);
      }
      if (context.messageIdSeen === 'other_recipient') {
        // One id for two people: the provider is broken, and its callbacks for this id could be
        // about either. Never counted as accepted; reconcile gives that id's events to no one.
        const title = `the provider answered with message id ${messageId}, which it had already returned for another recipient: whether this message went out is unknown`;
        const result = unusableSuccess(DUPLICATE_MESSAGE_ID, title, messageId);
        result.duplicateMessageId = true;
        return result;
      }
      // Only what the ledger's reader accepts: a WhatsApp id of digits, a status word.
      const waId = typeof outcome.waId === 'string' && /^\d{1,20}$/.test(outcome.waId) ? outcome.waId : undefined;
      const status = typeof outcome.status === 'string' && /^[\w-]{1,64}$/.test(outcome.status) ? outcome.status : undefined;
      // An acceptance ends a run of failures and a throttled spell.
      const result = settlement('accepted', { message_id: messageId, wa_id: waId, status }, history, { consecutiveFailures: 0, throttledSince: undefined }, undefined);
      result.tally = 'accepted';
      result.held = outcome.status === HELD_STATUS;
      result.throttle = null;
      return result;
    }
    case 'in_doubt': {
      // The answer was lost after the request went out (a reset, a timeout, a 502/504, an answer
      // over 1 MiB). One is bad luck; a run of them is a proxy or a provider losing every answer,
      // and going on would leave the whole campaign in doubt: part of the failure run.
      const consecutiveFailures = health.consecutiveFailures + 1;
      const result = settlement('in_doubt', { code: outcome.code, title: outcome.title }, history, { consecutiveFailures, throttledSince: health.throttledSince }, outcome.code);
      result.tally = 'in_doubt';
      if (consecutiveFailures >= context.maxConsecutiveFailures) {
        result.halt = {
          reason: 'stopped',
          code: outcome.code,
          title: `${consecutiveFailures} sends in a row got no answer that says whether they went out (the last: ${outcome.code} ${outcome.title})`,
          fix: IN_DOUBT_FIX,
        };
      }
      return result;
    }
    case 'stop': {
      // Not this recipient's fault (a bad token, a paused template): once the cause is fixed,
      // resuming sends to them again, so the ledger says `retry`, not `failed`.
      const result = settlement('retry', { code: outcome.code, title: outcome.title, class: 'stop_campaign' }, history, health, outcome.code);
      result.tally = 'failed';
      result.halt = { reason: 'stopped', code: outcome.code, title: outcome.title, fix: outcome.fix };
      return result;
    }
    case 'failed':
      return failed(outcome.code, outcome.title, outcome.class, ROW_FAILURE_FIX, history);
    case 'throttled': {
      const throttledSince = health.throttledSince ?? context.now;
      const waitMs = throttleWaitMs(outcome.retryAfterMs);
      // Not the recipient's fault: `retry`, and resuming sends it.
      const result = settlement('retry', { code: outcome.code, title: outcome.title }, history, { consecutiveFailures: health.consecutiveFailures, throttledSince }, outcome.code);
      result.slowDown = { pauseMs: waitMs };
      result.throttle = { askedMs: outcome.retryAfterMs, waitMs };
      if (context.now - throttledSince >= THROTTLE_STOP_MS) {
        const minutes = Math.round((context.now - throttledSince) / 60_000);
        result.halt = {
          reason: 'stopped',
          code: outcome.code,
          title: `the provider kept throttling for ${minutes} min without accepting a message (the last answer: ${outcome.title})`,
          fix: `the account takes fewer than ${context.mps} messages a second now, or the provider is overloaded: wait, then resume, with a lower --mps if the number's throughput is lower; the throttled recipients are marked retry in the ledger and resuming sends them`,
        };
        return result;
      }
      const decision = nextRetry(outcome, history);
      if (decision.retry) result.retryAt = context.requestAt + decision.delayMs;
      return result;
    }
    case 'pair_rate':
    case 'transient': {
      const decision = nextRetry(outcome, history);
      const after: AttemptHistory =
        outcome.kind === 'pair_rate'
          ? { transientRetries: history.transientRetries, pairRateRetries: history.pairRateRetries + 1 }
          : { transientRetries: history.transientRetries + 1, pairRateRetries: history.pairRateRetries };
      if (!decision.retry && outcome.kind === 'transient') return failed(outcome.code, outcome.title, 'transient', TRANSIENT_FIX, after);
      // Retried in this run; or, still pair-rate limited after many tries, left `retry` for the next run.
      const result = settlement('retry', { code: outcome.code, title: outcome.title }, after, health, outcome.code);
      if (decision.retry) result.retryAt = context.requestAt + decision.delayMs;
      return result;
    }
  }
}
