import type { Outcome } from '../providers/provider.js';

/** Stored text from outside is cut to this length (after redaction): a title, not an echoed request. */
const MAX_STORED_TEXT = 500;

/**
 * The outcome with every text that came from outside (the provider's title, message id, WhatsApp
 * id and status; a transport error's message) redacted and cut short: it goes to the ledger, the
 * stop message and the summary from here on. Redacted before it is cut: a cut secret could not be
 * recognised.
 */
export function cleanOutcome(outcome: Outcome, redact: (text: string) => string): Outcome {
  const clean = (text: string) => redact(String(text)).slice(0, MAX_STORED_TEXT);
  // A provider may put anything where a string belongs (a number, an object): only text is kept.
  const cleanOptional = (text: unknown) => (typeof text === 'string' ? clean(text) : undefined);
  // Object.assign, not a spread: this runs for every answer, and V8 makes `{ ...a, b }` slow.
  switch (outcome.kind) {
    case 'accepted':
      return { kind: 'accepted', messageId: clean(outcome.messageId), waId: cleanOptional(outcome.waId), status: cleanOptional(outcome.status) };
    default:
      return Object.assign({}, outcome, { code: clean(outcome.code), title: clean(outcome.title) });
  }
}
