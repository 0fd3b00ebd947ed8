import type { ProviderFamily } from '../codes/error-codes.js';

/**
 * What reconcile learns from one stored status callback: the values a provider's callback parser
 * returns (each provider's own shape is read in its folder), folded by src/reconcile/.
 */

/** A message status, in the lattice's order: a later rank never loses to an earlier one. */
export const StatusRank = { none: 0, sent: 1, delivered: 2, read: 3 } as const;

/** One thing an events line says about a message we sent, or about a person. */
export type Signal =
  | {
      kind: 'status';
      /** The code table the failure's code belongs to. */
      family: ProviderFamily;
      /** Provider message id (`wamid.…`, `SM…`), when the payload names it. */
      messageId: string | undefined;
      /** Our correlation id (`biz_opaque_callback_data`, Twilio `StatusCallback?cid=`), when present. */
      cid: string | undefined;
      /** 1 sent, 2 delivered, 3 read; 0 for `failed` (which carries `code`). */
      rank: number;
      failed: boolean;
      /** The error code of a failure (-1 when a failure names none). */
      code: number;
      /** When it happened (ms since the epoch): the payload's timestamp, else the receive time. */
      at: number;
    }
  | {
      /** The person stopped (`stop`) or resumed (`resume`) marketing messages, or sent an opt-out keyword. */
      kind: 'preference';
      value: 'stop' | 'resume';
      via: 'user_preferences' | 'keyword' | 'twilio_opt_out';
      /** WhatsApp id (Meta) or E.164 digits (Twilio `From`), without `+`. */
      waId: string;
      at: number;
    };

export type ParsedEvent =
  | { ok: true; signals: Signal[] }
  /** Not a callback we know: counted and named, never fatal. */
  | { ok: false; why: string };

/** An inbound message's text as opt-out keywords are compared: trimmed, spaces collapsed, upper case. */
export function normaliseKeyword(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toUpperCase();
}

/** A JSON value's error code: a number, or digits in a string; -1 for anything else. */
export function codeOf(value: unknown): number {
  const code = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(code) ? code : -1;
}
