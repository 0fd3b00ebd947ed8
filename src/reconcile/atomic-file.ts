import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

const FLUSH_AT = 256 * 1024;

/**
 * A file that appears complete or not at all: written to a temp file in the same folder (owner-only:
 * the lists hold phone numbers), fsynced, then renamed over the target, and the folder fsynced so
 * the rename survives a power cut. A `kill -9` at any moment leaves the old file or the new one,
 * never a truncated one (and at worst a `.name.<pid>.tmp` beside it, removed by the next run).
 */
export class AtomicFile {
  private buffered: string[] = [];
  private bufferedBytes = 0;

  private constructor(
    readonly file: string,
    private readonly temp: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(file: string): Promise<AtomicFile> {
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    const handle = await open(temp, 'w', 0o600);
    return new AtomicFile(file, temp, handle);
  }

  async write(text: string): Promise<void> {
    this.buffered.push(text);
    this.bufferedBytes += text.length;
    if (this.bufferedBytes >= FLUSH_AT) await this.flush();
  }

  /** Makes the new content the file's. */
  async commit(): Promise<void> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    await rename(this.temp, this.file);
    await syncFolder(path.dirname(this.file));
  }

  /** Drops the new content; the old file stays as it was. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await unlink(this.temp).catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (this.buffered.length === 0) return;
    const text = this.buffered.join('');
    this.buffered = [];
    this.bufferedBytes = 0;
    await this.handle.write(text);
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
