import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, open, readFile, realpath, rename, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { InputError, WriteError } from '../errors.js';
import { describeWriteError } from './describe-write-error.js';
import { isProcessAlive } from './is-process-alive.js';
import { openRegularFile } from './open-regular-file.js';
import { formatIdentity, holderState, ownIdentity, parseIdentity, startTimeOf, type ProcessIdentity } from './process-identity.js';
import { writableFile } from './writable-file.js';
import { writeFully } from './write-fully.js';

/** How often a holder refreshes its lock, so that holders we cannot check by pid can tell it lives. */
export const HEARTBEAT_MS = 5_000;
/** A lock not refreshed for this long, by a holder on another host or in another container, is dead. */
export const STALE_MS = 30_000;
/** A takeover takes milliseconds: a takeover guard older than this was left by a process that died in one. */
const GUARD_STALE_MS = 10_000;
const MAX_TRIES = 50;

export interface FileLockOptions {
  /** The pid written into the lock (default: this process's); tests race many "processes" in one. */
  pid?: number;
  /** Whether a process runs here (default: signal 0). */
  isAlive?: (pid: number) => boolean | Promise<boolean>;
  /** Wall-clock ms, for the age of a lock (default: Date.now). */
  now?: () => number;
  /** Runs `fn` every `ms` until the returned function is called (default: an unref'd setInterval). */
  every?: (ms: number, fn: () => void) => () => void;
  /** Told when the lock was taken from us (we were frozen past STALE_MS, or someone removed it). */
  onLost?: (why: string) => void;
  /**
   * What the pause between tries waits on, while another process takes the lock over (default:
   * the system's clock). Not the lock's age: that compares file times, wall-clock (`now`).
   */
  clock?: Clock;
}

/**
 * One writer per file: `<file>.lock` beside the file's real path, created exclusively, naming the
 * holder (pid, host, boot, pid namespace, start time: `process-identity.ts`). A lock whose holder
 * is gone (a crash, kill -9, a reboot) is taken over. Whoever holds it reads the file's state only
 * after taking it: a state read before is stale the moment another writer finishes.
 *
 * The lock is named after the file's real path (symbolic links resolved), so that a link to a
 * ledger in use cannot run a second send beside the first; a ledger with more than one hard link is
 * refused, since another name for it would have another lock.
 */
export class FileLock {
  private released = false;
  private stopHeartbeat: (() => void) | undefined;
  private lostWhy: string | undefined;
  /**
   * The lock file as we made it (device, inode, birth time): another process's lock, or none, is
   * not it. The birth time because a file system reuses a freed inode at once (0 where the file
   * system keeps none; the heartbeat's reading of the text covers those).
   */
  private identity: { dev: number; ino: number; born: number } | undefined;
  private onLost: ((why: string) => void) | undefined;

  private constructor(
    /** The file this lock guards, as given. */
    readonly file: string,
    readonly lockFile: string,
    private readonly text: string,
  ) {}

  /** Why the lock was lost while held, if it was: from then on another process may be writing. */
  get lost(): string | undefined {
    return this.lostWhy;
  }

  /** Takes the lock, or refuses (exit 2, naming the holder's pid and the lock file) while a live process holds it. */
  static async take(file: string, options: FileLockOptions = {}): Promise<FileLock> {
    const lockFile = await lockPathFor(file);
    const me = identityFor(options);
    const text = formatIdentity(me);
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      if ((await create(lockFile, text)) || (await takeOverIfDead(lockFile, file, text, me, options))) {
        const lock = new FileLock(file, lockFile, text);
        await checkLinks(file, lockFile);
        const info = await stat(lockFile).catch(() => undefined);
        if (info) lock.identity = { dev: info.dev, ino: info.ino, born: info.birthtimeMs };
        lock.onLost = options.onLost;
        lock.startHeartbeat(options);
        return lock;
      }
      await pause(tries, options.clock ?? systemClock);
    }
    throw new InputError(`could not take the lock ${lockFile}: another process keeps taking it`, { file });
  }

  /**
   * Refuses (as `take` does) while a live process holds the lock, without taking it: for readers
   * that must not show a state another process is changing (a dry run), and must not block it.
   */
  static async refuseIfHeld(file: string, options: FileLockOptions = {}): Promise<void> {
    const lockFile = await lockPathFor(file);
    const found = await readLock(lockFile);
    if (found && (await isLive(found, identityFor(options), options))) throw inUse(file, lockFile, found.holder);
  }

  /**
   * Whether the lock file is still the one we made, by one `stat` (device, inode, birth time): cheap
   * enough for a writer to ask before each write, so that a lock removed (and perhaps created
   * again by another process) is noticed within a write, not within a heartbeat. When it is not,
   * the lock is lost from then on (`lost`, `onLost`), as when the heartbeat notices.
   */
  async check(): Promise<boolean> {
    if (this.lostWhy !== undefined) return false;
    if (this.released || this.identity === undefined) return true;
    const info = await stat(this.lockFile).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : undefined));
    if (info === undefined) return true; // cannot tell (an I/O error): the heartbeat will
    if (info !== null && info.dev === this.identity.dev && info.ino === this.identity.ino && info.birthtimeMs === this.identity.born) return true;
    if (this.lostWhy === undefined) this.lose(info === null ? `the lock ${this.lockFile} was removed` : `the lock ${this.lockFile} was taken over by another process`);
    return false;
  }

  private lose(why: string): void {
    this.lostWhy = why;
    this.stopHeartbeat?.();
    this.onLost?.(why);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.stopHeartbeat?.();
    // Only our own lock: one taken over from us (we were frozen) belongs to someone else now.
    const current = await readFile(this.lockFile, 'utf8').catch(() => undefined);
    if (current === this.text) await unlink(this.lockFile).catch(() => undefined);
  }

  /** Refreshes the lock's time while held, and notices when it is no longer ours. */
  private startHeartbeat(options: FileLockOptions): void {
    const every = options.every ?? everyUnref;
    const now = options.now ?? Date.now;
    let busy = false;
    this.stopHeartbeat = every(HEARTBEAT_MS, () => {
      if (busy || this.released || this.lostWhy) return;
      busy = true;
      void (async () => {
        const current = await readFile(this.lockFile, 'utf8').catch(() => undefined);
        if (current !== this.text) {
          if (this.lostWhy === undefined) this.lose(current === undefined ? `the lock ${this.lockFile} was removed` : `the lock ${this.lockFile} was taken over by another process`);
          return;
        }
        const at = new Date(now());
        await utimes(this.lockFile, at, at).catch(() => undefined);
      })().finally(() => (busy = false));
    });
  }
}

function identityFor(options: FileLockOptions): ProcessIdentity {
  const me = ownIdentity();
  // A pid given by a test is a process of its own: it has no start time of ours.
  return options.pid === undefined ? me : { ...me, pid: options.pid, start: undefined };
}

/** `<real path of file>.lock`: the same lock whichever symbolic link names the file. */
async function lockPathFor(file: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw lockError(error, `${file}.lock`);
    // Not there yet (a first run), or a symbolic link to nothing.
    const link = await lstat(file).catch(() => undefined);
    if (link?.isSymbolicLink()) throw new InputError('is a symbolic link to a file that does not exist', { file });
    let folder: string;
    try {
      folder = await realpath(path.dirname(file));
    } catch (inner) {
      throw lockError(inner, `${file}.lock`);
    }
    real = path.join(folder, path.basename(file));
  }
  return `${real}.lock`;
}

/** A second name for the file would have a lock of its own: one file, one name. */
async function checkLinks(file: string, lockFile: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (info && info.isFile() && info.nlink > 1) {
    await unlink(lockFile).catch(() => undefined);
    throw new InputError(
      `has ${info.nlink} hard links: a second send through another of its names would not see this one's lock; keep one name (remove the other links)`,
      { file },
    );
  }
}

function inUse(file: string, lockFile: string, holder: ProcessIdentity): InputError {
  const where = holder.host && holder.host !== ownIdentity().host ? ` on ${holder.host}` : '';
  return new InputError(
    `in use by another wa-broadcast (pid ${holder.pid}${where}): one process at a time per file; wait for it to finish or stop it first (if no such process runs, remove ${lockFile})`,
    { file },
  );
}

/**
 * Creates the lock holding `text`; false when one exists. The lock appears with its text already in
 * it (written to a file of our own, then hard-linked into place, which fails if the name exists):
 * an empty lock, created but not yet written, would look like a dead holder's to a process starting
 * at the same moment, which would take it over, and both would send.
 */
async function create(lockFile: string, text: string): Promise<boolean> {
  const linkInfo = await lstat(lockFile).catch(() => undefined);
  if (linkInfo?.isSymbolicLink()) throw new InputError('is a symbolic link, not a lock file: remove it', { file: lockFile });
  const own = await writeOwnFile(lockFile, text);
  try {
    await link(own, lockFile);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links (some network and FUSE mounts): an exclusive create.
    // Awaited here, not returned: a refusal must not sit unhandled while `finally` removes our file.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV') return await createExclusive(lockFile, text);
    throw lockError(error, lockFile);
  } finally {
    await unlink(own).catch(() => undefined);
  }
}

/** `<lock>.<random>.tmp` holding `text`, whole (a lock cut short by a full disk could name someone else). */
async function writeOwnFile(lockFile: string, text: string): Promise<string> {
  const own = `${lockFile}.${randomBytes(6).toString('hex')}.tmp`;
  let handle;
  try {
    handle = await open(own, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (error) {
    throw lockError(error, lockFile);
  }
  try {
    await writeFully(writableFile(handle), Buffer.from(text));
    await handle.close();
    return own;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(own).catch(() => undefined);
    throw new WriteError(`cannot create the lock: ${describeWriteError(error)}`, { file: lockFile });
  }
}

async function createExclusive(lockFile: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(error, lockFile);
  }
  try {
    await writeFully(writableFile(handle), Buffer.from(text));
    await handle.close();
    return true;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(lockFile).catch(() => undefined);
    throw new WriteError(`cannot create the lock: ${describeWriteError(error)}`, { file: lockFile });
  }
}

/**
 * Takes over a dead holder's lock; refuses (InputError) while its holder lives; false when the lock
 * changed meanwhile or someone else is taking it over (try again).
 *
 * Two processes that both saw the dead holder must not both win (the one that removed it, then the
 * other removing the first one's fresh lock): the replacement happens only under
 * `<lock>.takeover`, created as exclusively as the lock, and only if the lock still says what we
 * read. The guard keeps takeovers from colliding; it is not what makes them safe: a guard left by a
 * process that died in one is removed by name once old, and two processes removing it at once can
 * remove a live one's fresh guard and let a third in beside it. The replacement itself is a
 * compare-and-swap (`replaceDead`), so that two takeovers at once still make one holder.
 */
async function takeOverIfDead(lockFile: string, file: string, text: string, me: ProcessIdentity, options: FileLockOptions): Promise<boolean> {
  const found = await readLock(lockFile);
  if (!found) return false; // released meanwhile
  if (await isLive(found, me, options)) throw inUse(file, lockFile, found.holder);
  const guard = `${lockFile}.takeover`;
  if (!(await create(guard, text))) {
    // A takeover in progress; or one left by a process that died in the middle of it: its guard
    // is old by now (a takeover takes milliseconds), so remove it.
    const info = await stat(guard).catch(() => undefined);
    if (info && (options.now ?? Date.now)() - info.mtimeMs > GUARD_STALE_MS) await unlink(guard).catch(() => undefined);
    return false;
  }
  try {
    const current = await readLock(lockFile);
    if (current?.text !== found.text) return false;
    return await replaceDead(lockFile, found.text, text);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/**
 * Replaces the dead holder's lock with ours, as a compare-and-swap (why: `takeOverIfDead`): the lock
 * file, whatever it is now, is moved aside by one rename, so of two processes only one moves the
 * dead holder's file, and only that one goes on, creating ours as `create` does (a process that
 * created the lock while it was absent wins instead). A file moved aside that is not the dead lock
 * is a live lock made meanwhile: it is linked back (the same inode: its holder's checks see no
 * change), or, if yet another lock was made since, its holder finds its lock gone at its next check
 * and stops. Never two holders. Without it, a stale guard removed by two processes at once let two
 * take over together: two holders in 1 of 300 rounds of a four-process race (0 of 1,200 with it).
 */
async function replaceDead(lockFile: string, deadText: string, text: string): Promise<boolean> {
  const aside = `${lockFile}.${randomBytes(6).toString('hex')}.dead`;
  try {
    await rename(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false; // released or moved meanwhile
    throw lockError(error, lockFile);
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== deadText) {
    await link(aside, lockFile).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return false;
  }
  await unlink(aside).catch(() => undefined);
  return await create(lockFile, text);
}

interface FoundLock {
  text: string;
  /** Who the lock names; a lock naming nobody readable counts as a dead holder's. */
  holder: ProcessIdentity;
  mtimeMs: number;
}

/** The lock as it is on disk, or undefined when there is none. */
async function readLock(lockFile: string): Promise<FoundLock | undefined> {
  let text: string;
  let mtimeMs: number;
  try {
    const handle = await openRegularFile(lockFile, 'read');
    try {
      text = await handle.readFile('utf8');
      mtimeMs = (await handle.stat()).mtimeMs;
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { text, holder: parseIdentity(text) ?? { pid: 0 }, mtimeMs };
}

async function isLive(found: FoundLock, me: ProcessIdentity, options: FileLockOptions): Promise<boolean> {
  const { holder } = found;
  if (holder.pid <= 0) return false;
  // Our own identity exactly: a lock this very process left (it never holds two at once).
  if (holder.pid === me.pid && holder.host === me.host && holder.pidns === me.pidns && holder.start === me.start && holder.boot === me.boot) return false;
  const state = await holderState(holder, me, {
    isAlive: options.isAlive ?? isProcessAlive,
    startTimeOf: options.pid === undefined ? startTimeOf : () => undefined,
    ageMs: (options.now ?? Date.now)() - found.mtimeMs,
    staleMs: STALE_MS,
  });
  return state === 'live';
}

function everyUnref(ms: number, fn: () => void): () => void {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** A few milliseconds, growing: another process is taking the lock over. */
function pause(tries: number, clock: Clock): Promise<void> {
  return clock.sleep(Math.min(50, 1 + tries * 2));
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
