import { open, type FileHandle } from 'node:fs/promises';

const WINDOW = 1 << 20;

/**
 * Reads lines whose place in a file is known (byte offset and length), asked for in increasing
 * order: through a window of the file read a MiB at a time, so that a few scattered lines cost a
 * read each and many close together cost one read per MiB, and the bytes between them are never
 * looked at.
 */
export class LinesAt {
  private buffer = Buffer.allocUnsafe(WINDOW);
  /** The file offset of `buffer[0]`, and how many bytes from there the buffer holds. */
  private start = 0;
  private filled = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async open(file: string): Promise<LinesAt> {
    return new LinesAt(await open(file, 'r'));
  }

  /** The text of bytes `offset` to `offset + length` (UTF-8), or undefined if the file is shorter now. */
  async text(offset: number, length: number): Promise<string | undefined> {
    if (offset < this.start || offset + length > this.start + this.filled) {
      if (length > this.buffer.length) this.buffer = Buffer.allocUnsafe(length);
      this.start = offset;
      this.filled = 0;
      while (this.filled < this.buffer.length) {
        const { bytesRead } = await this.handle.read(this.buffer, this.filled, this.buffer.length - this.filled, offset + this.filled);
        if (bytesRead === 0) break;
        this.filled += bytesRead;
      }
      if (this.filled < length) return undefined;
    }
    const at = offset - this.start;
    return this.buffer.toString('utf8', at, at + length);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
