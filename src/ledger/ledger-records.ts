import { PROVIDER_NAMES, type ProviderName } from '../providers/index.js';
import { isE164 } from '../recipients/is-e164.js';

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
  /**
   * The API the run's messages went through: `messages`, `marketing_messages` (the Marketing
   * Messages API), or `provider` (Twilio routes on its side). Ledgers before it have none.
   */
  route?: 'messages' | 'marketing_messages' | 'provider';
  /**
   * The template's own TTL (`message_send_ttl_seconds`) as the preflight read it from the account,
   * when the template sets one: it wins over `ttl_seconds` (the spec's) for reconcile.
   */
  template_ttl_seconds?: number;
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

/** The code of a `retry` outcome whose request was never made: the run stopped between its intent and its request. */
export const NOT_SENT_CODE = 'not_sent';

export interface OutcomeRecord {
  type: 'outcome';
  at: string;
  cid: string;
  /** The recipient, as in the intent (so a reader needs no map from cid to phone). */
  phone: string;
  outcome: OutcomeState;
  /**
   * Provider message id (`wamid.…`, `SM…`) when accepted, or when in doubt because the provider had
   * returned it for another recipient too (`code` `duplicate_message_id`).
   */
  message_id?: string;
  /**
   * The WhatsApp id the provider returned, which may differ from the number sent to. Ledgers of
   * earlier versions may hold any JSON value here (as the provider sent it): check before use.
   */
  wa_id?: string;
  /** The provider's message status on acceptance (`accepted`, `held_for_quality_assessment`, `queued`…); like `wa_id`, check before use. */
  status?: string;
  code?: string;
  title?: string;
  /** The error code's class (src/codes/), for reconcile. */
  class?: string;
}

export type LedgerRecord = RunRecord | IntentRecord | OutcomeRecord;

/**
 * The TTL reconcile applies to a run's messages: the account's template's own when the preflight
 * read one and the platform honours it, else the spec's. Meta honours a marketing template's TTL
 * only on the Marketing Messages API (api-facts.md §3, Meta "Time-to-live": marketing TTL
 * "Compatibility: Marketing Messages API for WhatsApp"); through /messages its messages live the
 * default, so a shorter TTL there would put people on the SMS list while WhatsApp may still deliver.
 */
export function runTtlSeconds(run: Pick<RunRecord, 'ttl_seconds' | 'template_ttl_seconds' | 'category' | 'route'>): number {
  if (run.template_ttl_seconds === undefined) return run.ttl_seconds;
  if (run.category === 'marketing' && run.route !== 'marketing_messages') return run.ttl_seconds;
  return run.template_ttl_seconds;
}

/**
 * An ISO-8601 date and time, as `Date#toISOString()` writes it (or with an offset): checked by its
 * shape alone, which is enough for `Date.parse` to give a number (V8 takes any day up to 31 and
 * hour 24), so a reader can parse it without a second check. Faster than calling Date.parse,
 * which reconcile does a million times.
 */
export const ISO_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-4]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const OUTCOME_STATES: readonly string[] = ['accepted', 'failed', 'in_doubt', 'retry'] satisfies OutcomeState[];

interface FieldRule {
  name: string;
  /** What the value must be, as the error says it. */
  is: string;
  test: (value: unknown) => boolean;
  optional?: boolean;
}

const text = (name: string, optional = false): FieldRule => ({ name, is: 'a string', test: (v) => typeof v === 'string', optional });
const id = (name: string, optional = false): FieldRule => ({ name, is: 'a non-empty string', test: (v) => typeof v === 'string' && v !== '', optional });
const time = (name: string): FieldRule => ({ name, is: 'an ISO-8601 time', test: (v) => typeof v === 'string' && ISO_TIME.test(v) });
const positiveInteger = (name: string): FieldRule => ({ name, is: 'a positive integer', test: (v) => Number.isSafeInteger(v) && (v as number) > 0 });
const positiveNumber = (name: string): FieldRule => ({ name, is: 'a positive number', test: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 });
const phone: FieldRule = { name: 'phone', is: 'a +E.164 number as a string', test: isE164 };

/** Every field each record type's readers rely on, with what it must be (README "The ledger"). */
const RULES: Record<LedgerRecord['type'], FieldRule[]> = {
  run: [
    { name: 'v', is: `format version ${LEDGER_VERSION}`, test: (v) => v === LEDGER_VERSION },
    id('run'),
    time('at'),
    { name: 'pid', is: 'an integer', test: (v) => Number.isSafeInteger(v) },
    { name: 'provider', is: `one of ${PROVIDER_NAMES.join(', ')}`, test: (v) => (PROVIDER_NAMES as readonly unknown[]).includes(v) },
    positiveNumber('mps'),
    text('csv'),
    text('csv_sha256'),
    text('template'),
    text('template_sha256'),
    text('template_name'),
    text('language'),
    text('category'),
    positiveNumber('ttl_seconds'),
    { ...positiveNumber('template_ttl_seconds'), optional: true },
    text('phone_column', true),
    text('opt_in_column', true),
    { name: 'retry_list', is: 'true or false', test: (v) => typeof v === 'boolean', optional: true },
  ],
  intent: [
    time('at'),
    id('cid'),
    phone,
    positiveInteger('line'),
    positiveInteger('attempt'),
    { name: 'row', is: 'an object of column → text', test: isRow, optional: true },
  ],
  outcome: [
    time('at'),
    id('cid'),
    phone,
    { name: 'outcome', is: `one of ${OUTCOME_STATES.join(', ')}`, test: (v) => OUTCOME_STATES.includes(v as string) },
    // Earlier versions wrote these three as the provider answered them (an empty id, a number): a
    // ledger they wrote stays readable, and readers use them only when they are strings.
    text('message_id', true),
    { name: 'wa_id', is: 'anything', test: () => true, optional: true },
    { name: 'status', is: 'anything', test: () => true, optional: true },
    text('code', true),
    text('title', true),
    text('class', true),
  ],
};

/**
 * What is wrong with a parsed ledger line, or undefined when it is a well-formed record: the one
 * check every reader of a ledger (send's resume plan, reconcile) relies on, so that none of them
 * meets a record with a field missing or of the wrong kind. Pure. Fields it does not know are
 * allowed (a later version may add some).
 */
/** A run record of a format newer than this version reads: not damage, an old wa-broadcast. */
export function newerFormat(value: unknown): number | undefined {
  const record = value as Record<string, unknown> | null;
  return record?.type === 'run' && typeof record.v === 'number' && record.v > LEDGER_VERSION ? record.v : undefined;
}

export function ledgerRecordProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `not a ledger record (${describeValue(value)})`;
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (type === undefined) return 'a record without a "type"';
  if (type !== 'run' && type !== 'intent' && type !== 'outcome') return `unknown record type ${describeValue(type)}`;
  for (const rule of RULES[type]) {
    const field = record[rule.name];
    if (field === undefined) {
      if (rule.optional) continue;
      return `${type} record without "${rule.name}"`;
    }
    if (!rule.test(field)) return `${type} record's "${rule.name}" is ${describeValue(field)}, not ${rule.is}`;
  }
  return undefined;
}

function isRow(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const key in value) if (typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  return true;
}

/** A value as an error message shows it: short, whatever its size. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  return `${typeof value === 'number' ? 'the number' : typeof value} ${String(value)}`;
}
