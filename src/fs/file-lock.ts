import { constants } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { InputError, WriteError } from '../errors.js';
import { describeWriteError } from './describe-write-error.js';
import { isProcessAlive } from './is-process-alive.js';
import { openRegularFile } from './open-regular-file.js';
import { writableFile } from './writable-file.js';
import { writeFully } from './write-fully.js';

export interface FileLockOptions {
  /** The pid written into the lock (default: this process's). */
  pid?: number;
  /** Whether the holder of a lock still runs (default: signal 0); a lock of one that does not is taken over. */
  isAlive?: (pid: number) => boolean | Promise<boolean>;
}

/**
 * One writer per file: `<file>.lock`, created exclusively, naming the holder's pid. A lock whose
 * holder is gone (a crash, kill -9) is taken over. Whoever holds it reads the file's state only
 * after taking it: a state read before is stale the moment another writer finishes.
 */
export class FileLock {
  private released = false;

  private constructor(
    /** The file this lock guards. */
    readonly file: string,
    readonly lockFile: string,
  ) {}

  /** Takes the lock, or refuses (exit 2, naming the holder's pid) while a live process holds it. */
  static async take(file: string, options: FileLockOptions = {}): Promise<FileLock> {
    const pid = options.pid ?? process.pid;
    const lockFile = `${file}.lock`;
    for (let tries = 0; tries < 3; tries++) {
      if (await create(lockFile, pid)) return new FileLock(file, lockFile);
      const holder = await liveHolder(lockFile, pid, options);
      if (holder !== undefined) throw inUse(file, holder);
      // The holder is gone (a crash or kill -9): take the lock over.
      await unlink(lockFile).catch(() => undefined);
    }
    throw new InputError('could not take the lock: another process keeps taking it', { file: lockFile });
  }

  /**
   * Refuses (as `take` does) while a live process holds the lock, without taking it: for readers
   * that must not show a state another process is changing (a dry run), and must not block it.
   */
  static async refuseIfHeld(file: string, options: FileLockOptions = {}): Promise<void> {
    const holder = await liveHolder(`${file}.lock`, options.pid ?? process.pid, options);
    if (holder !== undefined) throw inUse(file, holder);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await unlink(this.lockFile).catch(() => undefined);
  }
}

function inUse(file: string, holder: number): InputError {
  return new InputError(`in use by another wa-broadcast (pid ${holder}): one process at a time per file; wait for it to finish or stop it first`, { file });
}

/** Creates the lock naming `pid`; false when one exists. */
async function create(lockFile: string, pid: number): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(error, lockFile);
  }
  try {
    // The whole pid or none: a lock cut short by a full disk could name someone else's process.
    await writeFully(writableFile(handle), Buffer.from(`${pid}\n`));
    await handle.close();
    return true;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(lockFile).catch(() => undefined);
    throw new WriteError(`cannot create the lock: ${describeWriteError(error)}`, { file: lockFile });
  }
}

/** The pid of a running process (not us) that holds the lock, if any. */
async function liveHolder(lockFile: string, pid: number, options: FileLockOptions): Promise<number | undefined> {
  let text: string;
  try {
    const handle = await openRegularFile(lockFile, 'read');
    try {
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const holder = Number(text.trim());
  if (!Number.isInteger(holder) || holder <= 0 || holder === pid) return undefined;
  return (await (options.isAlive ?? isProcessAlive)(holder)) ? holder : undefined;
}

function lockError(error: unknown, lockFile: string): InputError | WriteError {
  const code = (error as NodeJS.ErrnoException).code;
  const file = lockFile.replace(/\.lock$/, '');
  switch (code) {
    case 'ENOENT':
      return new InputError(`the folder ${path.dirname(file)} does not exist`, { file });
    case 'ENOTDIR':
      return new InputError('a folder on this path is a file', { file });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new InputError(`cannot create the lock ${lockFile}: ${describeWriteError(error)}`, { file });
    case 'ELOOP':
      return new InputError('is a symbolic link, not a regular file', { file: lockFile });
    default:
      return new WriteError(`cannot create the lock: ${describeWriteError(error)}`, { file: lockFile });
  }
}
