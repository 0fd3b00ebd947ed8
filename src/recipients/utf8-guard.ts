import { Transform, type TransformCallback } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import { InputError } from '../errors.js';

const NEWLINE = 0x0a;

/**
 * Passes bytes through unchanged, failing on the first invalid UTF-8 sequence or NUL byte with the
 * physical line it is on. csv-parse would otherwise turn bad bytes into U+FFFD silently and a
 * marketer would send "Jos� a message".
 *
 * Only an incomplete multi-byte sequence at the end of a chunk is held back (at most 3 bytes), so
 * memory stays flat whatever the file size.
 */
export class Utf8Guard extends Transform {
  private line = 1;
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly file: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = completeLength(bytes);
    const complete = bytes.subarray(0, cut);
    this.carry = Buffer.from(bytes.subarray(cut));
    const problem = this.check(complete);
    if (problem) return done(problem);
    this.line += countNewlines(complete);
    done(null, complete);
  }

  override _flush(done: TransformCallback): void {
    const problem = this.check(this.carry);
    if (problem) return done(problem);
    done(null, this.carry.length > 0 ? this.carry : undefined);
  }

  private check(bytes: Buffer): InputError | undefined {
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      return new InputError('NUL byte in the file: is it a spreadsheet or other binary file rather than CSV?', {
        file: this.file,
        line: this.line + countNewlines(bytes.subarray(0, nul)),
      });
    }
    if (isUtf8(bytes)) return undefined;
    // Newlines never occur inside a multi-byte sequence, so lines can be checked one by one.
    let start = 0;
    let line = this.line;
    while (start < bytes.length) {
      const nl = bytes.indexOf(NEWLINE, start);
      const end = nl < 0 ? bytes.length : nl;
      if (!isUtf8(bytes.subarray(start, end))) break;
      start = end + 1;
      line++;
    }
    // Excel's "CSV" on Windows is windows-1252; which 8-bit encoding it is, is never guessed.
    return new InputError('not UTF-8 text: save as CSV UTF-8, or pass --encoding windows-1252 (or the encoding it was saved in)', { file: this.file, line });
  }
}

/** Length of the prefix of `bytes` that does not end inside a multi-byte UTF-8 sequence. */
function completeLength(bytes: Buffer): number {
  const n = bytes.length;
  // Walk back over at most 3 continuation bytes to the lead byte of the last sequence.
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(NEWLINE); i >= 0; i = bytes.indexOf(NEWLINE, i + 1)) count++;
  return count;
}
