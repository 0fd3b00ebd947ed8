import { describe, expect, it } from 'vitest';
import { makeRedactor } from '../../src/config/redact.js';
import { redactPayload } from '../../src/webhook/redact-payload.js';

const SECRET = 'app/secret+42';
const NUMERIC = '20260417';
const redact = makeRedactor([SECRET, NUMERIC]);

describe('redactPayload', () => {
  it('keeps a payload without our secrets byte for byte, escapes and spacing included', () => {
    const raw = '{"entry": [ {"note":"Chlo\\u00e9 \\/ 🌸"} ],"n":1.50}';
    expect(redactPayload(raw, 'json', redact)).toBe(raw);
    const form = 'MessageSid=SMx&Body=hello+world%21&To=whatsapp%3A%2B447400123456';
    expect(redactPayload(form, 'form', redact)).toBe(form);
  });

  it('replaces a secret inside a JSON string and leaves every other byte alone', () => {
    const raw = `{"a":"token ${SECRET} echoed","b":"Chlo\\u00e9","c":"${encodeURIComponent(SECRET)}"}`;
    expect(redactPayload(raw, 'json', redact)).toBe('{"a":"token [redacted] echoed","b":"Chlo\\u00e9","c":"[redacted]"}');
  });

  it('finds a secret hidden in a JSON escape, and one standing as a number, and stays JSON', () => {
    const escaped = SECRET.replace('/', '\\u002f');
    const raw = `{"a":"${escaped}","n":${NUMERIC},"keep":"wamid.A"}`;
    const out = redactPayload(raw, 'json', redact);
    expect(JSON.parse(out)).toEqual({ a: '[redacted]', n: '[redacted]', keep: 'wamid.A' });
    expect(out).not.toContain(NUMERIC);
    expect(redactPayload(`{"n":${NUMERIC},"m":1}`, 'json', redact)).toBe('{"n":"[redacted]","m":1}');
  });

  it('keeps a `__proto__` key a key while rebuilding', () => {
    const out = redactPayload(`{"__proto__":{"x":"${SECRET.replace('/', '\\/')}"},"n":${NUMERIC}}`, 'json', redact);
    expect(out).toBe('{"__proto__":{"x":"[redacted]"},"n":"[redacted]"}');
  });

  it('redacts a form value however it is encoded, and keeps it a form', () => {
    const spaced = makeRedactor(['my verify token']);
    const out = redactPayload('Body=my+verify+token&MessageSid=SMx', 'form', spaced);
    expect([...new URLSearchParams(out)]).toEqual([
      ['Body', '[redacted]'],
      ['MessageSid', 'SMx'],
    ]);
    expect(redactPayload(`Body=${encodeURIComponent(SECRET)}&To=x`, 'form', redact)).toBe('Body=[redacted]&To=x');
  });
});
