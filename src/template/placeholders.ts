/** `{{name}}` with optional inner spaces; names are CSV column names or, in `body`, numbers. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholder names in `text`, in order of appearance (repeats kept). */
export function placeholdersIn(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) names.push(match[1]!);
  return names;
}

/** Replaces every placeholder in `text` with `value(name)`. */
export function fillPlaceholders(text: string, value: (name: string) => string): string {
  if (!text.includes('{{')) return text;
  return text.replace(PLACEHOLDER, (_whole, name: string) => value(name));
}
