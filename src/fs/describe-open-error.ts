/** What a folder given where a file belongs is called in errors. */
export const IS_A_FOLDER = 'is a folder, not a file';

/** A one-line reason a file could not be opened (ENOENT, EACCES, EISDIR…), never a stack. */
export function describeOpenError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return IS_A_FOLDER;
    default:
      return `cannot open: ${code ?? String(error)}`;
  }
}
