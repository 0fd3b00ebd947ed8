import { CODE_FAMILIES, type ProviderFamily } from '../codes/error-codes.js';
import { runTtlSeconds, type LedgerRecord, type RunRecord } from '../ledger/ledger-records.js';
import { familyOf } from '../providers/index.js';
import { isE164 } from '../recipients/is-e164.js';
import { PhoneTable } from '../recipients/phone-table.js';
import { MessageIdTable, messageIdHash } from './message-id-table.js';
import { float64s, int32s, int8s, uint8s } from './number-column.js';
import { decideRecipient, failureOf, isHeldBackClass, isTransientClass, type AttemptFacts, type Decision, type RecipientFacts } from './decide-recipient.js';
import type { Signal } from './parse-event.js';
import { familyCode } from './family-code.js';

const LEDGER_STATES = ['none', 'accepted', 'failed', 'in_doubt', 'retry'] as const;
// A Map: the outcome is the ledger's text, and `constructor` is no state.
const LEDGER_INDEX = new Map<string, number>([['accepted', 1], ['failed', 2], ['in_doubt', 3], ['retry', 4]]);
const LEDGER_ACCEPTED = LEDGER_INDEX.get('accepted')!;
const LEDGER_FAILED = LEDGER_INDEX.get('failed')!;
const NO_FAILURE = -2;
/** The decisions settledDecisionOf gives, shared (nothing changes a decision once made). */
const READ: Decision = Object.freeze({ state: 'read', list: undefined, reason: '', code: '' });
const DELIVERED: Decision = Object.freeze({ state: 'delivered', list: undefined, reason: '', code: '' });
/** A claim on a message id by attempts of two recipients. */
const AMBIGUOUS = -1;

/** A status fold for a message id that matched nothing yet (its attempt may be learned later from a correlation id). */
interface PendingStatus {
  rank: number;
  failCode: number;
  failAt: number;
  family: number;
  events: number;
}

export interface FoldCounts {
  /** Status and preference signals applied to a recipient of this ledger. */
  matched: number;
  /** Signals about messages or people this ledger does not know (another campaign's, say). */
  unmatched: number;
  /** Statuses naming only a message id given to more than one recipient (by the ledger, or by events' correlation ids): applied to no one. */
  ambiguous: number;
}

/**
 * The fold behind `reconcile`: the ledger and the status events into one state per recipient.
 *
 * A million recipients with several million events must fit in a few hundred MB, so the state is
 * columns of numbers indexed by attempt ("slot") and by recipient, not an object per message; the
 * only string maps are provider message id → slot and, for the few attempts in doubt, correlation
 * id → slot. Events match by message id or correlation id, never by phone number; a message id
 * given to two recipients (a provider that answered wrongly) matches no one.
 *
 * Every operation on a slot is a lattice join (higher status wins; a failure is terminal, and of
 * several the earliest, then the lowest code, wins; of preference changes the latest, a stop winning
 * a tie), so the result does not depend on the order of the events or on duplicates.
 */
export class CampaignFold {
  readonly runs: RunRecord[] = [];
  /** Variables seen in recipients' rows, in order of first appearance. */
  readonly columns: string[] = [];
  private readonly columnSet = new Set<string>();

  // Per recipient (index r): phone → r + 1 in `byPhone`; the phone itself as its digits.
  private readonly byPhone: PhoneTable;
  private readonly phoneDigits = float64s();
  private readonly firstSlot = int32s();
  private readonly latestSlot = int32s();
  /** Marketing preference changes (few recipients have one). */
  private readonly preferences = new Map<number, { value: number; at: number; via: string }>();

  // Per attempt (slot s).
  private readonly slotRecipient = int32s();
  private readonly slotPrev = int32s();
  private readonly slotRun = int32s();
  private readonly slotIntentAt = float64s();
  private readonly slotLedger = uint8s();
  private readonly slotOutcomeAt = float64s();
  /** Error code and class of the outcome, for the few attempts that have one. */
  private readonly slotCode = new Map<number, string>();
  private readonly slotClass = new Map<number, string>();
  /** The title of a failed outcome (what failed.csv shows). */
  private readonly slotTitle = new Map<number, string>();
  private readonly slotRank = int8s(); // -1: no event matched
  private readonly slotFailCode = int32s();
  private readonly slotFailAt = float64s();
  private readonly slotFailFamily = uint8s();

  private readonly byMessageId = new MessageIdTable();
  /** Runs (by index) with at least one status event matched to one of their attempts. */
  private readonly runsWithEvents = new Set<number>();
  /**
   * Message ids the ledger records for two or more recipients (a provider that answered wrongly):
   * their events could be about any of them, so they are applied to none.
   */
  private readonly ambiguousIds = new Set<string>();
  /** Attempts without a known result, by correlation id: in doubt until an event says otherwise. */
  private readonly byCid = new Map<string, number>();
  /** WhatsApp ids that differ from the number dialled (Mexico 521…, Argentina 549…) → recipient. */
  private readonly byWaId = new Map<string, number>();
  private readonly pendingByMessageId = new Map<string, PendingStatus>();
  /** Message ids that events carried with the correlation id of an attempt in doubt → that slot (AMBIGUOUS: two recipients'). */
  private readonly claims = new Map<string, number>();
  private readonly eventCounts: FoldCounts = { matched: 0, unmatched: 0, ambiguous: 0 };
  /** The last column names added (a scan gives rows with the same names one array): not looked at again. */
  private lastColumns: unknown;

  /** `expectedRecipients`: about how many there will be, so that the phone table is not regrown as it fills. */
  constructor(expectedRecipients = 1024) {
    this.byPhone = new PhoneTable(expectedRecipients);
  }

  /** How the events matched (read once every event is in). */
  get counts(): FoldCounts {
    this.settleEvents();
    return { ...this.eventCounts };
  }

  get recipients(): number {
    return this.phoneDigits.length;
  }

  /** Folds one ledger record, in ledger order. Returns false for a record it cannot use (a bad phone). */
  addLedgerRecord(record: LedgerRecord): boolean {
    if (record.type === 'run') {
      this.runs.push(record);
      return true;
    }
    if (!isE164(record.phone)) return false;
    if (record.type === 'intent') {
      this.addIntent(record.phone, Date.parse(record.at), record.cid, record.row);
      return true;
    }
    this.addOutcome(record.phone, Date.parse(record.at), record.cid, record.outcome, record.message_id, record.wa_id, record);
    return true;
  }

  /**
   * An intent, in ledger order (its phone checked: +E.164; `at`, its time in ms). `columns`: its
   * row's column names (a row object's keys, or the names a scan of the line found), undefined
   * without a row.
   */
  addIntent(phone: string, at: number, cid: string, columns: Iterable<string> | Record<string, string> | undefined): void {
    this.addIntentOfKey(Number(phone.slice(1)), at, cid, columns);
  }

  /**
   * addIntent with the phone as its digits (`Number(phone.slice(1))`, of a checked +E.164 number):
   * what the ledger's scanner works out on the reading thread, so that this one slices no string.
   */
  addIntentOfKey(phoneKey: number, at: number, cid: string, columns: Iterable<string> | Record<string, string> | undefined): void {
    const next = this.phoneDigits.length;
    // One probe: the recipient this phone has, or the next one, added.
    let r = this.byPhone.addOrGetKey(phoneKey, next + 1) - 1;
    if (r < 0) {
      r = next;
      this.phoneDigits.push(phoneKey);
      this.firstSlot.push(-1);
      this.latestSlot.push(-1);
    }
    if (columns && columns !== this.lastColumns) {
      this.addColumns(columns);
      this.lastColumns = columns;
    }
    const s = this.slotRecipient.length;
    this.slotRecipient.push(r);
    this.slotPrev.push(this.latestSlot.get(r));
    this.slotRun.push(this.runs.length - 1);
    this.slotIntentAt.push(at);
    this.slotLedger.push(0);
    this.slotOutcomeAt.push(at);
    this.slotRank.push(-1);
    this.slotFailCode.push(NO_FAILURE);
    this.slotFailAt.push(0);
    this.slotFailFamily.push(0);
    if (this.firstSlot.get(r) === -1) this.firstSlot.set(r, s);
    this.latestSlot.set(r, s);
    this.byCid.set(cid, s);
  }

  /**
   * An outcome, in ledger order (its phone checked: +E.164): it belongs to the intent with its
   * correlation id (the recipient's latest, in practice). `failure`: its code, class and title,
   * absent from an accepted outcome. `hash`: the message id's messageIdHash, when the reader
   * worked it out.
   */
  addOutcome(phone: string, at: number, cid: string, outcome: string, messageId: string | undefined, waId: unknown, failure?: { code?: string | undefined; class?: string | undefined; title?: string | undefined }, hash?: number): void {
    const s = this.byCid.get(cid) ?? this.latestSlotOfPhone(phone);
    if (s < 0) return; // an outcome without its intent: nothing to attach it to
    this.slotLedger.set(s, LEDGER_INDEX.get(outcome) ?? 0);
    this.slotOutcomeAt.set(s, at);
    if (failure?.code !== undefined) this.slotCode.set(s, failure.code);
    if (failure?.class !== undefined) this.slotClass.set(s, failure.class);
    if (outcome === 'failed' && typeof failure?.title === 'string') this.slotTitle.set(s, failure.title);
    else if (this.slotTitle.size > 0) this.slotTitle.delete(s);
    if (outcome !== 'in_doubt') this.byCid.delete(cid);
    const r = this.slotRecipient.get(s);
    if (messageId) this.addMessageId(messageId, s, r, hash ?? messageIdHash(messageId));
    // (`waId` is the phone's digits unless it has the length and ends the phone: no slice needed.)
    const isPhone = typeof waId === 'string' && waId.length === phone.length - 1 && phone.endsWith(waId);
    if (typeof waId === 'string' && !isPhone && /^\d{1,15}$/.test(waId)) this.byWaId.set(waId, r);
  }

  /** The latest attempt of the recipient with this phone, or -1. */
  private latestSlotOfPhone(phone: string): number {
    const r = this.byPhone.get(phone) - 1;
    return r >= 0 ? this.latestSlot.get(r) : -1;
  }

  /** Folds one signal from an events file, in any order. */
  addSignal(signal: Signal): void {
    if (signal.kind === 'preference') {
      const r = this.recipientOfWaId(signal.waId);
      if (r < 0) {
        this.eventCounts.unmatched++;
        return;
      }
      this.eventCounts.matched++;
      this.joinPreference(r, signal.value === 'stop' ? 1 : 2, signal.at, signal.via);
      return;
    }
    this.addStatus(signal.messageId, signal.cid, signal.rank, signal.failed, signal.code, signal.at, familyCode(signal.family));
  }

  /**
   * Folds one status (the parts of a status signal; `family` as `familyCode` gives it; `hash`:
   * the message id's messageIdHash, when the reader worked it out).
   */
  addStatus(messageId: string | undefined, cid: string | undefined, rank: number, failed: boolean, code: number, at: number, family: number, hash?: number): void {
    // An id given to several recipients says nothing about which: the event is matched by its
    // correlation id alone (ours, one per attempt), or by nothing.
    const ambiguous = messageId !== undefined && this.ambiguousIds.size > 0 && this.ambiguousIds.has(messageId);
    if (ambiguous) messageId = undefined;
    const failCode = failed ? code : NO_FAILURE;
    const found = messageId !== undefined ? this.byMessageId.get(messageId, hash ?? messageIdHash(messageId)) : -1;
    let s = found >= 0 ? found : undefined;
    if (s === undefined && cid !== undefined) {
      s = this.byCid.get(cid);
      // A correlation id names the attempt, so the message id it comes with is that attempt's:
      // events naming only that id are given to it once all events are in (`settleEvents`).
      if (s !== undefined && messageId !== undefined) this.claim(messageId, s);
    }
    if (s !== undefined) {
      this.eventCounts.matched++;
      this.joinStatus(s, rank, failCode, at, family);
      return;
    }
    if (messageId === undefined) {
      if (ambiguous) this.eventCounts.ambiguous++;
      else this.eventCounts.unmatched++;
      return;
    }
    // Unmatched for now: kept per id (joined like a slot), in case a correlation id claims it.
    this.eventCounts.unmatched++;
    const pending = this.pendingByMessageId.get(messageId) ?? { rank: 0, failCode: NO_FAILURE, failAt: 0, family, events: 0 };
    pending.events++;
    pending.rank = Math.max(pending.rank, rank);
    if (failed && worseFailure(at, failCode, pending.failAt, pending.failCode)) {
      pending.failCode = failCode;
      pending.failAt = at;
      pending.family = family;
    }
    this.pendingByMessageId.set(messageId, pending);
  }

  /** Message ids given to more than one recipient, by the ledger or by events' correlation ids (read once every event is in). */
  ambiguousMessageIds(): number {
    this.settleEvents();
    let claimedTwice = 0;
    for (const slot of this.claims.values()) if (slot === AMBIGUOUS) claimedTwice++;
    return this.ambiguousIds.size + claimedTwice;
  }

  /**
   * Each recipient's decision at `now`, in order of first appearance in the ledger. `shortcut`
   * false: every one by decideRecipient from the facts (what the shortcut must equal; tests).
   */
  decide(now: number, shortcut = true): Decision[] {
    this.settleEvents();
    const decisions: Decision[] = new Array(this.recipients);
    for (let r = 0; r < this.recipients; r++) decisions[r] = (shortcut ? this.settledDecisionOf(r) : undefined) ?? decideRecipient(this.factsOf(r), now);
    return decisions;
  }

  /**
   * Most recipients' decision without their facts: one attempt, accepted, delivered or read, no
   * failure and no preference change, which decideRecipient turns into `read` or `delivered`
   * whatever else is known (a test holds the two equal). Undefined for everyone else. The facts
   * (an object per recipient and per attempt, a phone string) were most of the rules' cost at a
   * million recipients; one shared decision each costs nothing.
   */
  private settledDecisionOf(r: number): Decision | undefined {
    const s = this.latestSlot.get(r);
    if (this.slotPrev.get(s) !== -1 || this.slotLedger.get(s) !== LEDGER_ACCEPTED || this.slotFailCode.get(s) !== NO_FAILURE) return undefined;
    if (this.preferences.size > 0 && this.preferences.has(r)) return undefined;
    const rank = this.slotRank.get(s);
    return rank >= 3 ? READ : rank === 2 ? DELIVERED : undefined;
  }

  /**
   * Once every event is in: the events that named only a message id claimed by a correlation id go
   * to that attempt, or to no one when attempts of two recipients claimed it. Deferred to here so
   * that the result does not depend on which event came first. Idempotent.
   */
  private settleEvents(): void {
    for (const [messageId, slot] of this.claims) {
      const pending = this.pendingByMessageId.get(messageId);
      if (!pending) continue;
      this.pendingByMessageId.delete(messageId);
      this.eventCounts.unmatched -= pending.events;
      if (slot === AMBIGUOUS) {
        this.eventCounts.ambiguous += pending.events;
        continue;
      }
      this.eventCounts.matched += pending.events;
      this.joinStatus(slot, pending.rank, pending.failCode, pending.failAt, pending.family);
    }
  }

  /** `messageId` came with the correlation id of attempt `s` (one not settled by the ledger). */
  private claim(messageId: string, s: number): void {
    const current = this.claims.get(messageId);
    if (current === undefined) this.claims.set(messageId, s);
    else if (current === AMBIGUOUS || current === s) return;
    else if (this.slotRecipient.get(current) !== this.slotRecipient.get(s)) this.claims.set(messageId, AMBIGUOUS);
    // Two attempts of one recipient: the later one, whichever event came first.
    else this.claims.set(messageId, Math.max(current, s));
  }

  /** The recipient index of a ledger phone, or -1. */
  recipientOf(phone: string): number {
    return isE164(phone) ? this.byPhone.get(phone) - 1 : -1;
  }

  /** Recipient `r`'s phone as its digits (the number after the `+`). */
  phoneDigitsOf(r: number): number {
    return this.phoneDigits.get(r);
  }

  /** The number of attempts made for recipient `r` (what a retry list's `attempts` says). */
  attemptsOf(r: number): number {
    let n = 0;
    for (let s = this.latestSlot.get(r); s >= 0; s = this.slotPrev.get(s)) n++;
    return n;
  }

  /** The latest attempt of recipient `r`: when its intent was written, and its correlation id while it is in doubt. */
  latestAttemptOf(r: number): { intentAt: number; slot: number } {
    const slot = this.latestSlot.get(r);
    return { intentAt: this.slotIntentAt.get(slot), slot };
  }

  /** Correlation ids of the attempts still in doubt after the ledger (slot → cid). */
  inDoubtCids(): Map<number, string> {
    const cids = new Map<number, string>();
    for (const [cid, slot] of this.byCid) cids.set(slot, cid);
    return cids;
  }

  /** Everything known about recipient `r`, for the rules. */
  private factsOf(r: number): RecipientFacts {
    const latest = this.latestSlot.get(r);
    const run = this.runs[this.slotRun.get(latest)] ?? this.runs[this.runs.length - 1];
    // The code table of the run's provider, for the codes send recorded.
    const family = familyOf(run?.provider);
    let retryLaterFailures = 0;
    let transientFailures = 0;
    let pausedFailures = 0;
    let optedOutCode: string | undefined;
    let optedOutAt = -Infinity;
    for (let s = latest; s >= 0; s = this.slotPrev.get(s)) {
      const failure = failureOf(this.attemptFacts(s), family);
      if (!failure) continue;
      if (failure.errorClass === 'retry_later') retryLaterFailures++;
      else if (isTransientClass(failure.errorClass)) transientFailures++;
      else if (isHeldBackClass(failure.errorClass)) pausedFailures++;
      else if (failure.errorClass === 'opted_out' && failure.at > optedOutAt) {
        optedOutAt = failure.at;
        optedOutCode = failure.code;
      }
    }
    // A 131050 / 21610 is a stop at the time of the failure. Of it and the preference changes the
    // latest is the person's word, a stop winning a tie (both are joins, so order does not matter).
    let optedOut: RecipientFacts['optedOut'];
    let resumedAt: number | undefined;
    const preference = this.preferences.get(r);
    const resumedLater = preference?.value === 2 && (optedOutCode === undefined || preference.at > optedOutAt);
    if (resumedLater) resumedAt = preference.at;
    else if (optedOutCode !== undefined) optedOut = { via: 'opted_out', code: optedOutCode };
    else if (preference?.value === 1) optedOut = { via: preference.via, code: '' };
    return {
      phone: `+${this.phoneDigits.get(r)}`,
      category: run?.category ?? 'marketing',
      ttlMs: (run ? runTtlSeconds(run) : 30 * 86400) * 1000,
      firstAttemptAt: this.slotIntentAt.get(this.firstSlot.get(r)),
      retryLaterFailures,
      transientFailures,
      pausedFailures,
      latest: this.attemptFacts(latest),
      optedOut,
      resumedAt,
      family,
      deliveriesVisible: this.runsWithEvents.has(this.slotRun.get(latest)),
    };
  }

  /** Whether any status event matched any attempt (read once every event is in). */
  get anyStatusMatched(): boolean {
    this.settleEvents();
    return this.runsWithEvents.size > 0;
  }

  /**
   * How far recipient `r`'s latest attempt got, for the summary's funnel: 3 read, 2 delivered,
   * 1 accepted (by the ledger, or proven by an event), 0 not accepted, -1 failed in the answer, -2
   * accepted and then failed (a status callback).
   */
  funnelStageOf(r: number, shortcut = true): number {
    const s = this.latestSlot.get(r);
    // Without a failure, failureOf has nothing to say: the stage is the columns' (no facts built).
    if (shortcut && this.slotFailCode.get(s) === NO_FAILURE && this.slotLedger.get(s) !== LEDGER_FAILED) {
      const rank = this.slotRank.get(s);
      if (rank >= 2) return rank;
      return this.slotLedger.get(s) === LEDGER_ACCEPTED || rank >= 0 ? 1 : 0;
    }
    const latest = this.attemptFacts(s);
    const run = this.runs[this.slotRun.get(s)] ?? this.runs[this.runs.length - 1];
    if (failureOf(latest, familyOf(run?.provider))) return latest.ledger === 'accepted' ? -2 : -1;
    if (latest.rank >= 2) return latest.rank;
    return latest.ledger === 'accepted' || latest.evidence ? 1 : 0;
  }

  private attemptFacts(s: number): AttemptFacts {
    const failCode = this.slotFailCode.get(s);
    const rank = this.slotRank.get(s);
    return {
      ledger: LEDGER_STATES[this.slotLedger.get(s)]!,
      intentAt: this.slotIntentAt.get(s),
      outcomeAt: this.slotOutcomeAt.get(s),
      ledgerCode: this.slotCode.get(s),
      ledgerClass: this.slotClass.get(s),
      ledgerTitle: this.slotTitle.get(s),
      evidence: rank >= 0,
      rank: Math.max(0, rank),
      eventFailure: failCode === NO_FAILURE ? undefined : { code: failCode, at: this.slotFailAt.get(s), family: CODE_FAMILIES[this.slotFailFamily.get(s)]! },
    };
  }

  /**
   * Records that attempt `s` (of recipient `r`) was given `messageId`. The same id for another
   * recipient makes it ambiguous for good: whichever record comes first, neither gets its events.
   */
  private addMessageId(messageId: string, s: number, r: number, hash: number): void {
    if (this.ambiguousIds.size > 0 && this.ambiguousIds.has(messageId)) return;
    // Given to this attempt; if it was another recipient's, taken back from both.
    const existing = this.byMessageId.swap(messageId, hash, s);
    if (existing >= 0 && this.slotRecipient.get(existing) !== r) {
      this.byMessageId.set(messageId, hash, -1);
      this.ambiguousIds.add(messageId);
    }
  }


  private joinStatus(s: number, rank: number, failCode: number, failAt: number, family: number): void {
    this.runsWithEvents.add(this.slotRun.get(s));
    if (rank > this.slotRank.get(s)) this.slotRank.set(s, rank);
    if (failCode !== NO_FAILURE && worseFailure(failAt, failCode, this.slotFailAt.get(s), this.slotFailCode.get(s))) {
      this.slotFailCode.set(s, failCode);
      this.slotFailAt.set(s, failAt);
      this.slotFailFamily.set(s, family);
    }
  }

  private joinPreference(r: number, value: number, at: number, via: string): void {
    const current = this.preferences.get(r);
    // The latest change wins; at the same instant a stop wins (then the lower `via`, for determinism).
    const wins = !current || at > current.at || (at === current.at && (value < current.value || (value === current.value && via < current.via)));
    if (wins) this.preferences.set(r, { value, at, via });
  }

  private recipientOfWaId(waId: string): number {
    if (!/^\d{1,15}$/.test(waId)) return -1;
    return this.byWaId.get(waId) ?? this.byPhone.get(`+${waId}`) - 1;
  }

  private addColumns(row: Iterable<string> | Record<string, string>): void {
    for (const name of Symbol.iterator in row ? (row as Iterable<string>) : Object.keys(row)) {
      if (!this.columnSet.has(name)) {
        this.columnSet.add(name);
        this.columns.push(name);
      }
    }
  }
}

/** Whether failure (at, code) should replace (currentAt, currentCode): the earliest wins, then the lowest code. */
function worseFailure(at: number, code: number, currentAt: number, currentCode: number): boolean {
  if (currentCode === NO_FAILURE) return true;
  return at < currentAt || (at === currentAt && code < currentCode);
}
