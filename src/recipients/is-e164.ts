/**
 * A phone as `send` writes it and everything downstream keys it: `+`, a first digit 1–9, at most 15
 * digits in all. The one check for the ledger's records and reconcile's fold alike: PhoneTable keys a
 * number by its digits as a double, so `+0123` would share `+123`'s key (and is no E.164 number:
 * country codes never start with 0).
 */
export const E164 = /^\+[1-9]\d{0,14}$/;

/** Whether `value` is a `+E.164` string (see E164). */
export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164.test(value);
}
