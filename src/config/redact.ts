/** What replaces a secret wherever it would appear. */
export const REDACTED = '[redacted]';

/**
 * A function that removes `secrets` from text, in the encodings they travel in: as is, base64
 * (standard and URL-safe, and inside HTTP Basic credentials: base64 of `user:secret`), and each of
 * those URL-encoded (either case of hex, `encodeURIComponent` or form style) and JSON-escaped (with
 * `/` escaped too, as some encoders do, or as `\\uXXXX`), in hex, and in any letter case. A provider that echoes our request back in an error says
 * the token in whichever of these its framework chose. Short values are ignored: they would
 * redact ordinary words, and nobody's token is five characters long.
 */
export function makeRedactor(secrets: (string | undefined)[], basicPairs: [string, string][] = []): (text: string) => string {
  const encoded = new Set<string>();
  for (const secret of [...secrets, ...basicPairs.map(([, secret]) => secret)]) {
    if (!secret || secret.length < 6) continue;
    encoded.add(secret);
    encoded.add(Buffer.from(secret).toString('base64'));
    encoded.add(Buffer.from(secret).toString('base64url'));
    for (const core of base64Cores(secret)) encoded.add(core);
  }
  for (const [user, secret] of basicPairs) {
    if (!secret || secret.length < 6) continue;
    const basic = Buffer.from(`${user}:${secret}`).toString('base64');
    encoded.add(basic);
    encoded.add(Buffer.from(`${user}:${secret}`).toString('base64url'));
    // The whole header (`Basic …`) base64-encoded again, as an echo of the request might be.
    for (const core of base64Cores(basic)) encoded.add(core);
  }
  const forms = new Set<string>();
  const json = (text: string) => JSON.stringify(text).slice(1, -1);
  for (const form of encoded) {
    const uri = encodeURIComponent(form);
    const variants = [
      form,
      json(form).replaceAll('/', '\\/'),
      uri,
      new URLSearchParams({ x: form }).toString().slice(2),
      // Hex of the bytes (either case: the pattern ignores case).
      Buffer.from(form).toString('hex'),
      // JSON that escapes characters as \uXXXX: every one but letters and digits, or only the
      // HTML-sensitive ones (ASP.NET's default encoder writes `/` as \u002F and `+` as \u002B).
      form.replace(/[^A-Za-z0-9]/g, unicodeEscape),
      form.replace(/[+/<>&'"=`]/g, unicodeEscape),
    ];
    for (const variant of variants) {
      // Escaped once or twice: text stored as JSON may be printed inside JSON again.
      forms.add(variant).add(json(variant)).add(json(json(variant)));
    }
  }
  const sorted = [...forms].filter((form) => form.length >= 6).sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  // Each form as is, and the secret and its base64 forms with any mix of escapes per character
  // (`\u002f` for one `/`, a raw `=` beside it): the variants above cannot list every mix. Any
  // case: a provider may echo the token upper-cased, and hex and \u escapes come in both.
  const flexible = [...encoded].filter((form) => form.length >= 6).map(anyEscapes);
  const pattern = new RegExp([...sorted.map(escapeRegExp), ...flexible].join('|'), 'gi');
  return (text) => text.replace(pattern, REDACTED);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A pattern for `form` where every character but letters and digits may also come \u-, %- or \-escaped. */
function anyEscapes(form: string): string {
  return [...form]
    .map((c) => {
      if (/[A-Za-z0-9]/.test(c)) return c;
      const alternatives = [escapeRegExp(c), escapeRegExp(unicodeEscape(c))];
      const code = c.charCodeAt(0);
      if (code < 0x80) alternatives.push(`%${code.toString(16).padStart(2, '0')}`);
      if (c === '/' || c === '"' || c === '\\') alternatives.push(escapeRegExp(`\\${c}`));
      return `(?:${alternatives.join('|')})`;
    })
    .join('');
}

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * What the base64 of any text containing `secret` contains, wherever the secret starts in it
 * (`Bearer …`, `user:…`): for each of the three byte alignments, the base64 characters that depend
 * on the secret's bytes alone, standard and URL-safe.
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    // Characters 0–1 (offset 1) or 0–2 (offset 2) mix in the bytes before; a last partial group mixes in those after.
    const whole = Math.floor(padded.length / 3) * 4;
    const skip = [0, 2, 3][offset]!;
    for (const encoding of ['base64', 'base64url'] as const) cores.push(padded.toString(encoding).slice(skip, whole));
  }
  return cores;
}
