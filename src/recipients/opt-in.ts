/** The values that mean "this person agreed to receive WhatsApp messages" (SPEC.md, fixed). */
export const OPT_IN_VALUES: ReadonlySet<string> = new Set(['yes', 'y', 'true', '1', 'opted_in']);

/** Consent is explicit or absent: anything outside the fixed set, or empty, is no. */
export function isOptedIn(value: string | undefined): boolean {
  return value !== undefined && OPT_IN_VALUES.has(value.trim().toLowerCase());
}
