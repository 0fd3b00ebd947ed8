import { REDACTED } from '../config/redact.js';

/**
 * A callback's payload as it may be stored: byte for byte as received, unless it carries one of
 * our secrets (SPEC: secrets never appear in events, in any encoding), which can only happen when
 * something upstream echoed one. Then the secret is replaced by `[redacted]` and the payload stays
 * what reconcile can read: valid JSON for JSON, a form for a form.
 *
 * Every value is also checked decoded (a JSON `\u` escape, a form's `+` for a space), since a
 * secret can travel in an encoding the text redactor does not spell. Pure.
 */
export function redactPayload(raw: string, format: 'json' | 'form', redact: (text: string) => string): string {
  return format === 'json' ? redactJson(raw, redact) : redactForm(raw, redact);
}

/** A digit before a decimal point or an exponent: a number whose value may spell other digits than its text. */
const NUMBER_IN_ANOTHER_FORM = /\d[.eE]/;

function redactJson(raw: string, redact: (text: string) => string): string {
  const textual = redact(raw);
  // Without an escape, every decoded string is a piece of the text, and without a fraction or an
  // exponent every number's digits are too: nothing found there, nothing anywhere. (2.0260417e7 is
  // 20260417: a secret of digits, not in the text, read as a number.)
  if (textual === raw && !raw.includes('\\') && !NUMBER_IN_ANOTHER_FORM.test(raw)) return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return textual;
  }
  const structural = redactValue(parsed, redact);
  if (textual === raw && !structural.changed) return raw;
  // Prefer the smallest change (the bytes around the secret untouched), if it is still JSON and
  // left no secret behind in a decoded value.
  try {
    if (!redactValue(JSON.parse(textual), redact).changed) return textual;
  } catch {
    // The secret stood outside a string (a number, say): rebuild from the values instead.
  }
  return JSON.stringify(structural.value);
}

function redactValue(value: unknown, redact: (text: string) => string): { value: unknown; changed: boolean } {
  if (typeof value === 'string') {
    const out = redact(value);
    return { value: out, changed: out !== value };
  }
  if (typeof value === 'number') {
    const text = String(value);
    return redact(text) === text ? { value, changed: false } : { value: REDACTED, changed: true };
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const r = redactValue(item, redact);
      changed ||= r.changed;
      return r.value;
    });
    return { value: out, changed };
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    // No prototype: a `__proto__` key in the payload stays a key.
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, item] of Object.entries(value)) {
      const k = redact(key);
      const r = redactValue(item, redact);
      changed ||= r.changed || k !== key;
      out[k] = r.value;
    }
    return { value: out, changed };
  }
  return { value, changed: false };
}

function redactForm(raw: string, redact: (text: string) => string): string {
  const textual = redact(raw);
  const carriesSecret = (form: string) => [...new URLSearchParams(form)].some(([name, value]) => redact(name) !== name || redact(value) !== value);
  if (!carriesSecret(textual)) return textual;
  // A secret only visible decoded (a `+` for a space, say): rebuild the form from redacted values.
  return new URLSearchParams([...new URLSearchParams(raw)].map(([name, value]) => [redact(name), redact(value)])).toString();
}
