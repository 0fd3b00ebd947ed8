/**
 * Runs `fn` with `RegExp` construction memoised by source, then puts the real `RegExp` back.
 *
 * Why: libphonenumber-js builds `new RegExp('^(?:' + pattern + ')$')` on every check, from metadata
 * patterns up to a few kilobytes long (helpers/matchesEntirely.js), and that construction was 28 % of
 * `validate`'s time on a million rows. Returning an already-built RegExp for the same source makes a
 * check about twenty times cheaper and changes no result: a RegExp without the `g` or `y` flag keeps
 * no state between `test` calls. Anything built with flags gets a fresh RegExp, as before.
 *
 * Safe only around synchronous code: no other code can run while the swap is in place, and the
 * finally block restores it even when `fn` throws.
 */
export function withCachedRegExps<T>(fn: () => T): T {
  globalThis.RegExp = CachedRegExp;
  try {
    return fn();
  } finally {
    globalThis.RegExp = NativeRegExp;
  }
}

const NativeRegExp = globalThis.RegExp;
// Keyed by length, then compared with ===: hashing a freshly concatenated 4 KB source string on every
// lookup (a plain Map<string, RegExp>) costs more than it saves; comparing it costs a memcmp.
const cache = new Map<number, { source: string; regexp: RegExp }[]>();
// Metadata holds a few thousand patterns; the cap only guards against a caller with unbounded sources.
const MAX_CACHED = 10_000;
let cached = 0;

function cachedRegExp(pattern: string | RegExp, flags?: string): RegExp {
  if (flags !== undefined || typeof pattern !== 'string') return new NativeRegExp(pattern, flags);
  let entries = cache.get(pattern.length);
  if (entries) {
    for (const entry of entries) if (entry.source === pattern) return entry.regexp;
  } else {
    entries = [];
    cache.set(pattern.length, entries);
  }
  const regexp = new NativeRegExp(pattern);
  if (cached++ < MAX_CACHED) entries.push({ source: pattern, regexp });
  return regexp;
}
// `x instanceof RegExp` keeps working while the swap is in place.
cachedRegExp.prototype = NativeRegExp.prototype;
const CachedRegExp = cachedRegExp as unknown as RegExpConstructor;
