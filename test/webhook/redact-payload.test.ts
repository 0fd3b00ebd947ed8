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

  it('keeps a payload with escapes, literals and arrays byte for byte when no value decodes to a secret', () => {
    const raw = '{"ok":true,"no":false,"none":null,"list":[1, "Chlo\\u00e9", [null], {"deep":"x"}],"n":-0.5e3}';
    expect(redactPayload(raw, 'json', redact)).toBe(raw);
  });

  // A letter written as a \\u escape: the text redactor spells escapes of the other characters
  // only, so these secrets are found decoded, by the structural pass, or not at all.
  const hidden = SECRET.replace('a', '\\u0061');

  it('finds a secret only visible decoded: in a string, inside an array beside nulls and literals, and in a key', () => {
    expect(redact(hidden)).toBe(hidden);
    const inString = redactPayload(`{"a":"${hidden}","keep":"wamid.A"}`, 'json', redact);
    expect(JSON.parse(inString)).toEqual({ a: '[redacted]', keep: 'wamid.A' });
    const inArray = redactPayload(`{"list":[null, true, ["${hidden}"]],"keep":"wamid.B"}`, 'json', redact);
    expect(inArray).toBe('{"list":[null,true,["[redacted]"]],"keep":"wamid.B"}');
    const inKey = redactPayload(`{"${hidden}":1,"keep":"wamid.C"}`, 'json', redact);
    expect(inKey).toBe('{"[redacted]":1,"keep":"wamid.C"}');
    const top = redactPayload(`["${hidden}", 2]`, 'json', redact);
    expect(top).toBe('["[redacted]",2]');
  });

  it('a text redaction that leaves the secret decoded elsewhere is rebuilt from the values', () => {
    const out = redactPayload(`{"a":"${SECRET}","b":"${hidden}"}`, 'json', redact);
    expect(out).toBe('{"a":"[redacted]","b":"[redacted]"}');
  });

  it('a secret in a number\'s digits that no longer reads as the number: the text redaction, rebuilt', () => {
    // 1e20260417 is Infinity: the value does not carry the digits, the text does.
    const out = redactPayload(`{"n":1e${NUMERIC},"keep":"wamid.D"}`, 'json', redact);
    expect(out).not.toContain(NUMERIC);
    expect(JSON.parse(out)).toEqual({ n: null, keep: 'wamid.D' });
  });

  it('finds a secret of digits in a number written in another form (a fraction, an exponent), with or without an escape beside it', () => {
    for (const n of ['2.0260417e7', '2026041.7e1', '202604170E-1']) {
      expect(redactPayload(`{"n":${n},"keep":"wamid.E"}`, 'json', redact)).toBe('{"n":"[redacted]","keep":"wamid.E"}');
      expect(redactPayload(`{"n":${n},"b":"Chlo\\u00e9"}`, 'json', redact)).toBe('{"n":"[redacted]","b":"Chloé"}');
    }
    // Other numbers so written are left as they are, byte for byte.
    expect(redactPayload('{"n":2.5e3,"m":0.125}', 'json', redact)).toBe('{"n":2.5e3,"m":0.125}');
  });

  it('redacts a payload that is not JSON as text', () => {
    expect(redactPayload(`not json ${SECRET} {`, 'json', redact)).toBe('not json [redacted] {');
  });

  it('redacts a form name that decodes to a secret, in a mix of encodings the text redactor does not spell', () => {
    const spaced = makeRedactor(['my verify token']);
    const out = redactPayload('my+verify%20token=1&MessageSid=SMx', 'form', spaced);
    expect([...new URLSearchParams(out)]).toEqual([
      ['[redacted]', '1'],
      ['MessageSid', 'SMx'],
    ]);
    const value = redactPayload('MessageSid=SMx&Body=my%20verify+token', 'form', spaced);
    expect([...new URLSearchParams(value)]).toEqual([
      ['MessageSid', 'SMx'],
      ['Body', '[redacted]'],
    ]);
  });
});
