import type { CodeInfo, CodeTable, ErrorClass, ProviderFamily } from './code-info.js';
import { META_CODES } from './meta-codes.js';
import { TWILIO_CODES } from './twilio-codes.js';

/**
 * The one table of provider error codes, asked by code: what `send` does in the run, what
 * `reconcile` does afterwards, and what the emulator answers. Nothing outside src/codes/ decides
 * by code; the rows are in meta-codes.ts and twilio-codes.ts, each with its doc URL above it.
 */

export { CODE_FAMILIES, type CodeInfo, type ErrorClass, type ProviderFamily, type SmsReason } from './code-info.js';

/** Which API a message went through: Meta's `/messages`, the Marketing Messages API, or the provider's own routing (Twilio). */
export type SendRoute = 'messages' | 'marketing_messages' | 'provider';

const TABLES: Record<ProviderFamily, CodeTable> = { meta: META_CODES, twilio: TWILIO_CODES };

/** What a provider error code means, or undefined for a code not in the table. */
export function lookupCode(family: ProviderFamily, code: number): CodeInfo | undefined {
  const table = TABLES[family];
  return table.rows.get(code) ?? table.range?.(code);
}

/** The class of a code that arrived in a status callback (which for some codes differs from the send answer's). */
export function callbackClass(family: ProviderFamily, code: number): ErrorClass | undefined {
  const info = lookupCode(family, code);
  return info?.inCallback ?? info?.class;
}

/** The HTTP status the provider answers an error code with. */
export function httpStatusOf(family: ProviderFamily, code: number): number {
  return lookupCode(family, code)?.httpStatus ?? TABLES[family].defaultHttpStatus(code);
}

/** The same failure in another family's numbers (Meta's 131026 is Twilio's 63024); the code itself when none is known. */
export function equivalentCode(from: ProviderFamily, code: number, to: ProviderFamily): number {
  if (from === to) return code;
  return lookupCode(from, code)?.equivalent?.[to] ?? code;
}

/** How long an in-run retry of this code must wait, when the code says (131057: a minute); undefined otherwise. */
export function retryDelayMs(family: ProviderFamily, code: number): number | undefined {
  return lookupCode(family, code)?.retryDelayMs;
}

/** Every row of a family's table, in numeric order (ranges not included): what the per-row tests walk. */
export function allCodes(family: ProviderFamily): [number, CodeInfo][] {
  return [...TABLES[family].rows].sort(([a], [b]) => a - b);
}

/**
 * What a code means in an answer on a route: the Marketing Messages API gives some codes another
 * meaning (131009 right after onboarding: the template's ad sync). Undefined for a code not in the table.
 */
export function answerMeaning(family: ProviderFamily, code: number, route: SendRoute): CodeInfo | undefined {
  const info = lookupCode(family, code);
  if (route !== 'marketing_messages' || !info?.onMarketingApi) return info;
  const { onMarketingApi } = info;
  return { ...info, class: onMarketingApi.class, title: onMarketingApi.title ?? info.title, retryDelayMs: onMarketingApi.retryDelayMs };
}

/**
 * Reconcile's retry for a campaign-stopping code that arrived in a callback: its reason and how
 * long after the failure it is due (0: at once, once the cause is fixed).
 */
export function laterRetryOf(family: ProviderFamily, code: number): { reason: string; afterMs: number } {
  return lookupCode(family, code)?.laterRetry ?? { reason: 'campaign_stopped', afterMs: 0 };
}

/** Every code of a class in a family's table, in numeric order (ranges not included). */
export function codesOfClass(family: ProviderFamily, errorClass: ErrorClass): number[] {
  return allCodes(family).filter(([, info]) => info.class === errorClass).map(([code]) => code);
}
