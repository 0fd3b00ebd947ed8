import type { StoredFacts } from '../providers/event-facts.js';

/**
 * One line of an events file: a verified callback, its raw payload kept byte for byte (as text),
 * unless it carried one of our secrets (then redacted: redact-payload.ts).
 */
export interface EventRecord {
  type: 'event';
  received_at: string;
  /**
   * Which channel stored it and how it was verified: the channel's tag (`meta`: signed JSON from
   * Cloud API or 360dialog; `unsigned`: JSON accepted without a signature; `twilio`: a signed form).
   */
  provider: string;
  path: string;
  /** What the channel read from `raw` (with-facts.ts), for reconcile; absent when it understood none. */
  facts?: StoredFacts;
  raw: string;
  /** Twilio's `I-Twilio-Idempotency-Token`, for dedupe of retried callbacks. */
  idempotency_token?: string;
}
