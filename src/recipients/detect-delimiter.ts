/** The delimiters found from a header line: what spreadsheets write (`;` in many European locales, tab for "Unicode text"). */
export const DETECTED_DELIMITERS = [',', ';', '\t'] as const;

export type DelimiterGuess =
  /** The header line is read and one delimiter outnumbers the others. */
  | { kind: 'found'; delimiter: string }
  /** The header line has none of them: a single column (any delimiter reads it the same). */
  | { kind: 'none' }
  /** Two delimiters appear equally often: which one separates the columns is not ours to guess. */
  | { kind: 'tie'; delimiters: string[] }
  /** The text ends before the header line does: give more of the file. */
  | { kind: 'incomplete' };

/**
 * Which of `,` `;` tab separates the columns of the header line at the start of `text`: the one
 * that occurs most often outside double quotes (a quoted column name may hold the others, and line
 * breaks). `atEnd` says that `text` is the whole file, so a header without a line break is complete.
 * Pure: the caller reads the bytes and decodes them.
 */
export function detectDelimiter(text: string, atEnd: boolean): DelimiterGuess {
  const counts = new Map<string, number>(DETECTED_DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  let complete = atEnd;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      quoted = !quoted; // a doubled quote inside a quoted field toggles twice
    } else if (!quoted) {
      if (c === '\n' || c === '\r') {
        complete = true;
        break;
      }
      const count = counts.get(c);
      if (count !== undefined) counts.set(c, count + 1);
    }
  }
  if (!complete) return { kind: 'incomplete' };
  const most = Math.max(...counts.values());
  if (most === 0) return { kind: 'none' };
  const best = [...counts].filter(([, n]) => n === most).map(([d]) => d);
  return best.length === 1 ? { kind: 'found', delimiter: best[0]! } : { kind: 'tie', delimiters: best };
}

const NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'vertical bar' };

/** How a delimiter is named in messages: `comma`, `semicolon`, `tab`. */
export function delimiterName(delimiter: string): string {
  return NAMES[delimiter] ?? JSON.stringify(delimiter);
}
