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

describe('makeRedactor: what the adversary found', () => {
  const token = 'EAAGadv10/Tok+en=secretvalue99';
  const redact = makeRedactor([token]);

  it('removes a secret upper-cased, in hex of either case, and JSON-escaped as \\uXXXX (all of it, or only + / and the like)', () => {
    const hex = Buffer.from(token).toString('hex');
    const echoes = [
      token.toUpperCase(),
      token.toLowerCase(),
      hex,
      hex.toUpperCase(),
      `Bearer ${token.replace(/[^A-Za-z0-9]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`,
      `"Bearer EAAGadv10\\u002fTok\\u002ben=secretvalue99"`,
      `"Bearer EAAGadv10\\u002FTok\\u002Ben\\u003Dsecretvalue99"`,
    ];
    for (const echo of echoes) {
      const out = redact(echo);
      expect(out, echo).toContain(REDACTED);
      for (const piece of ['secretvalue99', 'SECRETVALUE99', Buffer.from('secretvalue99').toString('hex')]) expect(out.toLowerCase(), echo).not.toContain(piece.toLowerCase());
    }
  });
});
