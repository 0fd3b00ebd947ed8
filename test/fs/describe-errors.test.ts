import { describe, expect, it } from 'vitest';
import { describeOpenError, IS_A_FOLDER } from '../../src/fs/describe-open-error.js';
import { describeWriteError } from '../../src/fs/describe-write-error.js';

// The one-line reasons that end a failed write's or open's message (what `send`, `reconcile` and
// the webhook print): each code's words exactly, and no stack for anything else.

const coded = (code: string, message = `${code}: raw message\n    at somewhere (file.js:1:1)`) => Object.assign(new Error(message), { code });

describe('describeWriteError', () => {
  it.each([
    ['ENOSPC', 'no space left on device (ENOSPC)'],
    ['EDQUOT', 'disk quota exceeded (EDQUOT)'],
    ['EFBIG', 'file too large (EFBIG)'],
    ['EIO', 'I/O error (EIO)'],
    ['EROFS', 'read-only file system (EROFS)'],
    ['EACCES', 'permission denied (EACCES)'],
    ['EPERM', 'permission denied (EPERM)'],
    ['EBADF', 'the file was closed (EBADF)'],
  ])('%s: its words and the code', (code, text) => {
    expect(describeWriteError(coded(code))).toBe(text);
  });

  it('a code it has no words for: the first line of the message, never the stack', () => {
    expect(describeWriteError(coded('EMFILE', 'EMFILE: too many open files\n    at open (node:fs:1:1)'))).toBe('EMFILE: too many open files');
  });

  it('no code: the first line of the message; not an Error: its text', () => {
    expect(describeWriteError(new Error('first line\nsecond line'))).toBe('first line');
    expect(describeWriteError('a string\nwith two lines')).toBe('a string');
    expect(describeWriteError(undefined)).toBe('undefined');
    expect(describeWriteError(42)).toBe('42');
  });

  it('an empty code is no code: the message', () => {
    expect(describeWriteError(coded('', 'plain'))).toBe('plain');
  });
});

describe('describeOpenError', () => {
  it.each([
    ['ENOENT', 'no such file'],
    ['EACCES', 'permission denied'],
    ['EPERM', 'permission denied'],
    ['EISDIR', 'is a folder, not a file'],
    ['EMFILE', 'cannot open: EMFILE'],
  ])('%s: %s', (code, text) => {
    expect(describeOpenError(coded(code))).toBe(text);
  });

  it('the folder text is the one other messages use', () => {
    expect(IS_A_FOLDER).toBe('is a folder, not a file');
  });

  it('no code: the error as text', () => {
    expect(describeOpenError(new Error('strange'))).toBe('cannot open: Error: strange');
  });
});
