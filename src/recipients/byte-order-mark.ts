/** What a file's first bytes say about its encoding: a byte-order mark, which is not a guess. */
export interface ByteOrderMark {
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  /** How many bytes the mark takes (they are not text). */
  length: number;
}

export function byteOrderMark(bytes: Uint8Array): ByteOrderMark | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  // UTF-32LE starts FF FE 00 00 too, but TextDecoder cannot read UTF-32 and no spreadsheet writes it.
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return undefined;
}
