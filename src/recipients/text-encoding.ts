/**
 * The canonical name of a text encoding (`windows-1252`, `iso-8859-15`, `utf-16le`…) as Node's
 * TextDecoder knows it (WHATWG labels, full ICU), or undefined when it knows no such encoding.
 * Labels are the web's: `latin1` and `iso-8859-1` are windows-1252, a superset of them.
 */
export function resolveEncoding(name: string): string | undefined {
  try {
    return new TextDecoder(name.trim()).encoding;
  } catch {
    // An unknown label, or one of the "replacement" labels (iso-2022-kr…), which decode nothing.
    return undefined;
  }
}

export const UTF8 = 'utf-8';
