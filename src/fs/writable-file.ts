import type { FileHandle } from 'node:fs/promises';

/**
 * The file operations a durable writer needs (the ledger, an events file, an atomic file's temp);
 * tests pass failing ones. `write` may write fewer bytes than given without an error: that is what
 * `write(2)` does on a full disk, so callers go through `writeFully`.
 */
export interface WritableFile {
  /** Writes at the end of what was written so far; resolves to how many bytes were written. */
  write(data: Buffer): Promise<number>;
  /** Makes what was written durable (fdatasync). */
  sync(): Promise<void>;
  /** Cuts the file to `size` bytes (to take back a partly written line). */
  truncate(size: number): Promise<void>;
  /** The file's size now. */
  size(): Promise<number>;
  close(): Promise<void>;
}

/** A `WritableFile` over an open handle (opened for appending, or new and written in order). */
export function writableFile(handle: FileHandle): WritableFile {
  return {
    write: async (data) => (await handle.write(data, 0, data.length)).bytesWritten,
    sync: () => handle.datasync(),
    truncate: (size) => handle.truncate(size),
    size: async () => (await handle.stat()).size,
    close: () => handle.close(),
  };
}
