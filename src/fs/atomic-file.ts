import { open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { InputError, WriteError } from '../errors.js';
import { describeWriteError } from './describe-write-error.js';
import { notARegularFile } from './not-a-regular-file.js';
import { openRegularFile } from './open-regular-file.js';
import { writableFile, type WritableFile } from './writable-file.js';
import { writeFully } from './write-fully.js';

const FLUSH_AT = 256 * 1024;

export interface AtomicFileOptions {
  /** Opens the temp file (default: the real file system, a new regular file of mode 0600); tests pass failing ones. */
  openFile?: (temp: string) => Promise<WritableFile>;
}

/**
 * A file that appears complete or not at all: written to a temp file in the same folder (owner-only:
 * the lists hold phone numbers), every byte written and fsynced, then renamed over the target, and
 * the folder fsynced so the rename survives a power cut. A `kill -9` at any moment leaves the old
 * file or the new one, never a truncated one (and at worst a `.name.<pid>.tmp` beside it, removed
 * by the next run). A failed write (a full disk, an I/O error) leaves the old file as it was.
 */
export class AtomicFile {
  private buffered: string[] = [];
  private bufferedBytes = 0;
  private state: 'open' | 'complete' | 'closed' = 'open';

  private constructor(
    readonly file: string,
    private readonly temp: string,
    private readonly handle: WritableFile,
  ) {}

  /**
   * Opens the temp file for `file`. The target must be a regular file or missing (exit 2 otherwise:
   * a rename would put a list in place of a folder, a pipe or a device).
   */
  static async open(file: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
    try {
      const info = await stat(file);
      if (!info.isFile()) throw notARegularFile(info, file);
    } catch (error) {
      if (error instanceof InputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        const folder = path.dirname(file);
        if (!(await stat(folder).then((info) => info.isDirectory(), () => false))) throw new InputError(`the folder ${folder} does not exist`, { file });
      } else {
        throw new InputError(`cannot be replaced: ${describeWriteError(error)}`, { file });
      }
    }
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    try {
      const handle = options.openFile ? await options.openFile(temp) : writableFile(await openRegularFile(temp, 'write', { mode: 0o600, noFollow: true }));
      return new AtomicFile(file, temp, handle);
    } catch (error) {
      // Named by the file the user asked for, not the temp beside it.
      if (error instanceof InputError) throw new InputError(error.message, { file });
      if (error instanceof WriteError) throw new WriteError(error.message, { file });
      throw new WriteError(`could not be written: ${describeWriteError(error)}`, { file }, { cause: error });
    }
  }

  async write(text: string): Promise<void> {
    this.buffered.push(text);
    this.bufferedBytes += text.length;
    if (this.bufferedBytes >= FLUSH_AT) await this.flush();
  }

  /** Makes the new content the file's. */
  async commit(): Promise<void> {
    await AtomicFile.commitAll([this]);
  }

  /**
   * Makes the new content of every file theirs, all or nothing as far as a failing disk goes: every
   * temp file is written and fsynced before the first rename, so a full disk or an I/O error
   * leaves every old file byte for byte (the temps are removed) and throws a WriteError naming the
   * file that could not be written.
   */
  static async commitAll(files: AtomicFile[]): Promise<void> {
    try {
      for (const file of files) await file.complete();
    } catch (error) {
      for (const file of files) await file.abort();
      throw error;
    }
    for (const file of files) {
      try {
        await rename(file.temp, file.file);
        file.state = 'closed';
      } catch (error) {
        for (const rest of files) await rest.abort();
        throw new WriteError(`could not be replaced: ${describeWriteError(error)}`, { file: file.file }, { cause: error });
      }
    }
    const folders = new Set(files.map((file) => path.dirname(file.file)));
    for (const folder of folders) await syncFolder(folder);
  }

  /** Drops the new content; the old file stays as it was. */
  async abort(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'open') await this.handle.close().catch(() => undefined);
    this.state = 'closed';
    await unlink(this.temp).catch(() => undefined);
  }

  /** Writes what is buffered, syncs and closes the temp file. */
  private async complete(): Promise<void> {
    await this.flush();
    await this.guard(async () => {
      await this.handle.sync();
      await this.handle.close();
    });
    this.state = 'complete';
  }

  private async flush(): Promise<void> {
    if (this.buffered.length === 0) return;
    const data = Buffer.from(this.buffered.join(''));
    this.buffered = [];
    this.bufferedBytes = 0;
    await this.guard(() => writeFully(this.handle, data));
  }

  /** A failed write or sync of the temp is a WriteError naming the target (the file the user knows). */
  private async guard(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      throw new WriteError(`could not be written: ${describeWriteError(error)}; no file was replaced`, { file: this.file }, { cause: error });
    }
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
