import type { WritableFile } from './writable-file.js';

/**
 * Writes every byte of `data`, looping over short writes. On a full disk `write(2)` first returns a
 * short count without an error: taking that as done loses the rest of the line. A write that makes
 * no progress is a failure (ENOSPC), as is any error; either way the caller must treat the bytes
 * after its last durable offset as garbage (and cut them: see `JsonlAppender`).
 */
export async function writeFully(file: Pick<WritableFile, 'write'>, data: Buffer): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const count = await file.write(written === 0 ? data : data.subarray(written));
    if (!Number.isInteger(count) || count <= 0 || count > data.length - written) {
      throw Object.assign(new Error(`ENOSPC: no space left on device (a write of ${data.length - written} bytes wrote ${count})`), { code: 'ENOSPC' });
    }
    written += count;
  }
}
