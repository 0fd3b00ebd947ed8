/**
 * What one provider error code means: the vocabulary of the code tables (meta-codes.ts,
 * twilio-codes.ts). Every number that depends on a code is a field of its row, so that nothing
 * outside src/codes/ decides by code.
 */

export type ErrorClass =
  /** Over the sender's throughput: slow the whole campaign down and retry the recipient. */
  | 'throttle'
  /** Too many messages to one user: retry that recipient after 4^n seconds. */
  | 'pair_rate'
  /** Temporary trouble on the provider's side: retry in the run with backoff, a bounded number of times. */
  | 'transient'
  /** Would fail every recipient (token, template, account, payment): stop the campaign, exit 3. */
  | 'stop_campaign'
  /** This recipient's request was refused for good; no retry, counted in the summary. */
  | 'row_rejected'
  /** Meta chose not to deliver (per-user marketing limit): retry no sooner than 24 h later. */
  | 'retry_later'
  /** WhatsApp cannot reach this person: reach them by SMS. */
  | 'sms_fallback'
  /** The person opted out: never message again. */
  | 'opted_out'
  /** A held message of a paused template was dropped: retry after the template is fixed. */
  | 'template_paused'
  /**
   * The account sends marketing templates only through the Marketing Messages API (131063): send
   * switches a marketing campaign to `/marketing_messages` once, where `--marketing-api` allows it.
   */
  | 'route_marketing'
  /**
   * The Marketing Messages API takes marketing templates only (131055, 134100): send switches to
   * `/messages` once under `--marketing-api auto`; under `always` it stops the campaign.
   */
  | 'route_messages';

/** The code tables there are: a provider's answers and callbacks use one of them (its `family`). */
export const CODE_FAMILIES = ['meta', 'twilio'] as const;
export type ProviderFamily = (typeof CODE_FAMILIES)[number];

/** Why reconcile puts a recipient in sms-fallback.csv for an SMS-fallback code. */
export type SmsReason = 'experiment' | 'not_on_whatsapp';

export interface CodeInfo {
  class: ErrorClass;
  title: string;
  /**
   * Where the row comes from: an official page's URL, or a seed file (`seeds/003…:111`) where the
   * official page could not be read. Official pages win where they disagree.
   */
  source: string;
  /** What about the row is not confirmed by a primary source, when something is. */
  uncertain?: string;
  /** For stop_campaign: what the operator should do. */
  fix?: string;
  /** For sms_fallback: the `reason` reconcile writes in sms-fallback.csv. */
  reason?: SmsReason;
  /**
   * What the code means when it arrives in a status callback, where that differs from the send
   * answer: 132015 answered to a send stops the campaign, but in a callback it is a held message
   * of a paused template being dropped (template_paused).
   */
  inCallback?: ErrorClass;
  /** For an in-run retry that must wait longer than the usual backoff (131057: about a minute). */
  retryDelayMs?: number;
  /**
   * For a campaign-stopping code that arrives in a status callback (or a message held back): the
   * recipient goes on retry.csv with this reason, due this long after the failure (0: as soon as
   * the cause is fixed). Without it: reason `campaign_stopped`, due at once.
   */
  laterRetry?: { reason: string; afterMs: number };
  /**
   * What the code means in an answer from the Marketing Messages API (`/marketing_messages`), where
   * that differs: 131009 right after onboarding is the template's ad sync, not a bad parameter.
   */
  onMarketingApi?: { class: ErrorClass; title?: string; retryDelayMs?: number };
  /** The HTTP status the provider answers this code with (what the emulator answers). */
  httpStatus?: number;
  /** The same failure in another family's numbers (what Twilio reports when Meta reports this). */
  equivalent?: Partial<Record<ProviderFamily, number>>;
}

/** One family's table: rows by code, codes decided by a range, and the HTTP status of the rest. */
export interface CodeTable {
  rows: ReadonlyMap<number, CodeInfo>;
  /** Codes decided as a range rather than row by row (Meta's 200–299), when the table has them. */
  range?: (code: number) => CodeInfo | undefined;
  /** The HTTP status of an error code whose row gives none (or that has no row). */
  defaultHttpStatus: (code: number) => number;
}

/**
 * A table's rows as a Map keyed by number: the code comes from a provider's answer or a callback,
 * and an object's own keys are not all it answers to (`table["constructor"]`).
 */
export function codeRows(rows: Record<number, CodeInfo>): ReadonlyMap<number, CodeInfo> {
  return new Map(Object.entries(rows).map(([code, info]) => [Number(code), info]));
}
