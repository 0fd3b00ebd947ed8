/** What replaces a secret wherever it would appear. */
export const REDACTED = '[redacted]';

/**
 * A function that removes `secrets` from text, in the encodings they travel in: as is, URL-encoded,
 * JSON-escaped, and inside HTTP Basic credentials (base64 of `user:secret`). Short values are
 * ignored: they would redact ordinary words, and nobody's token is four characters long.
 */
export function makeRedactor(secrets: (string | undefined)[], basicPairs: [string, string][] = []): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of [...secrets, ...basicPairs.map(([, secret]) => secret)]) {
    if (!secret || secret.length < 6) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(Buffer.from(secret).toString('base64'));
  }
  for (const [user, secret] of basicPairs) forms.add(Buffer.from(`${user}:${secret}`).toString('base64'));
  const sorted = [...forms].filter((form) => form.length >= 6).sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  const pattern = new RegExp(sorted.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}
