import type { IntentRecord, OutcomeRecord, OutcomeState } from '../src/ledger/ledger-records.js';

// Ledger records for tests, one way: an intent and its outcome share the cid `r-<phone>-<attempt>`.

/** When the records say they were written, unless told (any fixed time: readers only compare them). */
export const RECORDED_AT = '2026-11-24T10:00:00.000Z';

/** An intent for `phone`: its first attempt, from CSV line 2, unless `over` says otherwise. */
export function intentFor(phone: string, over: Partial<Omit<IntentRecord, 'type'>> = {}): IntentRecord {
  const attempt = over.attempt ?? 1;
  return { type: 'intent', at: RECORDED_AT, cid: `r-${phone}-${attempt}`, phone, line: 2, attempt, ...over };
}

/** The outcome of `phone`'s attempt (the first unless `attempt` says), with the cid of its intentFor. */
export function outcomeFor(phone: string, outcome: OutcomeState, over: Partial<Omit<OutcomeRecord, 'type' | 'outcome'>> & { attempt?: number } = {}): OutcomeRecord {
  const { attempt = 1, ...fields } = over;
  return { type: 'outcome', at: RECORDED_AT, cid: `r-${phone}-${attempt}`, phone, outcome, ...fields };
}
