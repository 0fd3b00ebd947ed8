import type { ProviderFamily } from '../codes/error-codes.js';
import { normaliseKeyword, StatusRank, type ParsedEvent, type Signal } from './status-signal.js';

/**
 * What a stored callback says, read once: `webhook` stores these beside the untouched `raw` (an
 * events line's `facts`), and reconcile folds them without parsing `raw` again. They hold no
 * judgement that reconcile's flags can change: an inbound message's words are kept as sent, and
 * compared with `--opt-out-keywords` when reconcile reads them. A callback parser (one per
 * provider folder) turns `raw` into these; `signalsOfFacts` turns them into what the fold takes,
 * so an events line read from `raw` and one read from its `facts` give the same signals.
 *
 * A change to what a parser reads from `raw` changes FACTS_VERSION: lines of another version
 * are read from `raw`.
 */
export const FACTS_VERSION = 1;

/** A message status: `queued` is a status before `sent` (Twilio's queued, accepted, sending). */
export type FactStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusFact {
  status: FactStatus;
  /** Provider message id. */
  id?: string;
  /** Our correlation id. */
  cid?: string;
  /** A failure's error code, when it names one (an integer, -1 is none). */
  code?: number;
  /** When it happened (ms): the payload's timestamp, else the receive time. */
  at: number;
}

export interface PreferenceFact {
  preference: 'stop' | 'resume';
  via: 'user_preferences' | 'twilio_opt_out';
  wa_id: string;
  at: number;
}

/** An inbound message's texts (body, button text and payload…), an opt-out when one is a keyword. */
export interface InboundFact {
  inbound: string[];
  from: string;
  at: number;
}

export type EventFact = StatusFact | PreferenceFact | InboundFact;

/** An events line's `facts`: the version, then the facts in the payload's order. */
export interface StoredFacts {
  v: typeof FACTS_VERSION;
  facts: EventFact[];
}

/** What a callback parser reads from a stored callback: its facts, or why it is not understood. */
export type FactsResult = { ok: true; facts: EventFact[] } | { ok: false; why: string };

const RANKS = new Map<string, number>([
  ['queued', StatusRank.none],
  ['sent', StatusRank.sent],
  ['delivered', StatusRank.delivered],
  ['read', StatusRank.read],
  ['failed', StatusRank.none],
]);

/** The signals the fold takes from facts, with the opt-out keywords (normalised) of this reconcile. */
export function signalsOfFacts(result: FactsResult, family: ProviderFamily, keywords: ReadonlySet<string>): ParsedEvent {
  if (!result.ok) return result;
  const signals: Signal[] = [];
  for (const fact of result.facts) {
    if ('status' in fact) {
      const failed = fact.status === 'failed';
      signals.push({ kind: 'status', family, messageId: fact.id, cid: fact.cid, rank: RANKS.get(fact.status)!, failed, code: failed ? (fact.code ?? -1) : -1, at: fact.at });
    } else if ('preference' in fact) {
      signals.push({ kind: 'preference', value: fact.preference, via: fact.via, waId: fact.wa_id, at: fact.at });
    } else if (fact.inbound.some((word) => keywords.has(normaliseKeyword(word)))) {
      signals.push({ kind: 'preference', value: 'stop', via: 'keyword', waId: fact.from, at: fact.at });
    }
  }
  return { ok: true, signals };
}

/**
 * An events line's `facts` when they are of this version and well-formed, else undefined (the
 * line is then read from `raw`): a hand-edited or foreign value is never trusted half-way.
 */
export function checkedFacts(value: unknown): EventFact[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { v, facts } = value as { v?: unknown; facts?: unknown };
  if (v !== FACTS_VERSION || !Array.isArray(facts)) return undefined;
  for (const fact of facts as unknown[]) if (!isFact(fact)) return undefined;
  return facts as EventFact[];
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const optional = (value: unknown, test: (v: unknown) => boolean) => value === undefined || test(value);

function isFact(fact: unknown): boolean {
  if (fact === null || typeof fact !== 'object' || Array.isArray(fact)) return false;
  const f = fact as Record<string, unknown>;
  const keys = Object.keys(f).length;
  if (typeof f.status === 'string') {
    const known = (['id', 'cid', 'code'] as const).filter((key) => f[key] !== undefined).length + 2;
    return RANKS.has(f.status) && optional(f.id, isText) && optional(f.cid, isText) && optional(f.code, Number.isInteger) && isTime(f.at) && keys === known;
  }
  if (f.preference !== undefined) {
    return (f.preference === 'stop' || f.preference === 'resume') && (f.via === 'user_preferences' || f.via === 'twilio_opt_out') && isText(f.wa_id) && isTime(f.at) && keys === 4;
  }
  return Array.isArray(f.inbound) && f.inbound.every((word) => typeof word === 'string') && isText(f.from) && isTime(f.at) && keys === 3;
}
