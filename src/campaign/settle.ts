import type { OutcomeRecord, OutcomeState } from '../ledger/ledger-records.js';
import type { MessageIdSeen } from '../ledger/message-id-set.js';
import { HELD_STATUS, type Outcome } from '../providers/provider.js';
import type { CampaignStop } from './campaign-end.js';
import { THROTTLE_STOP_MS, nextRetry, throttleWaitMs, type AttemptHistory } from './retry-policy.js';

/** What the campaign as a whole carries from one answer to the next. */
export interface CampaignHealth {
  /** Terminal failures and unusable successes since the last acceptance: a run of them stops the campaign. */
  consecutiveFailures: number;
  /** When the provider began throttling with no acceptance since (clock ms), while it is throttling. */
  throttledSince: number | undefined;
}

export const HEALTHY: CampaignHealth = { consecutiveFailures: 0, throttledSince: undefined };

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

/** What one answer means: for the ledger, the summary, the retry queue, the pacer and the campaign. */
export interface Settlement {
  /** The outcome record's state and fields. */
  state: OutcomeState;
  fields: Partial<Pick<OutcomeRecord, 'code' | 'title' | 'class' | 'message_id' | 'wa_id' | 'status'>>;
  /** The summary count this answer adds to; none when the recipient is retried or left to the next run. */
  tally?: 'accepted' | 'failed' | 'in_doubt';
  held?: boolean;
  duplicateMessageId?: boolean;
  /** The code counted in the summary's errors (every failed attempt, retried ones included). */
  errorCode?: string;
  /** Try this recipient again at this clock time (ms), with `history`. */
  retryAt?: number;
  /** The recipient's retries so far, this answer included. */
  history: AttemptHistory;
  health: CampaignHealth;
  /** Slow the whole campaign down, pausing it `pauseMs` when set. */
  slowDown?: { pauseMs: number | undefined };
  /** The throttling the progress line shows: replaced, cleared (null), or left as it was (absent). */
  throttle?: { askedMs: number | undefined; waitMs: number | undefined } | null;
  /** Stop the campaign. */
  halt?: CampaignStop;
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

/**
 * The campaign's policy for one answer, pure: `outcome` (already redacted) for a recipient whose
 * retries so far are `history` → the ledger state, whether and when to retry, and whether the
 * campaign stops. The dispatcher carries it out; `settle.test.ts` holds one rule per row.
 */
export function settle(outcome: Outcome, history: AttemptHistory, context: SettleContext): Settlement {
  const { health } = context;
  const base = { history, health };

  /** A terminal failure of this recipient: a run of them stops the campaign. */
  const failed = (code: string, title: string, errorClass: string, fix: string): Settlement => {
    const consecutiveFailures = health.consecutiveFailures + 1;
    return {
      ...base,
      state: 'failed',
      fields: { code, title, class: errorClass },
      tally: 'failed',
      errorCode: code,
      health: { ...health, consecutiveFailures },
      ...(consecutiveFailures >= context.maxConsecutiveFailures
        ? { halt: { reason: 'stopped', code, title: `${consecutiveFailures} sends in a row failed (the last: ${code} ${title})`, fix } as const }
        : {}),
    };
  };

  /**
   * A success answer that cannot be taken as one: in doubt (the message may have gone out). A run
   * of them stops the campaign: a provider answering like this would leave everyone in doubt.
   */
  const unusableSuccess = (code: string, title: string, fields: Settlement['fields'] = {}): Settlement => {
    const consecutiveFailures = health.consecutiveFailures + 1;
    return {
      ...base,
      state: 'in_doubt',
      fields: { code, title, ...fields },
      tally: 'in_doubt',
      errorCode: code,
      health: { ...health, consecutiveFailures },
      ...(consecutiveFailures >= context.maxConsecutiveFailures
        ? {
            halt: {
              reason: 'stopped',
              code,
              title: `${consecutiveFailures} success answers in a row could not be used (the last: ${title})`,
              fix: 'the provider, or a proxy in front of it, is answering wrongly: find out why before resuming; these sends are in doubt and are never re-sent automatically',
            } as const,
          }
        : {}),
    };
  };

  switch (outcome.kind) {
    case 'accepted': {
      const { messageId } = outcome;
      if (!isUsableMessageId(messageId)) {
        // A success without an id reconcile could match a callback to (empty, huge, or binary).
        return unusableSuccess('no_message_id', 'the provider answered with success but without a usable message id: whether this message went out is unknown');
      }
      if (context.messageIdSeen === 'other_recipient') {
        // One id for two people: the provider is broken, and its callbacks for this id could be
        // about either. Never counted as accepted; reconcile gives that id's events to no one.
        const title = `the provider answered with message id ${messageId}, which it had already returned for another recipient: whether this message went out is unknown`;
        return { ...unusableSuccess(DUPLICATE_MESSAGE_ID, title, { message_id: messageId }), duplicateMessageId: true };
      }
      // Only what the ledger's reader accepts: a WhatsApp id of digits, a status word.
      const waId = typeof outcome.waId === 'string' && /^\d{1,20}$/.test(outcome.waId) ? outcome.waId : undefined;
      const status = typeof outcome.status === 'string' && /^[\w-]{1,64}$/.test(outcome.status) ? outcome.status : undefined;
      return {
        ...base,
        state: 'accepted',
        fields: { message_id: messageId, wa_id: waId, status },
        tally: 'accepted',
        held: outcome.status === HELD_STATUS,
        // An acceptance ends a run of failures and a throttled spell.
        health: { consecutiveFailures: 0, throttledSince: undefined },
        throttle: null,
      };
    }
    case 'in_doubt':
      return { ...base, state: 'in_doubt', fields: { code: outcome.code, title: outcome.title }, tally: 'in_doubt', errorCode: outcome.code };
    case 'stop':
      // Not this recipient's fault (a bad token, a paused template): once the cause is fixed,
      // resuming sends to them again, so the ledger says `retry`, not `failed`.
      return {
        ...base,
        state: 'retry',
        fields: { code: outcome.code, title: outcome.title, class: 'stop_campaign' },
        tally: 'failed',
        errorCode: outcome.code,
        halt: { reason: 'stopped', code: outcome.code, title: outcome.title, fix: outcome.fix },
      };
    case 'failed':
      return failed(outcome.code, outcome.title, outcome.class, ROW_FAILURE_FIX);
    case 'throttled': {
      const throttledSince = health.throttledSince ?? context.now;
      const waitMs = throttleWaitMs(outcome.retryAfterMs);
      const throttling = {
        ...base,
        // Not the recipient's fault: `retry`, and resuming sends it.
        state: 'retry' as const,
        fields: { code: outcome.code, title: outcome.title },
        errorCode: outcome.code,
        health: { ...health, throttledSince },
        slowDown: { pauseMs: waitMs },
        throttle: { askedMs: outcome.retryAfterMs, waitMs },
      };
      if (context.now - throttledSince >= THROTTLE_STOP_MS) {
        const minutes = Math.round((context.now - throttledSince) / 60_000);
        return {
          ...throttling,
          halt: {
            reason: 'stopped',
            code: outcome.code,
            title: `the provider kept throttling for ${minutes} min without accepting a message (the last answer: ${outcome.title})`,
            fix: `the account takes fewer than ${context.mps} messages a second now, or the provider is overloaded: wait, then resume, with a lower --mps if the number's throughput is lower; the throttled recipients are marked retry in the ledger and resuming sends them`,
          },
        };
      }
      const decision = nextRetry(outcome, history);
      return decision.retry ? { ...throttling, retryAt: context.requestAt + decision.delayMs } : throttling;
    }
    case 'pair_rate':
    case 'transient': {
      const decision = nextRetry(outcome, history);
      const next: AttemptHistory =
        outcome.kind === 'pair_rate' ? { ...history, pairRateRetries: history.pairRateRetries + 1 } : { ...history, transientRetries: history.transientRetries + 1 };
      if (decision.retry) {
        return { ...base, history: next, state: 'retry', fields: { code: outcome.code, title: outcome.title }, errorCode: outcome.code, retryAt: context.requestAt + decision.delayMs };
      }
      if (outcome.kind === 'transient') return { ...failed(outcome.code, outcome.title, 'transient', TRANSIENT_FIX), history: next };
      // Still pair-rate limited after many tries: the next run sends it again.
      return { ...base, history: next, state: 'retry', fields: { code: outcome.code, title: outcome.title }, errorCode: outcome.code };
    }
  }
}
