/** A short reason a write, sync or create failed ("no space left on device (ENOSPC)"), never a stack. */
export function describeWriteError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code ? REASONS[code] : undefined;
  if (reason) return `${reason} (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!;
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'I/O error',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EBADF: 'the file was closed',
};
