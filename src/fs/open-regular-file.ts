import { constants } from 'node:fs';
import { lstat, open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { InputError, WriteError } from '../errors.js';
import { describeWriteError } from './describe-write-error.js';
import { notARegularFile } from './not-a-regular-file.js';

/**
 * `read`: an existing file (ENOENT is passed on as it is, for callers to whom a missing file means
 * an empty one); `append`: created if missing, read-write, every write at the end; `write`: created
 * if missing, emptied.
 */
export type OpenHow = 'read' | 'append' | 'write';

const FLAGS: Record<OpenHow, number> = {
  read: constants.O_RDONLY,
  append: constants.O_RDWR | constants.O_APPEND | constants.O_CREAT,
  write: constants.O_WRONLY | constants.O_CREAT,
};

/**
 * Opens a file that must be a regular file (a ledger, an events file, a list, a dry-run file) and,
 * for writing, gives it `mode` (0600 for anything holding phone numbers), also when it existed
 * with a wider one.
 *
 * Anything else is refused with one line naming the path (exit 2), before anything is written or
 * chmod-ed: a named pipe would block the open forever (so the open is non-blocking), a device would
 * swallow the data (and, as root, `chmod /dev/null` would change the system's), a folder fails on
 * the first write. The type is checked on the path first, so that a device is not even opened, and
 * again on the opened handle, which is what is written to.
 */
export async function openRegularFile(file: string, how: OpenHow, options: { mode?: number; noFollow?: boolean } = {}): Promise<FileHandle> {
  let before: Stats | undefined;
  try {
    // `noFollow`: a file of our own beside the user's (a space reserve, a temp file), never a
    // symbolic link: one planted there would make us overwrite, and chmod, whatever it points to.
    before = options.noFollow ? await lstat(file) : await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && how === 'read') throw error;
    if (code !== 'ENOENT') throw openError(error, file);
  }
  if (before?.isSymbolicLink()) throw new InputError('is a symbolic link where a file of our own belongs: remove it', { file });
  if (before && !before.isFile()) throw notARegularFile(before, file);

  let handle: FileHandle;
  try {
    handle = await open(file, FLAGS[how] | constants.O_NONBLOCK | constants.O_NOCTTY | (options.noFollow ? constants.O_NOFOLLOW : 0), options.mode ?? 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && how === 'read') throw error;
    throw openError(error, file);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notARegularFile(info, file);
    if (how === 'write' && info.size > 0) await handle.truncate(0);
    if (how !== 'read' && options.mode !== undefined && (info.mode & 0o7777) !== options.mode) await handle.chmod(options.mode);
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    if (error instanceof InputError) throw error;
    throw new WriteError(`cannot prepare the file: ${describeWriteError(error)}`, { file });
  }
}

/** One line for a path that cannot be opened: what the user can fix is exit 2, a failing disk exit 1. */
function openError(error: unknown, file: string): InputError | WriteError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new InputError(`the folder ${path.dirname(file)} does not exist`, { file });
    case 'ENOTDIR':
      return new InputError('a folder on this path is a file', { file });
    case 'EISDIR':
      return new InputError('is a folder, not a regular file', { file });
    case 'ENXIO':
    case 'ENODEV':
      return new InputError('is not a regular file', { file });
    case 'EACCES':
    case 'EPERM':
      return new InputError('permission denied', { file });
    case 'EROFS':
      return new InputError('is on a read-only file system', { file });
    case 'ELOOP':
      return new InputError('too many symbolic links (or a symbolic link where a file of our own belongs)', { file });
    case 'ENAMETOOLONG':
      return new InputError('the path is too long', { file });
    default:
      return new WriteError(`cannot open: ${describeWriteError(error)}`, { file });
  }
}
