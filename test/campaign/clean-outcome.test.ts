import { describe, expect, it } from 'vitest';
import { cleanOutcome } from '../../src/campaign/clean-outcome.js';
import type { Outcome } from '../../src/providers/provider.js';

// cleanOutcome on its own: the campaign tests send with an identity redact and short answers, so
// neither the redaction of a failure's code and title nor the 500-character cut was ever seen.
// The redact here marks what it saw (and hides the word "SECRET"), so the results show what went
// through it and in which order: redacted first, then cut.
const redact = (text: string) => `<${text.replaceAll('SECRET', '***')}>`;

describe('cleanOutcome', () => {
  it('an acceptance: message id, WhatsApp id and status redacted', () => {
    expect(cleanOutcome({ kind: 'accepted', messageId: 'wamid.SECRET', waId: '4474', status: 'sent SECRET' }, redact)).toStrictEqual({
      kind: 'accepted',
      messageId: '<wamid.***>',
      waId: '<4474>',
      status: '<sent ***>',
    });
  });

  it('an acceptance whose WhatsApp id or status is not text (a number, an object, none): those are left out', () => {
    const odd = { kind: 'accepted', messageId: 'wamid.A', waId: 447400, status: { s: 'sent' } } as unknown as Outcome;
    expect(cleanOutcome(odd, redact)).toStrictEqual({ kind: 'accepted', messageId: '<wamid.A>', waId: undefined, status: undefined });
    expect(cleanOutcome({ kind: 'accepted', messageId: 'wamid.A', waId: undefined, status: undefined }, redact)).toStrictEqual({ kind: 'accepted', messageId: '<wamid.A>', waId: undefined, status: undefined });
  });

  it('a message id that is not text is made text before it is redacted', () => {
    const numeric = { kind: 'accepted', messageId: 12345, waId: undefined, status: undefined } as unknown as Outcome;
    expect(cleanOutcome(numeric, redact)).toStrictEqual({ kind: 'accepted', messageId: '<12345>', waId: undefined, status: undefined });
  });

  it.each<[string, Outcome, Outcome]>([
    ['failed', { kind: 'failed', code: '100', title: 'bad SECRET', class: 'row_rejected' }, { kind: 'failed', code: '<100>', title: '<bad ***>', class: 'row_rejected' }],
    ['stop', { kind: 'stop', code: '190', title: 'token SECRET expired', fix: 'a new token' }, { kind: 'stop', code: '<190>', title: '<token *** expired>', fix: 'a new token' }],
    ['throttled', { kind: 'throttled', code: '130429', title: 'slow', retryAfterMs: 5_000 }, { kind: 'throttled', code: '<130429>', title: '<slow>', retryAfterMs: 5_000 }],
    ['transient', { kind: 'transient', code: 'SECRET', title: 'x', retryDelayMs: 60_000 }, { kind: 'transient', code: '<***>', title: '<x>', retryDelayMs: 60_000 }],
    ['pair_rate', { kind: 'pair_rate', code: '131056', title: 'pair' }, { kind: 'pair_rate', code: '<131056>', title: '<pair>' }],
    ['in_doubt', { kind: 'in_doubt', code: 'ECONNRESET', title: 'reset SECRET' }, { kind: 'in_doubt', code: '<ECONNRESET>', title: '<reset ***>' }],
  ])('%s: code and title redacted, every other field kept as it was', (_kind, outcome, cleaned) => {
    const before = structuredClone(outcome);
    expect(cleanOutcome(outcome, redact)).toStrictEqual(cleaned);
    expect(outcome).toStrictEqual(before); // a new object: the provider's answer is not changed
  });

  it('cuts each text to 500 characters after redaction, so a secret across the cut is still hidden', () => {
    // "SECRET" at 496–501 of the raw text: cut first, "SECR" would be left in the ledger.
    const title = `${'t'.repeat(496)}SECRET${'u'.repeat(100)}`;
    const cleaned = cleanOutcome({ kind: 'in_doubt', code: 'c'.repeat(600), title }, redact);
    expect(cleaned).toStrictEqual({ kind: 'in_doubt', code: `<${'c'.repeat(499)}`, title: `<${'t'.repeat(496)}***` });
    const accepted = cleanOutcome({ kind: 'accepted', messageId: 'm'.repeat(700), waId: 'w'.repeat(700), status: 's'.repeat(498) }, redact);
    expect(accepted).toStrictEqual({ kind: 'accepted', messageId: `<${'m'.repeat(499)}`, waId: `<${'w'.repeat(499)}`, status: `<${'s'.repeat(498)}>` });
  });
});
