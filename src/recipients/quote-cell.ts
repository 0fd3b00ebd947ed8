/** Longest part of a cell shown in a message; the rejects file (--rejects) has the whole of it. */
const SHOWN = 60;

/** A cell as written, quoted for a message (`"Opted in"`, `""`), cut short if it is long. */
export function quoteCell(cell: string): string {
  const chars = [...cell];
  return chars.length > SHOWN ? `${JSON.stringify(chars.slice(0, SHOWN).join(''))}…` : JSON.stringify(cell);
}
