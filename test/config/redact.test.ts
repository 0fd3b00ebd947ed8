import { describe, expect, it } from 'vitest';
import { REDACTED, makeRedactor } from '../../src/config/redact.js';

describe('makeRedactor', () => {
  const token = 'EAAG/secret+token=42';
  const redact = makeRedactor([token, undefined, 'abc'], [['AC123', 'tw-secret-99']]);

  it('removes a secret as is, URL-encoded, JSON-escaped, base64, and inside HTTP Basic credentials', () => {
    const basic = Buffer.from('AC123:tw-secret-99').toString('base64');
    const text = [token, encodeURIComponent(token), JSON.stringify({ t: token }), Buffer.from(token).toString('base64'), `Basic ${basic}`, 'tw-secret-99'].join(' | ');
    const out = redact(text);
    expect(out).not.toContain('secret');
    expect(out).not.toContain(basic);
    expect(out.split(REDACTED).length - 1).toBe(6);
  });

  it('leaves ordinary text and very short values alone', () => {
    expect(redact('abc is not a secret; nothing here')).toBe('abc is not a secret; nothing here');
    expect(makeRedactor([])('plain')).toBe('plain');
  });
});
