import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultMaxConnections } from '../../src/net/connection-guard.js';
import { openFileLimit } from '../../src/net/open-file-limit.js';
import { tempDir } from '../helpers.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             63704                63704                processes
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('the connection cap follows the open-file limit', () => {
  it('reads the soft limit from /proc/self/limits, and nothing from a file it cannot read or an unlimited one', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'limits'), LIMITS);
    await writeFile(path.join(dir, 'unlimited'), LIMITS.replace('1024                 524288', 'unlimited            unlimited'));
    expect(openFileLimit(path.join(dir, 'limits'))).toBe(1024);
    expect(openFileLimit(path.join(dir, 'unlimited'))).toBeUndefined();
    expect(openFileLimit(path.join(dir, 'missing'))).toBeUndefined();
  });

  it.each([
    [1024, 256],
    [256, 128],
    [20000, 256],
    [undefined, 256],
  ])('with %s open files allowed, caps connections at %s', (fdLimit, cap) => {
    expect(defaultMaxConnections(fdLimit)).toBe(cap);
  });
});
