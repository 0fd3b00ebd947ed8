import { callbackClass, laterRetryOf, lookupCode, type ErrorClass, type ProviderFamily } from '../codes/error-codes.js';
import { isUsNumber } from '../recipients/is-us-number.js';
import type { ListName } from './reconcile-lists.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** 131049 / 63049: Meta says wait at least 24 h; each further refusal doubles the wait (api-facts §2.1, §2.2). */
export const RETRY_LATER_FIRST_WAIT_MS = 24 * HOUR;
/** A transient failure that outlived send's in-run retries: tried again after 30 min, 1 h, 2 h… */
export const TRANSIENT_FIRST_WAIT_MS = 30 * MINUTE;
/** Rounds of reconcile-driven retries for transient failures (and for a paused template) before SMS fallback. */
export const TRANSIENT_RETRY_ROUNDS = 3;

/**
 * How long after a message's TTL reconcile still waits for a late delivery webhook before calling
 * it dropped (Meta: failed-delivery webhooks may be delayed; add a buffer): a tenth of the TTL,
 * at least 5 minutes, at most an hour.
 */
export function ttlBufferMs(ttlMs: number): number {
  return Math.min(HOUR, Math.max(5 * MINUTE, ttlMs / 10));
}

/** What happened to one attempt (one intent in the ledger), from the ledger and the events. */
export interface AttemptFacts {
  /** The ledger's outcome for it; `none` when the intent has no outcome (a crash): in doubt. */
  ledger: 'none' | 'accepted' | 'failed' | 'in_doubt' | 'retry';
  /** When the intent was written (ms). */
  intentAt: number;
  /** When the outcome was written (ms); the intent's time when there is none. */
  outcomeAt: number;
  ledgerCode: string | undefined;
  /** The title send recorded with a failure (the provider's words, redacted). */
  ledgerTitle?: string | undefined;
  /** The class send recorded with a failure (src/codes/). */
  ledgerClass: string | undefined;
  /** Whether any status event matched this attempt (proof the provider accepted it). */
  evidence: boolean;
  /** Highest status seen: 0 none, 1 sent, 2 delivered, 3 read. */
  rank: number;
  /** A `failed` status event: the earliest (then lowest code) of them, for a deterministic fold. */
  eventFailure: { code: number; at: number; family: ProviderFamily } | undefined;
}

export interface RecipientFacts {
  phone: string;
  category: string;
  ttlMs: number;
  /** The recipient's first attempt (ms): retries never go past first attempt + TTL. */
  firstAttemptAt: number;
  /** Attempts, earlier ones included, that failed with a retry-later code (131049 / 63049). */
  retryLaterFailures: number;
  /** Attempts that failed transiently (after send's own in-run retries). */
  transientFailures: number;
  /** Attempts held back for a campaign-level cause: a paused template (132015 in a callback), a messaging limit (63018), a stop code in a callback. */
  pausedFailures: number;
  latest: AttemptFacts;
  /** The last word on marketing consent: a stop (user_preferences, keyword, Twilio opt-out, 131050 / 21610) not followed by a resume. */
  optedOut: { via: string; code: string } | undefined;
  /** When the person resumed marketing messages (`user_preferences` resume, Twilio START), if that is their last word. */
  resumedAt: number | undefined;
  /** The provider family of the latest attempt's run (for codes recorded by send). */
  family: ProviderFamily;
  /**
   * Whether any status event matched an attempt of the latest attempt's run. Without one, reconcile
   * cannot see deliveries (a Twilio send without a status callback URL, a webhook never set up):
   * an accepted message is then never declared ttl_expired.
   */
  deliveriesVisible?: boolean;
}


export type RecipientStateName =
  | 'read'
  | 'delivered'
  /** Accepted, waiting for a delivery webhook within the TTL. */
  | 'sent'
  /** A retry is planned but not yet due: on retry.csv with its due time, which send honours. */
  | 'waiting_retry'
  | 'retry'
  | 'sms_fallback'
  | 'suppressed'
  | 'in_doubt'
  /** Failed for good for a reason no other list acts on (a row the provider refused, a code not in the table): failed.csv. */
  | 'failed';

export interface Decision {
  state: RecipientStateName;
  list: ListName | undefined;
  reason: string;
  /** The provider error code behind the decision, or '' */
  code: string;
  /** For `failed`: the error's title (the provider's, or the code table's). */
  title?: string;
  /** For `waiting_retry` and `retry`: when the retry is (was) due (ms). */
  dueAt?: number;
}

/**
 * The platform's rules for one recipient, from everything the ledger and the events say
 * (DESIGN "Platform rules"; api-facts §2–§3). Pure: facts and a clock reading in, a decision out.
 * Only the latest attempt decides the state; earlier attempts count towards the growing waits.
 */
export function decideRecipient(facts: RecipientFacts, now: number): Decision {
  if (facts.optedOut) return { state: 'suppressed', list: 'suppress', reason: facts.optedOut.via, code: facts.optedOut.code };
  const latest = facts.latest;
  const failure = failureOf(latest, facts.family);
  if (failure) return decideFailure(facts, failure, now);
  if (latest.ledger === 'retry') {
    // The last attempt was never answered with a result (throttled, or the run stopped before the
    // request): nothing reached the person, so it is due again now.
    return { state: 'retry', list: 'retry', reason: 'not_sent', code: latest.ledgerCode ?? '', dueAt: latest.outcomeAt };
  }
  if (latest.rank >= 3) return { state: 'read', list: undefined, reason: '', code: '' };
  if (latest.rank === 2) return { state: 'delivered', list: undefined, reason: '', code: '' };
  const accepted = latest.ledger === 'accepted' || latest.evidence;
  if (!accepted) return { state: 'in_doubt', list: 'in_doubt', reason: 'in_doubt', code: latest.ledgerCode ?? '' };
  // Accepted (or proven accepted by a `sent` event) and neither delivered nor read: dropped once the
  // TTL and a buffer have passed (Meta: no delivered webhook within the TTL means dropped).
  const acceptedAt = latest.ledger === 'accepted' ? latest.outcomeAt : latest.intentAt;
  if (facts.deliveriesVisible !== false && now > acceptedAt + facts.ttlMs + ttlBufferMs(facts.ttlMs)) return { state: 'sms_fallback', list: 'sms_fallback', reason: 'ttl_expired', code: '' };
  return { state: 'sent', list: undefined, reason: '', code: '' };
}

export interface Failure {
  code: string;
  /** The provider's title as send recorded it, else the code table's; undefined for a code no one names. */
  title: string | undefined;
  /** Where the failure was learned: a status callback, or send's answer. */
  from: 'callback' | 'answer';
  family: ProviderFamily;
  errorClass: ErrorClass | undefined;
  /** For an SMS-fallback code: why (src/codes/). */
  smsReason: string | undefined;
  at: number;
}

export function failureOf(latest: AttemptFacts, family: ProviderFamily): Failure | undefined {
  if (latest.eventFailure) {
    const { code, at, family: eventFamily } = latest.eventFailure;
    // A code can mean something else in a callback than in the send answer (132015: a held
    // message of a paused template dropped, not the campaign stopped): the table says.
    const info = lookupCode(eventFamily, code);
    return { code: code < 0 ? '' : String(code), title: info?.title, from: 'callback', family: eventFamily, errorClass: callbackClass(eventFamily, code), smsReason: info?.reason, at };
  }
  if (latest.ledger !== 'failed') return undefined;
  const code = latest.ledgerCode ?? '';
  const info = /^\d+$/.test(code) ? lookupCode(family, Number(code)) : undefined;
  return { code, title: latest.ledgerTitle ?? info?.title, from: 'answer', family, errorClass: (latest.ledgerClass as ErrorClass | undefined) ?? info?.class, smsReason: info?.reason, at: latest.outcomeAt };
}

function decideFailure(facts: RecipientFacts, failure: Failure, now: number): Decision {
  const { code } = failure;
  const deadline = facts.firstAttemptAt + facts.ttlMs;
  const scheduled = (dueAt: number, reason: string): Decision => {
    // A retry that could only go out after the TTL (counted from the first attempt) is pointless.
    if (Math.max(dueAt, now) > deadline) return { state: 'sms_fallback', list: 'sms_fallback', reason: 'retries_exhausted', code };
    if (dueAt <= now) return { state: 'retry', list: 'retry', reason, code, dueAt };
    // Listed with its due time, so that no recipient is in no list; send skips it until then.
    return { state: 'waiting_retry', list: 'retry', reason, code, dueAt };
  };
  switch (failure.errorClass) {
    case 'opted_out':
      // Refused because the person had opted out, who has since opted back in (their latest word):
      // the message never reached them, and they asked for these messages again, so it is due
      // again from the moment they resumed (within the TTL, like every retry).
      if (facts.resumedAt !== undefined && facts.resumedAt > failure.at) return scheduled(facts.resumedAt, 'resumed');
      return { state: 'suppressed', list: 'suppress', reason: 'opted_out', code };
    case 'sms_fallback':
      return { state: 'sms_fallback', list: 'sms_fallback', reason: failure.smsReason ?? 'not_on_whatsapp', code };
    case 'retry_later':
      // Marketing templates are not delivered to US numbers at all (since 2025-04-01): no retry.
      // The same predicate as validate's warning: US numbers, not all of +1 (Canada gets them).
      if (facts.category === 'marketing' && isUsNumber(facts.phone)) return { state: 'sms_fallback', list: 'sms_fallback', reason: 'marketing_us', code };
      return scheduled(failure.at + RETRY_LATER_FIRST_WAIT_MS * 2 ** (Math.max(1, facts.retryLaterFailures) - 1), 'per_user_limit');
    case 'transient':
    case 'throttle':
    case 'pair_rate':
      if (facts.transientFailures > TRANSIENT_RETRY_ROUNDS) return { state: 'sms_fallback', list: 'sms_fallback', reason: 'retries_exhausted', code };
      return scheduled(failure.at + TRANSIENT_FIRST_WAIT_MS * 2 ** (Math.max(1, facts.transientFailures) - 1), 'transient');
    case 'template_paused':
      // Retried as soon as listed (the operator fixes the template first), but not for ever.
      if (facts.pausedFailures > TRANSIENT_RETRY_ROUNDS) return { state: 'sms_fallback', list: 'sms_fallback', reason: 'retries_exhausted', code };
      return scheduled(failure.at, 'template_paused');
    case 'stop_campaign': {
      // A campaign-level cause reported for this message (a messaging limit, a spam-rate
      // restriction, an invitation not accepted): not the person's doing, so they are tried again
      // once it is over: the code's own reason and wait (src/codes/), within the TTL and not for ever.
      if (facts.pausedFailures > TRANSIENT_RETRY_ROUNDS) return { state: 'sms_fallback', list: 'sms_fallback', reason: 'retries_exhausted', code };
      const later = laterRetryOf(failure.family, Number(code));
      return scheduled(failure.at + later.afterMs, later.reason);
    }
    default: {
      // Refused for this row (bad parameter, media that cannot be fetched, invalid number…) or a
      // code not in the table: no list acts on it; failed.csv says what a person must look at.
      const known = failure.errorClass !== undefined && (failure.errorClass as string) !== 'unknown';
      const reason = !known ? 'unknown_code' : failure.errorClass === 'row_rejected' ? 'rejected' : 'failed';
      return { state: 'failed', list: 'failed', reason, code, title: failure.title ?? (code === '' ? 'a failure without an error code' : 'not in the code table') };
    }
  }
}

/** Error classes that hold a recipient back for a campaign-level cause, for the bounded rounds of retries. */
export function isHeldBackClass(errorClass: string | undefined): boolean {
  return errorClass === 'template_paused' || errorClass === 'stop_campaign';
}

/** Error classes that count as a transient failure of an attempt, for the growing waits. */
export function isTransientClass(errorClass: string | undefined): boolean {
  return errorClass === 'transient' || errorClass === 'throttle' || errorClass === 'pair_rate';
}
