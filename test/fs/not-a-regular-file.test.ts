import { execFileSync } from 'node:child_process';
import type { Stats } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { notARegularFile } from '../../src/fs/not-a-regular-file.js';
import { readSmallTextFile } from '../../src/fs/read-small-text-file.js';
import { refuseNonRegularInput } from '../../src/fs/refuse-non-regular-input.js';
import { tempDir } from '../helpers.js';

/** Stats that answer true to one `is…` question only (`none`: to none of them). */
function statsOf(kind: 'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket' | 'none'): Stats {
  const no = () => false;
  const answers = { isFile: no, isDirectory: no, isFIFO: no, isCharacterDevice: no, isBlockDevice: no, isSocket: no, isSymbolicLink: no };
  return { ...answers, ...(kind === 'none' ? {} : { [kind]: () => true }) } as unknown as Stats;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

describe('notARegularFile', () => {
  it.each([
    ['isDirectory', 'a folder'],
    ['isFIFO', 'a named pipe (FIFO)'],
    ['isCharacterDevice', 'a character device'],
    ['isBlockDevice', 'a block device'],
    ['isSocket', 'a socket'],
    ['none', 'something else'],
  ] as const)('%s: "is %s, not a regular file", naming the file', (kind, words) => {
    const error = notARegularFile(statsOf(kind), 'in.csv');
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(`is ${words}, not a regular file; nothing was changed`);
    expect(error.location).toEqual({ file: 'in.csv' });
  });

  it('says what it means for the user when told', () => {
    expect(notARegularFile(statsOf('isFIFO'), 'in.csv', 'save it to a file first').message).toBe('is a named pipe (FIFO), not a regular file; save it to a file first');
  });

  it('real files of each kind it can make here', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(notARegularFile(await stat(fifo), fifo).message).toBe('is a named pipe (FIFO), not a regular file; nothing was changed');
    expect(notARegularFile(await stat(dir), dir).message).toBe('is a folder, not a regular file; nothing was changed');
    expect(notARegularFile(await stat('/dev/null'), '/dev/null').message).toBe('is a character device, not a regular file; nothing was changed');
  });
});

describe('refuseNonRegularInput', () => {
  it('a regular file, or a path that is missing: passes (the reader says why in its own words)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'list.csv');
    await writeFile(file, 'phone\n');
    await expect(refuseNonRegularInput(file, 'why')).resolves.toBeUndefined();
    await expect(refuseNonRegularInput(path.join(dir, 'missing.csv'), 'why')).resolves.toBeUndefined();
  });

  it('a named pipe or a folder: refused in one line ending with why, without opening it', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'list.csv');
    execFileSync('mkfifo', [fifo]);
    // Opened, a pipe without a writer would block this test: the refusal comes from its type alone.
    const error = await caught(refuseNonRegularInput(fifo, 'save it to a file first'));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('is a named pipe (FIFO), not a regular file; save it to a file first');
    expect((error as InputError).location).toEqual({ file: fifo });
    const folder = path.join(dir, 'folder');
    await mkdir(folder);
    expect(((await caught(refuseNonRegularInput(folder, 'use a file'))) as Error).message).toBe('is a folder, not a regular file; use a file');
  });
});

describe('readSmallTextFile', () => {
  const tooLarge = (size: number) => `${size} bytes: a templates file is at most 10 bytes`;

  it('the whole text of a file up to the limit, the limit included', async () => {
    const file = path.join(await tempDir(), 't.json');
    await writeFile(file, 'é12345678'); // 10 bytes
    expect(await readSmallTextFile(file, 10, tooLarge)).toBe('é12345678');
  });

  it('one byte over the limit: refused before reading, in the caller’s words', async () => {
    const file = path.join(await tempDir(), 't.json');
    await writeFile(file, '12345678901');
    const error = await caught(readSmallTextFile(file, 10, tooLarge));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('11 bytes: a templates file is at most 10 bytes');
    expect((error as InputError).location).toEqual({ file });
  });

  it('a missing file: "no such file", an InputError naming it', async () => {
    const file = path.join(await tempDir(), 'missing.json');
    const error = await caught(readSmallTextFile(file, 10, tooLarge));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('no such file');
    expect((error as InputError).location).toEqual({ file });
  });

  it('a named pipe or a folder: the refusal of its type, as it is', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(((await caught(readSmallTextFile(fifo, 10, tooLarge))) as Error).message).toBe('is a named pipe (FIFO), not a regular file; nothing was changed');
    expect(((await caught(readSmallTextFile(dir, 10, tooLarge))) as Error).message).toBe('is a folder, not a regular file; nothing was changed');
  });

  it('a read that fails after the open (EIO: /proc/self/mem at offset 0): an InputError naming the file, and the file closed', async () => {
    const before = (await readdir('/proc/self/fd')).length;
    for (let i = 0; i < 3; i++) {
      const error = await caught(readSmallTextFile('/proc/self/mem', 10, tooLarge));
      expect(error).toBeInstanceOf(InputError);
      expect({ message: (error as InputError).message, location: (error as InputError).location }).toEqual({ message: 'cannot open: EIO', location: { file: '/proc/self/mem' } });
    }
    expect((await readdir('/proc/self/fd')).length).toBe(before);
  });

  it('a path through a file: the open’s own refusal', async () => {
    const dir = await tempDir();
    const plain = path.join(dir, 'plain');
    await writeFile(plain, '');
    const error = await caught(readSmallTextFile(path.join(plain, 't.json'), 10, tooLarge));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('a folder on this path is a file');
  });
});
