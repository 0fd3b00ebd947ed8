import { open, readFile, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { LedgerRecord } from './ledger-records.js';
import { lastNewline } from './read-ledger.js';

/** The file operations the writer needs; tests pass failing ones. */
export interface LedgerFile {
  write(data: Buffer): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface LedgerWriterOptions {
  /** Opens the ledger for appending (default: the real file system). */
  openFile?: (file: string) => Promise<LedgerFile>;
  /** Whether a process is alive, for taking over a stale lock (default: signal 0). */
  isAlive?: (pid: number) => boolean;
  /**
   * How long an `append` may wait for others to share its fsync (default 0: it starts at once).
   * `send` waits 2 ms: its requests are paced anyway, so this delays each by 2 ms, not the rate,
   * and a 1,000 MPS campaign makes about half the fsyncs.
   */
  groupMs?: number;
}

/**
 * The only writer of a ledger (or of a webhook events file: any JSON-lines file that must not lose
 * what it acknowledged). Appends JSON lines; `append` resolves once the line is on disk
 * (fsync). Lines that arrive while a write is in progress are written and synced together (group
 * commit), so a thousand sends a second cost a few hundred fsyncs, not a thousand.
 *
 * Any failed write or sync is kept: every later `append` rejects with it at once, so the pipeline
 * stops sending the moment the ledger cannot keep up with the truth.
 */
export class LedgerWriter<T extends object = LedgerRecord> {
  private queue: { data: string; resolve: () => void; reject: (error: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private closed = false;

  private timerAt = Infinity;

  private constructor(
    readonly file: string,
    private readonly handle: LedgerFile,
    private readonly lockFile: string,
    private readonly groupMs: number,
  ) {}

  /**
   * Locks the ledger (a `.lock` file naming our pid; a lock whose process is gone is taken over),
   * cuts a torn last line left by a crash, and opens it for appending with mode 0600.
   */
  static async open<R extends object = LedgerRecord>(file: string, options: LedgerWriterOptions = {}): Promise<LedgerWriter<R>> {
    const pid = process.pid;
    const lockFile = `${file}.lock`;
    await takeLock(lockFile, pid, options.isAlive ?? isProcessAlive);
    try {
      await cutTornTail(file);
      const handle = await (options.openFile ?? openForAppend)(file);
      return new LedgerWriter<R>(file, handle, lockFile, options.groupMs ?? 0);
    } catch (error) {
      await unlink(lockFile).catch(() => undefined);
      throw error;
    }
  }

  /** The first write or sync failure, if any: once set, nothing more is written. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Appends a record and writes it now; resolves when it is durable, rejects if it could not be made so. */
  append(record: T): Promise<void> {
    return this.enqueue(record, true);
  }

  /**
   * Appends a record that nothing waits for (an outcome): it goes to disk with the next `append`,
   * or within 100 ms, or once 1,000 are waiting, whichever comes first. Halves the fsyncs of a
   * campaign; a crash before then leaves the attempt in doubt, which is the safe side.
   */
  appendSoon(record: T): Promise<void> {
    return this.enqueue(record, this.queue.length + 1 >= MAX_DEFERRED);
  }

  private enqueue(record: T, now: boolean): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('ledger closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ data: `${JSON.stringify(record)}\n`, resolve, reject });
      if (now && this.groupMs === 0) this.startFlush();
      else this.flushWithin(now ? this.groupMs : MAX_DEFER_MS);
    });
  }

  /** Flushes in `ms` at the latest (an earlier flush already planned stands). */
  private flushWithin(ms: number): void {
    const at = performance.now() + ms;
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.startFlush(), ms);
  }

  private startFlush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // Lines queued after the last pass of the loop, before this callback, go now.
      this.startFlush();
    });
  }

  /** Writes what is queued, then releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.startFlush();
    while (this.flushing) await this.flushing;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
    await unlink(this.lockFile).catch(() => undefined);
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        if (this.failure) throw this.failure;
        await this.handle.write(Buffer.from(batch.map((entry) => entry.data).join('')));
        await this.handle.sync();
        for (const entry of batch) entry.resolve();
      } catch (error) {
        this.failure ??= new Error(`cannot write the ledger ${this.file}: ${(error as Error).message}`, { cause: error });
        for (const entry of [...batch, ...this.queue]) entry.reject(this.failure);
        this.queue = [];
      }
    }
  }
}

const MAX_DEFER_MS = 100;
const MAX_DEFERRED = 1000;

async function openForAppend(file: string): Promise<LedgerFile> {
  const handle: FileHandle = await open(file, 'a', 0o600);
  // A ledger holds phone numbers: owner-only, also when it existed with a wider mode.
  await handle.chmod(0o600);
  return {
    write: async (data) => {
      await handle.write(data);
    },
    sync: () => handle.datasync(),
    close: () => handle.close(),
  };
}

/** Removes everything after the last newline: the half-written line of a crash. */
async function cutTornTail(file: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const keep = (await lastNewline(file, size)) + 1;
    if (keep < size) {
      await handle.truncate(keep);
      await handle.datasync();
    }
  } finally {
    await handle.close();
  }
}

async function takeLock(lockFile: string, pid: number, isAlive: (pid: number) => boolean): Promise<void> {
  for (let tries = 0; tries < 2; tries++) {
    try {
      await writeFile(lockFile, `${pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== pid && isAlive(holder)) {
      throw new InputError(`the ledger is in use by another wa-broadcast (pid ${holder}); wait for it to finish or stop it first`, {
        file: lockFile.replace(/\.lock$/, ''),
      });
    }
    // The holder is gone (a crash or kill -9): take the lock over.
    await unlink(lockFile).catch(() => undefined);
  }
  throw new InputError('could not take the ledger lock: another process keeps taking it', { file: lockFile });
}

/** Whether a process with this pid is running (EPERM: it is, under another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
