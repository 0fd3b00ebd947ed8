import { unlink } from 'node:fs/promises';
import { openRegularFile } from './open-regular-file.js';
import { writableFile } from './writable-file.js';
import { writeFully } from './write-fully.js';

/**
 * Disk space set aside beside a file that must be able to write its last lines when the disk
 * fills: a file of `bytes` written and synced, given back (removed) when the writer runs out. A
 * ledger that fails on a full disk still has attempts to close (stopped before their request: in
 * doubt for nothing unless recorded) and answers to record; with nothing free, none of that fits.
 *
 * Best effort: a reserve that cannot be made (the disk is already full, the name is taken by
 * something that is not a regular file, a symbolic link included: never followed) is simply not there. Only a file this process made is
 * removed.
 */
export class SpaceReserve {
  private constructor(readonly file: string | undefined) {}

  static async create(file: string, bytes: number): Promise<SpaceReserve> {
    let handle;
    try {
      handle = await openRegularFile(file, 'write', { mode: 0o600, noFollow: true });
    } catch {
      return new SpaceReserve(undefined);
    }
    try {
      const file_ = writableFile(handle);
      await writeFully(file_, Buffer.alloc(bytes, 0x20));
      await file_.sync();
      await handle.close();
      return new SpaceReserve(file);
    } catch {
      await handle.close().catch(() => undefined);
      await unlink(file).catch(() => undefined);
      return new SpaceReserve(undefined);
    }
  }

  /** Gives the space back (removes the file). */
  async release(): Promise<void> {
    if (this.file !== undefined) await unlink(this.file).catch(() => undefined);
  }
}
