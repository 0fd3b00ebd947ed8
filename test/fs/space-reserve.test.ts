import { execFileSync } from 'node:child_process';
import { lstat, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpaceReserve } from '../../src/fs/space-reserve.js';
import { tempDir } from '../helpers.js';

describe('SpaceReserve', () => {
  it('holds the space in a regular owner-only file, written whole, and gives it back', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl.reserve');
    const reserve = await SpaceReserve.create(file, 64 * 1024);
    const info = await stat(file);
    expect(info.isFile()).toBe(true);
    expect(info.size).toBe(64 * 1024);
    expect(info.blocks * 512).toBeGreaterThanOrEqual(64 * 1024); // allocated, not a hole
    expect(info.mode & 0o777).toBe(0o600);
    await reserve.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('is simply not there when its name is taken by something else, which it leaves alone', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl.reserve');
    execFileSync('mkfifo', [file]);
    const reserve = await SpaceReserve.create(file, 4096);
    await reserve.release();
    expect((await stat(file)).isFIFO()).toBe(true);
  });

  it('never follows a symbolic link planted at its name: the file it points to keeps its bytes and mode', async () => {
    const dir = await tempDir();
    const victim = path.join(dir, 'victim.txt');
    await writeFile(victim, 'precious data\n', { mode: 0o644 });
    const file = path.join(dir, 'l.jsonl.reserve');
    await symlink(victim, file);
    const reserve = await SpaceReserve.create(file, 4096);
    await reserve.release();
    expect(await readFile(victim, 'utf8')).toBe('precious data\n');
    expect((await stat(victim)).mode & 0o777).toBe(0o644);
    expect((await lstat(file)).isSymbolicLink()).toBe(true);
  });
});
