import type { ProviderFamily } from '../codes/error-codes.js';
import type { LedgerRecord, RunRecord } from '../ledger/ledger-records.js';
import { PhoneTable } from '../recipients/phone-table.js';
import { decideRecipient, failureOf, isTransientClass, type AttemptFacts, type Decision, type RecipientFacts } from './decide-recipient.js';
import type { Signal } from './parse-event.js';

const LEDGER_STATES = ['none', 'accepted', 'failed', 'in_doubt', 'retry'] as const;
const LEDGER_INDEX: Record<string, number> = { accepted: 1, failed: 2, in_doubt: 3, retry: 4 };
const NO_FAILURE = -2;
const FAMILIES: ProviderFamily[] = ['meta', 'twilio'];

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
}

/**
 * The fold behind `reconcile`: the ledger and the status events into one state per recipient.
 *
 * A million recipients with several million events must fit in a few hundred MB, so the state is
 * columns of numbers indexed by attempt ("slot") and by recipient, not an object per message; the
 * only string maps are provider message id → slot and, for the few attempts in doubt, correlation
 * id → slot. Events match by message id or correlation id, never by phone number.
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

  // Per recipient (index r): phone → r + 1 in `byPhone`.
  private readonly byPhone = new PhoneTable();
  private readonly phones: string[] = [];
  private readonly firstSlot: number[] = [];
  private readonly latestSlot: number[] = [];
  private readonly prefValue: number[] = []; // 0 none, 1 stop, 2 resume
  private readonly prefAt: number[] = [];
  private readonly prefVia: (string | undefined)[] = [];
  private readonly prefCode: (string | undefined)[] = [];

  // Per attempt (slot s).
  private readonly slotRecipient: number[] = [];
  private readonly slotPrev: number[] = [];
  private readonly slotRun: number[] = [];
  private readonly slotIntentAt: number[] = [];
  private readonly slotLedger: number[] = [];
  private readonly slotOutcomeAt: number[] = [];
  private readonly slotCode: (string | undefined)[] = [];
  private readonly slotClass: (string | undefined)[] = [];
  private readonly slotRank: number[] = []; // -1: no event matched
  private readonly slotFailCode: number[] = [];
  private readonly slotFailAt: number[] = [];
  private readonly slotFailFamily: number[] = [];

  private readonly byMessageId = new Map<string, number>();
  /** Attempts without a known result, by correlation id: in doubt until an event says otherwise. */
  private readonly byCid = new Map<string, number>();
  /** WhatsApp ids that differ from the number dialled (Mexico 521…, Argentina 549…) → recipient. */
  private readonly byWaId = new Map<string, number>();
  private readonly pendingByMessageId = new Map<string, PendingStatus>();
  readonly counts: FoldCounts = { matched: 0, unmatched: 0 };
  private unmatchedPreferences = 0;

  get recipients(): number {
    return this.phones.length;
  }

  /** Folds one ledger record, in ledger order. Returns false for a record it cannot use (a bad phone). */
  addLedgerRecord(record: LedgerRecord): boolean {
    if (record.type === 'run') {
      this.runs.push(record);
      return true;
    }
    if (typeof record.phone !== 'string' || !/^\+\d{1,15}$/.test(record.phone)) return false;
    if (record.type === 'intent') {
      let r = this.byPhone.get(record.phone) - 1;
      if (r < 0) {
        r = this.phones.length;
        this.byPhone.set(record.phone, r + 1);
        this.phones.push(record.phone);
        this.firstSlot.push(-1);
        this.latestSlot.push(-1);
        this.prefValue.push(0);
        this.prefAt.push(0);
        this.prefVia.push(undefined);
        this.prefCode.push(undefined);
      }
      if (record.row) this.addColumns(record.row);
      const s = this.slotRecipient.length;
      const at = Date.parse(record.at);
      this.slotRecipient.push(r);
      this.slotPrev.push(this.latestSlot[r]!);
      this.slotRun.push(this.runs.length - 1);
      this.slotIntentAt.push(at);
      this.slotLedger.push(0);
      this.slotOutcomeAt.push(at);
      this.slotCode.push(undefined);
      this.slotClass.push(undefined);
      this.slotRank.push(-1);
      this.slotFailCode.push(NO_FAILURE);
      this.slotFailAt.push(0);
      this.slotFailFamily.push(0);
      if (this.firstSlot[r] === -1) this.firstSlot[r] = s;
      this.latestSlot[r] = s;
      this.byCid.set(record.cid, s);
      return true;
    }
    // An outcome: it belongs to the intent with its correlation id (the recipient's latest, in practice).
    const s = this.byCid.get(record.cid) ?? this.latestSlot[this.byPhone.get(record.phone) - 1] ?? -1;
    if (s < 0) return true; // an outcome without its intent: nothing to attach it to
    this.slotLedger[s] = LEDGER_INDEX[record.outcome] ?? 0;
    this.slotOutcomeAt[s] = Date.parse(record.at);
    this.slotCode[s] = record.code;
    this.slotClass[s] = record.class;
    if (record.outcome !== 'in_doubt') this.byCid.delete(record.cid);
    if (record.message_id) this.byMessageId.set(record.message_id, s);
    const r = this.slotRecipient[s]!;
    if (record.wa_id && /^\d{1,15}$/.test(record.wa_id) && `+${record.wa_id}` !== this.phones[r]) this.byWaId.set(record.wa_id, r);
    return true;
  }

  /** Folds one signal from an events file, in any order. */
  addSignal(signal: Signal): void {
    if (signal.kind === 'preference') {
      const r = this.recipientOfWaId(signal.waId);
      if (r < 0) {
        this.counts.unmatched++;
        this.unmatchedPreferences++;
        return;
      }
      this.counts.matched++;
      this.joinPreference(r, signal.value === 'stop' ? 1 : 2, signal.at, signal.via, '');
      return;
    }
    let s = signal.messageId !== undefined ? this.byMessageId.get(signal.messageId) : undefined;
    if (s === undefined && signal.cid !== undefined) {
      s = this.byCid.get(signal.cid);
      // A correlation id names the attempt: learn its message id, and take what arrived under that
      // id before it could be matched.
      if (s !== undefined && signal.messageId !== undefined && !this.byMessageId.has(signal.messageId)) {
        this.byMessageId.set(signal.messageId, s);
        const pending = this.pendingByMessageId.get(signal.messageId);
        if (pending) {
          this.pendingByMessageId.delete(signal.messageId);
          this.counts.unmatched -= pending.events;
          this.counts.matched += pending.events;
          this.joinStatus(s, pending.rank, pending.failCode, pending.failAt, pending.family);
        }
      }
    }
    const family = signal.family === 'twilio' ? 1 : 0;
    const failCode = signal.failed ? signal.code : NO_FAILURE;
    if (s === undefined) {
      this.counts.unmatched++;
      if (signal.messageId === undefined) return;
      const pending = this.pendingByMessageId.get(signal.messageId) ?? { rank: 0, failCode: NO_FAILURE, failAt: 0, family, events: 0 };
      pending.events++;
      pending.rank = Math.max(pending.rank, signal.rank);
      if (signal.failed && worseFailure(signal.at, failCode, pending.failAt, pending.failCode)) {
        pending.failCode = failCode;
        pending.failAt = signal.at;
        pending.family = family;
      }
      this.pendingByMessageId.set(signal.messageId, pending);
      return;
    }
    this.counts.matched++;
    this.joinStatus(s, signal.rank, failCode, signal.at, family);
  }

  /** Each recipient's decision at `now`, in order of first appearance in the ledger. */
  decide(now: number): Decision[] {
    const decisions: Decision[] = new Array(this.phones.length);
    for (let r = 0; r < this.phones.length; r++) decisions[r] = decideRecipient(this.factsOf(r), now);
    return decisions;
  }

  /** The recipient index of a ledger phone, or -1. */
  recipientOf(phone: string): number {
    return /^\+\d{1,15}$/.test(phone) ? this.byPhone.get(phone) - 1 : -1;
  }

  /** The number of attempts made for recipient `r` (what a retry list's `attempts` says). */
  attemptsOf(r: number): number {
    let n = 0;
    for (let s = this.latestSlot[r]!; s >= 0; s = this.slotPrev[s]!) n++;
    return n;
  }

  /** The latest attempt of recipient `r`: when its intent was written, and its correlation id while it is in doubt. */
  latestAttemptOf(r: number): { intentAt: number; slot: number } {
    const slot = this.latestSlot[r]!;
    return { intentAt: this.slotIntentAt[slot]!, slot };
  }

  /** Correlation ids of the attempts still in doubt after the ledger (slot → cid). */
  inDoubtCids(): Map<number, string> {
    const cids = new Map<number, string>();
    for (const [cid, slot] of this.byCid) cids.set(slot, cid);
    return cids;
  }

  get unmatchedPreferenceCount(): number {
    return this.unmatchedPreferences;
  }

  /** Everything known about recipient `r`, for the rules. */
  factsOf(r: number): RecipientFacts {
    const latest = this.latestSlot[r]!;
    const run = this.runs[this.slotRun[latest]!] ?? this.runs[this.runs.length - 1];
    const family: ProviderFamily = run?.provider === 'twilio' ? 'twilio' : 'meta';
    let attempts = 0;
    let retryLaterFailures = 0;
    let transientFailures = 0;
    let optedOutCode: string | undefined;
    let optedOutAt = -Infinity;
    for (let s = latest; s >= 0; s = this.slotPrev[s]!) {
      attempts++;
      const failure = failureOf(this.attemptFacts(s), family);
      if (!failure) continue;
      if (failure.errorClass === 'retry_later') retryLaterFailures++;
      else if (isTransientClass(failure.errorClass)) transientFailures++;
      else if (failure.errorClass === 'opted_out' && failure.at > optedOutAt) {
        optedOutAt = failure.at;
        optedOutCode = failure.code;
      }
    }
    // A 131050 / 21610 is a stop at the time of the failure; a later "resume" preference lifts it.
    let optedOut: RecipientFacts['optedOut'];
    const pref = this.prefValue[r]!;
    const prefAt = this.prefAt[r]!;
    if (optedOutCode !== undefined && !(pref === 2 && prefAt > optedOutAt)) optedOut = { via: 'opted_out', code: optedOutCode };
    else if (pref === 1) optedOut = { via: this.prefVia[r]!, code: this.prefCode[r] ?? '' };
    return {
      phone: this.phones[r]!,
      category: run?.category ?? 'marketing',
      ttlMs: (run?.ttl_seconds ?? 30 * 86400) * 1000,
      firstAttemptAt: this.slotIntentAt[this.firstSlot[r]!]!,
      attempts,
      retryLaterFailures,
      transientFailures,
      latest: this.attemptFacts(latest),
      optedOut,
      family,
    };
  }

  private attemptFacts(s: number): AttemptFacts {
    const failCode = this.slotFailCode[s]!;
    return {
      ledger: LEDGER_STATES[this.slotLedger[s]!]!,
      intentAt: this.slotIntentAt[s]!,
      outcomeAt: this.slotOutcomeAt[s]!,
      ledgerCode: this.slotCode[s],
      ledgerClass: this.slotClass[s],
      evidence: this.slotRank[s]! >= 0,
      rank: Math.max(0, this.slotRank[s]!),
      eventFailure: failCode === NO_FAILURE ? undefined : { code: failCode, at: this.slotFailAt[s]!, family: FAMILIES[this.slotFailFamily[s]!]! },
    };
  }

  private joinStatus(s: number, rank: number, failCode: number, failAt: number, family: number): void {
    this.slotRank[s] = Math.max(this.slotRank[s]!, rank);
    if (failCode !== NO_FAILURE && worseFailure(failAt, failCode, this.slotFailAt[s]!, this.slotFailCode[s]!)) {
      this.slotFailCode[s] = failCode;
      this.slotFailAt[s] = failAt;
      this.slotFailFamily[s] = family;
    }
  }

  private joinPreference(r: number, value: number, at: number, via: string, code: string): void {
    const current = this.prefValue[r]!;
    const currentAt = this.prefAt[r]!;
    // The latest change wins; at the same instant a stop wins (then the lower `via`, for determinism).
    const wins =
      current === 0 || at > currentAt || (at === currentAt && (value < current || (value === current && via < (this.prefVia[r] ?? ''))));
    if (!wins) return;
    this.prefValue[r] = value;
    this.prefAt[r] = at;
    this.prefVia[r] = via;
    this.prefCode[r] = code;
  }

  private recipientOfWaId(waId: string): number {
    if (!/^\d{1,15}$/.test(waId)) return -1;
    return this.byWaId.get(waId) ?? this.byPhone.get(`+${waId}`) - 1;
  }

  private addColumns(row: Record<string, string>): void {
    for (const name in row) {
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
