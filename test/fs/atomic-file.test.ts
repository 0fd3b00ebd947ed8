import { lstat, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicFile } from '../../src/fs/atomic-file.js';
import { tempDir } from '../helpers.js';

describe('AtomicFile', () => {
  it('replaces the file whole, owner-only', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'retry.csv');
    await writeFile(file, 'old\n');
    const list = await AtomicFile.open(file);
    await list.write('new\n');
    await list.commit();
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('never follows a symbolic link planted at its temp name: refused in one line, the target and the old list untouched', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'retry.csv');
    await writeFile(file, 'old\n');
    const victim = path.join(dir, 'victim.txt');
    await writeFile(victim, 'precious data\n', { mode: 0o644 });
    const temp = path.join(dir, `.retry.csv.${process.pid}.tmp`);
    await symlink(victim, temp);
    await expect(AtomicFile.open(file)).rejects.toThrow('symbolic link');
    expect(await readFile(victim, 'utf8')).toBe('precious data\n');
    expect((await stat(victim)).mode & 0o777).toBe(0o644);
    expect(await readFile(file, 'utf8')).toBe('old\n');
    expect((await lstat(temp)).isSymbolicLink()).toBe(true);
  });
});
