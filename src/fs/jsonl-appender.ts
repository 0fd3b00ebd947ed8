import type { FileHandle } from 'node:fs/promises';
import { systemClock, type Clock } from '../clock.js';
import { InputError, WriteError } from '../errors.js';
import { describeWriteError } from './describe-write-error.js';
import { FileLock, type FileLockOptions } from './file-lock.js';
import { lastNewline } from './last-newline.js';
import { openRegularFile } from './open-regular-file.js';
import { writableFile, type WritableFile } from './writable-file.js';
import { writeFully } from './write-fully.js';

/** The file operations the appender needs; tests pass failing ones. */
export type AppendFile = WritableFile;

/**
 * Looks at a file's bytes after its last newline before they are cut as a torn line, and throws
 * (an InputError) to refuse the file instead: the ledger refuses a tail of zeros (`refuseZeroedTail`).
 */
export type TailCheck = (handle: FileHandle, size: number, file: string) => Promise<void>;

export interface JsonlAppenderOptions extends FileLockOptions {
  /** Opens the file for appending (default: the real file system, regular files only, mode 0600, its torn tail cut). */
  openFile?: (file: string) => Promise<AppendFile>;
  /** With the default `openFile`: checked before a torn last line is cut (default: none). */
  checkTail?: TailCheck;
  /**
   * How long an `append` may wait for others to share its fsync (default 0: it starts at once).
   * `send` waits 2 ms: its requests are paced anyway, so this delays each by 2 ms, not the rate,
   * and a 1,000 MPS campaign makes about half the fsyncs.
   */
  groupMs?: number;
  /** The lock, when the caller took it first (send reads its resume plan under it); else the writer takes one. */
  lock?: FileLock;
  /**
   * What a failed write or sync means for the appends after it. `stop` (send, the default): every
   * later append rejects at once, so the pipeline stops the moment the ledger cannot keep up with
   * the truth. `retry` (webhook): the appends of that write reject (the receiver answers 503, so
   * the provider retries) and the next append tries again, so the receiver recovers by itself when
   * the disk does.
   */
  afterFailure?: 'stop' | 'retry';
  /** The clock the group window and the deferred flush wait on (default: the system's; tests: a manual one). */
  clock?: Clock;
}

/**
 * The only writer of a JSON-lines file that must not lose what it acknowledged (send's ledger,
 * through `openLedgerWriter`; the webhook's events file). Appends JSON lines; `append` resolves
 * once the line is on disk: every byte written (short writes are looped over: a full disk returns
 * short counts without an error) and fsynced. Lines that arrive while a write is in progress are written and synced together
 * (group commit), so a thousand sends a second cost a few hundred fsyncs, not a thousand.
 *
 * The writer knows the file's last durable offset. A failed write or sync cuts the file back to it,
 * so no partial line stays to be mistaken for a saved one (or to corrupt the next line appended).
 */
export class JsonlAppender<T extends object> {
  private queue: { data: string; resolve: () => void; reject: (error: Error) => void }[] = [];
  private flushing: Promise<void> | undefined;
  /** Cancels the planned flush's sleep. */
  private timer: AbortController | undefined;
  private failure: Error | undefined;
  private closed = false;
  private timerAt = Infinity;
  /** Bytes from the start that are written and synced. */
  private durable: number;
  /** Whether bytes past `durable` may be on disk (a write under way or failed): cut before the next write. */
  private dirty = false;
  private notSaved = 0;

  private constructor(
    readonly file: string,
    private readonly handle: AppendFile,
    private readonly lock: FileLock,
    private readonly ownsLock: boolean,
    private readonly groupMs: number,
    private readonly afterFailure: 'stop' | 'retry',
    private readonly clock: Clock,
    size: number,
  ) {
    this.durable = size;
  }

  /**
   * Locks the file (a `.lock` file naming our pid; a lock whose process is gone is taken over)
   * unless given the lock, opens it for appending with mode 0600 (a regular file only), and cuts a
   * torn last line left by a crash.
   */
  static async open<R extends object>(file: string, options: JsonlAppenderOptions = {}): Promise<JsonlAppender<R>> {
    const lock = options.lock ?? (await FileLock.take(file, options));
    try {
      const handle = await (options.openFile ?? ((name: string) => openForAppend(name, options.checkTail)))(file);
      try {
        const size = await handle.size();
        return new JsonlAppender<R>(file, handle, lock, options.lock === undefined, options.groupMs ?? 0, options.afterFailure ?? 'stop', options.clock ?? systemClock, size);
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw new WriteError(`cannot open ${file}: ${describeWriteError(error)}`, undefined, { cause: error });
      }
    } catch (error) {
      if (options.lock === undefined) await lock.release();
      throw error;
    }
  }

  /**
   * The failure of the last write or sync, if it has not been followed by a successful one: with
   * `afterFailure: 'stop'`, the first failure, after which nothing more is written.
   */
  get failed(): Error | undefined {
    return this.failure;
  }

  /**
   * Why the file's lock was lost while this writer held it (removed, or taken over by a process
   * that thought us dead), if it was: another process may be appending to the file now.
   */
  get lockLost(): string | undefined {
    return this.lock.lost;
  }

  /** Records rejected since the last successful write (what a failing disk did not keep). */
  get unsaved(): number {
    return this.notSaved;
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
    if (this.failure && this.afterFailure === 'stop') {
      // Refused without a write: still a record the disk did not keep (`unsaved` counts it).
      this.notSaved++;
      return Promise.reject(this.failure);
    }
    if (this.closed) return Promise.reject(new Error(`${this.file} closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ data: `${JSON.stringify(record)}\n`, resolve, reject });
      if (now && this.groupMs === 0) this.startFlush();
      else this.flushWithin(now ? this.groupMs : MAX_DEFER_MS);
    });
  }

  /** Flushes in `ms` at the latest (an earlier flush already planned stands). */
  private flushWithin(ms: number): void {
    const at = this.clock.now() + ms;
    if (this.timer !== undefined && this.timerAt <= at) return;
    this.timer?.abort();
    const timer = new AbortController();
    this.timer = timer;
    this.timerAt = at;
    void this.clock.sleep(ms, timer.signal).then(() => {
      if (!timer.signal.aborted) this.startFlush();
    });
  }

  private startFlush(): void {
    this.timer?.abort();
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // Lines queued after the last pass of the loop, before this callback, go now.
      this.startFlush();
    });
  }

  /**
   * Resolves once every record appended so far is written and synced, or refused (then `failed`
   * says why): what a reader of the file then finds includes them. Writes what waits now.
   */
  async settled(): Promise<void> {
    if (this.queue.length > 0) this.startFlush();
    while (this.flushing) await this.flushing;
  }

  /**
   * Writes what is queued, closes the file and releases the lock (unless the caller gave it). Never
   * rejects: afterwards `failed` says whether everything appended was made durable.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.startFlush();
    while (this.flushing) await this.flushing;
    this.closed = true;
    // A cut that failed earlier gets one more try: a partial line must not stay behind.
    await this.cutBack().catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    if (this.ownsLock) await this.lock.release();
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        if (this.failure && this.afterFailure === 'stop') throw this.failure;
        await this.cutBack();
        const data = Buffer.from(batch.map((entry) => entry.data).join(''));
        this.dirty = true;
        // Is the lock still ours? Asked with each write (one stat, beside the write, adding no wait),
        // so that a lock removed under us is noticed within a write: the caller learns it through
        // the lock's `onLost` and stops (send makes no request for these intents). What is written
        // is kept either way: the lines are whole, and true.
        await Promise.all([writeFully(this.handle, data), this.lock.check()]);
        await this.handle.sync();
        this.durable += data.length;
        this.dirty = false;
        this.failure = undefined;
        this.notSaved = 0;
        for (const entry of batch) entry.resolve();
      } catch (error) {
        const failure: Error =
          this.failure !== undefined && error === this.failure ? this.failure : new WriteError(`cannot write ${this.file}: ${describeWriteError(error)}`, undefined, { cause: error });
        // What reached the file of this batch is not durable, or not whole: cut it off now.
        await this.cutBack().catch(() => undefined);
        // `stop`: the first failure is the one reported, and what is still queued fails with it.
        const kept = this.afterFailure === 'stop' ? (this.failure ??= failure) : (this.failure = failure);
        const rejected = this.afterFailure === 'stop' ? [...batch, ...this.queue.splice(0)] : batch;
        this.notSaved += rejected.length;
        for (const entry of rejected) entry.reject(kept);
      }
    }
  }

  /** Cuts the file back to its last durable offset, if a write may have left bytes after it. */
  private async cutBack(): Promise<void> {
    if (!this.dirty) return;
    // Once the lock is lost, another process may have appended after our last durable offset:
    // cutting back to it would destroy its lines. Asked again here, not taken from the check made
    // beside the write: a write that fails at once is caught before that check's stat answers.
    if (!(await this.lock.check())) return;
    await this.handle.truncate(this.durable);
    await this.handle.sync();
    this.dirty = false;
  }
}

/** How long an outcome may wait for a write to ride along with (appendSoon). */
const MAX_DEFER_MS = 100;
const MAX_DEFERRED = 1000;

/** Opens a file to append to: a regular file, mode 0600 (ledgers and events hold phone numbers), its torn tail cut. */
async function openForAppend(file: string, checkTail: TailCheck | undefined): Promise<AppendFile> {
  const handle = await openRegularFile(file, 'append', { mode: 0o600 });
  try {
    await cutTornTail(handle, file, checkTail);
  } catch (error) {
    await handle.close().catch(() => undefined);
    if (error instanceof InputError) throw error;
    throw new WriteError(`cannot cut the torn last line of ${file}: ${describeWriteError(error)}`, undefined, { cause: error });
  }
  return writableFile(handle);
}

/** Removes everything after the last newline: the half-written line of a crash. */
async function cutTornTail(handle: FileHandle, file: string, checkTail: TailCheck | undefined): Promise<void> {
  const { size } = await handle.stat();
  if (size === 0) return;
  await checkTail?.(handle, size, file);
  const keep = (await lastNewline(handle, size)) + 1;
  if (keep < size) {
    await handle.truncate(keep);
    await handle.datasync();
  }
}
