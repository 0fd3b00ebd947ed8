import type { ProviderName } from '../providers/provider.js';

/**
 * The ledger: one JSON object per line, appended, never rewritten (see README "The ledger").
 * Everything resume and reconcile need is here, so neither needs the CSV.
 */
export const LEDGER_VERSION = 1;

/** Written when a `send` run starts: what was sent, from which inputs. */
export interface RunRecord {
  type: 'run';
  v: typeof LEDGER_VERSION;
  run: string;
  at: string;
  pid: number;
  provider: ProviderName;
  mps: number;
  csv: string;
  csv_sha256: string;
  template: string;
  template_sha256: string;
  template_name: string;
  language: string;
  category: string;
  ttl_seconds: number;
  /** The CSV's phone and opt-in columns (reconcile writes them back as `phone` and `opt_in`). */
  phone_column?: string;
  opt_in_column?: string;
  /** The CSV was a retry list written by reconcile (its hash is not compared on resume). */
  retry_list?: boolean;
}

/**
 * Written, and made durable, before each request. An intent without an outcome is a send whose
 * result is unknown: in doubt, never re-sent automatically.
 */
export interface IntentRecord {
  type: 'intent';
  at: string;
  cid: string;
  phone: string;
  line: number;
  attempt: number;
  /** The recipient's row (header → cell), on a recipient's first attempt in this ledger only. */
  row?: Record<string, string>;
}

/** What the attempt came to. `retry` means it will be attempted again (throttled or transient). */
export type OutcomeState = 'accepted' | 'failed' | 'in_doubt' | 'retry';

export interface OutcomeRecord {
  type: 'outcome';
  at: string;
  cid: string;
  /** The recipient, as in the intent (so a reader needs no map from cid to phone). */
  phone: string;
  outcome: OutcomeState;
  /** Provider message id (`wamid.…`, `SM…`) when accepted. */
  message_id?: string;
  /** The WhatsApp id the provider returned, which may differ from the number sent to. */
  wa_id?: string;
  /** The provider's message status on acceptance (`accepted`, `held_for_quality_assessment`, `queued`…). */
  status?: string;
  code?: string;
  title?: string;
  /** The error code's class (error-codes.ts), for reconcile. */
  class?: string;
}

export type LedgerRecord = RunRecord | IntentRecord | OutcomeRecord;
