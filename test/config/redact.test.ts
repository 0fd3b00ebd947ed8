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

  it('removes it from the encodings an echoed request comes in: base64 of the whole header, the Basic header base64-encoded again, URL-encoded base64, lower-case hex, form style, \\/ and double JSON escapes', () => {
    const basic = Buffer.from('AC123:tw-secret-99').toString('base64');
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const echoes = [
      b64(`Bearer ${token}`),
      b64(`Authorization: Bearer ${token}`),
      Buffer.from(`x${token}`).toString('base64url'),
      b64(`Basic ${basic}`),
      encodeURIComponent(basic),
      encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
      new URLSearchParams({ t: `Bearer ${token}` }).toString(),
      JSON.stringify(token).replaceAll('/', '\\/'),
      JSON.stringify(JSON.stringify({ t: token })),
      JSON.stringify(JSON.stringify(token).replaceAll('/', '\\/')),
    ];
    for (const echo of echoes) {
      const out = redact(echo);
      expect(out, echo).toContain(REDACTED);
      for (const piece of ['secret+token', 'secret%2Btoken', 'secret%2btoken', basic, b64(token).slice(4, 20)]) expect(out, echo).not.toContain(piece);
    }
  });
});
