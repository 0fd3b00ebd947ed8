import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists } from '../../src/fs/exists.js';
import { isProcessAlive } from '../../src/fs/is-process-alive.js';
import { bytes, equalBytes, startsWith } from '../../src/fs/json-bytes.js';
import { lastNewline } from '../../src/fs/last-newline.js';
import { writeFully } from '../../src/fs/write-fully.js';
import { tempDir } from '../helpers.js';

describe('exists', () => {
  it('true for a file and a folder, false for a missing path', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'a');
    await writeFile(file, '');
    expect(await exists(file)).toBe(true);
    expect(await exists(dir)).toBe(true);
    expect(await exists(path.join(dir, 'missing'))).toBe(false);
  });
});

describe('isProcessAlive', () => {
  it('this process is alive; a pid no process has is not', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(999_999_999)).toBe(false);
  });

  it('EPERM (a process of another user) counts as alive; any other error as not', () => {
    const kill = process.kill;
    try {
      for (const [code, alive] of [['EPERM', true], ['ESRCH', false], ['EINVAL', false]] as const) {
        process.kill = (() => {
          throw Object.assign(new Error(code), { code });
        }) as typeof process.kill;
        expect(isProcessAlive(1234)).toBe(alive);
      }
    } finally {
      process.kill = kill;
    }
  });
});

describe('json-bytes', () => {
  const buffer = Buffer.from('{"id":"abc"}', 'latin1');

  it('bytes: one byte per code unit (latin1), not UTF-8', () => {
    expect([...bytes('"é')]).toEqual([0x22, 0xe9]);
    expect([...bytes('"é\\')]).toEqual([0x22, 0xe9, 0x5c]);
    expect(bytes('')).toHaveLength(0);
  });

  it('startsWith: the literal at i, wholly before end', () => {
    expect(startsWith(buffer, 1, buffer.length, bytes('"id"'))).toBe(true);
    expect(startsWith(buffer, 0, buffer.length, bytes('{"id"'))).toBe(true);
    expect(startsWith(buffer, 1, buffer.length, bytes('"ix"'))).toBe(false);
    expect(startsWith(buffer, 2, buffer.length, bytes('"id"'))).toBe(false);
    // The literal would end exactly at `end`: fits; one byte past it: does not.
    expect(startsWith(buffer, 1, 5, bytes('"id"'))).toBe(true);
    expect(startsWith(buffer, 1, 4, bytes('"id"'))).toBe(false);
    // The last byte differs only: compared to the end of the literal.
    expect(startsWith(buffer, 1, buffer.length, bytes('"iX'))).toBe(false);
  });

  it('equalBytes: exactly the bytes from start to end, no more, no fewer', () => {
    expect(equalBytes(buffer, 7, 10, bytes('abc'))).toBe(true);
    expect(equalBytes(buffer, 7, 10, bytes('abd'))).toBe(false);
    expect(equalBytes(buffer, 7, 10, bytes('xbc'))).toBe(false);
    expect(equalBytes(buffer, 7, 11, bytes('abc'))).toBe(false);
    expect(equalBytes(buffer, 7, 9, bytes('abc'))).toBe(false);
    expect(equalBytes(buffer, 7, 7, bytes(''))).toBe(true);
  });
});

describe('lastNewline', () => {
  async function handleOf(contents: Buffer | string) {
    const file = path.join(await tempDir(), 'f');
    await writeFile(file, contents);
    return open(file, 'r');
  }

  it('the offset of the last newline among the first `size` bytes, or -1', async () => {
    const handle = await handleOf('ab\ncd\nef');
    try {
      expect(await lastNewline(handle, 8)).toBe(5);
      expect(await lastNewline(handle, 6)).toBe(5);
      expect(await lastNewline(handle, 5)).toBe(2);
      expect(await lastNewline(handle, 2)).toBe(-1);
      expect(await lastNewline(handle, 0)).toBe(-1);
    } finally {
      await handle.close();
    }
  });

  it('looks back past a 64 KiB chunk without a newline, to the right offset', async () => {
    const tail = 64 * 1024 + 100;
    const handle = await handleOf(Buffer.concat([Buffer.from('x\ny\n'), Buffer.alloc(tail, 0x61)]));
    try {
      expect(await lastNewline(handle, 4 + tail)).toBe(3);
      // A file of one chunk and more without any newline: -1, every chunk read.
      const none = await handleOf(Buffer.alloc(2 * 64 * 1024 + 7, 0x61));
      try {
        expect(await lastNewline(none, 2 * 64 * 1024 + 7)).toBe(-1);
      } finally {
        await none.close();
      }
    } finally {
      await handle.close();
    }
  });

  it('a newline at the very start of a second chunk back', async () => {
    const handle = await handleOf(Buffer.concat([Buffer.from('\n'), Buffer.alloc(64 * 1024, 0x61)]));
    try {
      expect(await lastNewline(handle, 1 + 64 * 1024)).toBe(0);
    } finally {
      await handle.close();
    }
  });
});

describe('writeFully', () => {
  /** A file that takes at most `most` bytes a call (or what `counts` says, in order), recording what it got. */
  function file(counts: (number | undefined)[] = [], most = Infinity) {
    const got: string[] = [];
    return {
      got,
      write: async (data: Buffer) => {
        got.push(data.toString());
        const next = counts.shift();
        return next ?? Math.min(most, data.length);
      },
    };
  }

  it('loops over short writes, handing on each time what is left', async () => {
    const target = file([], 3);
    await writeFully(target, Buffer.from('abcdefgh'));
    expect(target.got).toEqual(['abcdefgh', 'defgh', 'gh']);
  });

  it('nothing to write: no write at all', async () => {
    const target = file();
    await writeFully(target, Buffer.alloc(0));
    expect(target.got).toEqual([]);
  });

  it.each([
    [0, 'ENOSPC: no space left on device (a write of 5 bytes wrote 0)'],
    [-1, 'ENOSPC: no space left on device (a write of 5 bytes wrote -1)'],
    [1.5, 'ENOSPC: no space left on device (a write of 5 bytes wrote 1.5)'],
    [6, 'ENOSPC: no space left on device (a write of 5 bytes wrote 6)'],
  ])('a write that reports %s bytes (no progress, or more than given): ENOSPC, saying how much was asked and written', async (count, message) => {
    const error = await writeFully(file([2, count]), Buffer.from('abcdefg')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(message);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  });

  it('a write of exactly what is left ends the loop', async () => {
    const target = file([2, 5]);
    await writeFully(target, Buffer.from('abcdefg'));
    expect(target.got).toEqual(['abcdefg', 'cdefg']);
  });
});
