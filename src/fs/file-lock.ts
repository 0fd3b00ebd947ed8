import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
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
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      if (await create(lockFile, pid)) return new FileLock(file, lockFile);
      const found = await readHolder(lockFile);
      if (found === undefined) continue; // released meanwhile: try again
      const holder = await liveHolder(found, pid, options);
      if (holder !== undefined) throw inUse(file, holder);
      // The holder is gone (a crash or kill -9): take the lock over, one process at a time.
      if (await takeOver(lockFile, found.text, pid, options)) return new FileLock(file, lockFile);
      await pause(tries);
    }
    throw new InputError('could not take the lock: another process keeps taking it', { file: lockFile });
  }

  /**
   * Refuses (as `take` does) while a live process holds the lock, without taking it: for readers
   * that must not show a state another process is changing (a dry run), and must not block it.
   */
  static async refuseIfHeld(file: string, options: FileLockOptions = {}): Promise<void> {
    const found = await readHolder(`${file}.lock`);
    const holder = found && (await liveHolder(found, options.pid ?? process.pid, options));
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

const MAX_TRIES = 50;

/**
 * Creates the lock naming `pid`; false when one exists. The lock appears with its pid already in
 * it (written to a file of our own, then hard-linked into place, which fails if the name exists):
 * an empty lock, created but not yet written, would look like a dead holder's to a process
 * starting at the same moment, which would take it over, and both would send.
 */
async function create(lockFile: string, pid: number): Promise<boolean> {
  const own = await writeOwnFile(lockFile, pid);
  try {
    await link(own, lockFile);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links (some network and FUSE mounts): an exclusive create.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV') return createExclusive(lockFile, pid);
    throw lockError(error, lockFile);
  } finally {
    await unlink(own).catch(() => undefined);
  }
}

/** `<lock>.<pid>.<random>.tmp` holding `pid`, whole (a lock cut short by a full disk could name someone else). */
async function writeOwnFile(lockFile: string, pid: number): Promise<string> {
  const own = `${lockFile}.${pid}.${randomBytes(4).toString('hex')}.tmp`;
  let handle;
  try {
    handle = await open(own, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (error) {
    throw lockError(error, lockFile);
  }
  try {
    await writeFully(writableFile(handle), Buffer.from(`${pid}\n`));
    await handle.close();
    return own;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(own).catch(() => undefined);
    throw new WriteError(`cannot create the lock: ${describeWriteError(error)}`, { file: lockFile });
  }
}

async function createExclusive(lockFile: string, pid: number): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(error, lockFile);
  }
  try {
    await writeFully(writableFile(handle), Buffer.from(`${pid}\n`));
    await handle.close();
    return true;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(lockFile).catch(() => undefined);
    throw new WriteError(`cannot create the lock: ${describeWriteError(error)}`, { file: lockFile });
  }
}

/**
 * Replaces a dead holder's lock with ours. Two processes that both saw the dead holder must not
 * both win (the one that removed it, then the other removing the first one's fresh lock): the
 * replacement happens only under `<lock>.takeover`, created as exclusively as the lock, and only if
 * the lock still says what we read. Nothing else changes an existing lock (others only create it
 * when it is absent, and only a live holder removes it), so under the takeover lock the check and
 * the atomic rename cannot be raced. False: someone else is taking over, or did; try again.
 */
async function takeOver(lockFile: string, staleText: string, pid: number, options: FileLockOptions): Promise<boolean> {
  const guard = `${lockFile}.takeover`;
  if (!(await create(guard, pid))) {
    // A takeover in progress; or one whose process died in the middle of it (rare): clear that.
    const found = await readHolder(guard);
    if (found && (await liveHolder(found, pid, options)) === undefined) await unlink(guard).catch(() => undefined);
    return false;
  }
  try {
    const current = await readHolder(lockFile);
    if (current?.text !== staleText) return false;
    const own = await writeOwnFile(lockFile, pid);
    try {
      await rename(own, lockFile);
    } catch (error) {
      await unlink(own).catch(() => undefined);
      throw lockError(error, lockFile);
    }
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** A lock's text and the pid it names (NaN when it names none), or undefined when there is no lock. */
async function readHolder(lockFile: string): Promise<{ text: string; pid: number } | undefined> {
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
  return { text, pid: Number(text.trim()) };
}

/** The pid of a running process (not us) that holds the lock, if any. */
async function liveHolder(found: { pid: number }, pid: number, options: FileLockOptions): Promise<number | undefined> {
  const holder = found.pid;
  if (!Number.isInteger(holder) || holder <= 0 || holder === pid) return undefined;
  return (await (options.isAlive ?? isProcessAlive)(holder)) ? holder : undefined;
}

/** A few milliseconds, growing: another process is taking the lock over. */
function pause(tries: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(50, 1 + tries * 2)));
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
