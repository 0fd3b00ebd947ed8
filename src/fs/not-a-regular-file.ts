import type { Stats } from 'node:fs';
import { InputError } from '../errors.js';

/**
 * The one-line refusal of a path that is something other than a regular file (exit 2); `after`
 * says what it means for the user (default: that nothing was written or chmod-ed).
 */
export function notARegularFile(info: Stats, file: string, after = 'nothing was changed'): InputError {
  const kind = info.isDirectory()
    ? 'a folder'
    : info.isFIFO()
      ? 'a named pipe (FIFO)'
      : info.isCharacterDevice()
        ? 'a character device'
        : info.isBlockDevice()
          ? 'a block device'
          : info.isSocket()
            ? 'a socket'
            : 'something else';
  return new InputError(`is ${kind}, not a regular file; ${after}`, { file });
}
