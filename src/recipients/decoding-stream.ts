import { Transform, type TransformCallback } from 'node:stream';
import { InputError } from '../errors.js';

/**
 * Turns text in another encoding (UTF-16 from Excel's "Unicode text", windows-1252 from Excel's
 * "CSV" on Windows, iso-8859-15…) into UTF-8 for csv-parse, failing on the first byte sequence
 * that is not text in that encoding, or a NUL character, with the physical line it is on.
 *
 * Bytes are decoded a run of whole lines at a time (the carry is the last, unfinished line), so
 * every decode starts fresh and a bad sequence can be found by decoding the lines one by one.
 * Memory stays flat: a chunk plus one line, and a line longer than `maxLineBytes` is refused, as
 * csv-parse refuses a record that long. A byte-order mark is the caller's to strip: a U+FEFF
 * later in the text is kept as it is.
 *
 * Every decode is a streaming one (`stream: true`), and the end of the file one more call: Node 20's
 * one-shot decode of windows-1252 takes a Latin-1 shortcut that turns € ’ “ ” (0x80–0x9F) into
 * control characters (nodejs/node#56542); the streaming path goes through ICU and is right. Whole
 * lines leave no state between calls, so nothing else changes.
 */
export class DecodingStream extends Transform {
  private line = 1;
  private carry: Buffer = Buffer.alloc(0);
  private readonly decoder: TextDecoder;
  /** A line feed in this encoding: one byte, or one 16-bit code unit (at an even offset). */
  private readonly newline: Buffer;

  constructor(
    private readonly file: string,
    /** A canonical TextDecoder name (see resolveEncoding). */
    readonly encoding: string,
    private readonly maxLineBytes: number,
  ) {
    super();
    this.decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
    this.newline = encoding === 'utf-16le' ? Buffer.from([0x0a, 0x00]) : encoding === 'utf-16be' ? Buffer.from([0x00, 0x0a]) : Buffer.from([0x0a]);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = this.endOfLastLine(bytes);
    // Copied, so that the chunk it came from can be freed.
    this.carry = Buffer.from(bytes.subarray(cut));
    if (this.carry.length > this.maxLineBytes) {
      return done(new InputError(`a line longer than ${this.maxLineBytes} bytes: is a quote left open, or is this not ${this.encoding} text?`, { file: this.file, line: this.line + this.newlinesIn(bytes.subarray(0, cut)) }));
    }
    if (cut === 0) return done();
    done(this.decodeLines(bytes.subarray(0, cut)));
  }

  override _flush(done: TransformCallback): void {
    const problem = this.carry.length > 0 ? this.decodeLines(this.carry) : null;
    if (problem) return done(problem);
    try {
      this.decoder.decode(); // a sequence left unfinished at the very end
    } catch {
      return done(this.notText(this.line));
    }
    done();
  }

  private notText(line: number): InputError {
    return new InputError(`not ${this.encoding} text: is the file in another encoding? (--encoding names it)`, { file: this.file, line });
  }

  /** Decodes whole lines and passes them on as UTF-8; an InputError naming the line if they are not text. */
  private decodeLines(bytes: Buffer): InputError | null {
    let text: string;
    try {
      text = this.decoder.decode(bytes, { stream: true });
    } catch {
      return this.notText(this.badLine(bytes));
    }
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      return new InputError('NUL character in the text: is it a spreadsheet or other binary file rather than CSV?', {
        file: this.file,
        line: this.line + countNewlines(text.slice(0, nul)),
      });
    }
    this.line += countNewlines(text);
    this.push(Buffer.from(text, 'utf8'));
    return null;
  }

  /** The line of the first bytes in `bytes` that do not decode: the lines are tried one by one. */
  private badLine(bytes: Buffer): number {
    let line = this.line;
    let start = 0;
    while (start < bytes.length) {
      const nl = this.indexOfNewline(bytes, start);
      const end = nl < 0 ? bytes.length : nl + this.newline.length;
      try {
        const decoder = new TextDecoder(this.encoding, { fatal: true, ignoreBOM: true });
        decoder.decode(bytes.subarray(start, end), { stream: true });
        decoder.decode();
      } catch {
        return line;
      }
      start = end;
      line++;
    }
    return this.line;
  }

  /** Where the last complete line in `bytes` ends (0 when there is none). */
  private endOfLastLine(bytes: Buffer): number {
    const width = this.newline.length;
    let at = bytes.lastIndexOf(this.newline);
    // A 16-bit line feed is a code unit: 0A 00 across two units (U+0A0A…) is not one.
    while (at > 0 && at % width !== 0) at = bytes.lastIndexOf(this.newline, at - 1);
    return at < 0 || at % width !== 0 ? 0 : at + width;
  }

  private indexOfNewline(bytes: Buffer, from: number): number {
    const width = this.newline.length;
    let at = bytes.indexOf(this.newline, from);
    while (at >= 0 && at % width !== 0) at = bytes.indexOf(this.newline, at + 1);
    return at;
  }

  private newlinesIn(bytes: Buffer): number {
    let count = 0;
    for (let at = this.indexOfNewline(bytes, 0); at >= 0; at = this.indexOfNewline(bytes, at + this.newline.length)) count++;
    return count;
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
