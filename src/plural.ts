/** `12345` → `12,345`: counts in human output, the same on every machine whatever its locale. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * `plural(1, 'row')` → `1 row`, `plural(12345, 'row')` → `12,345 rows`; `many` for nouns that do not
 * just take an `s` (`plural(2, 'entry', 'entries')`).
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
