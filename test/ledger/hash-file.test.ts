import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashFile } from '../../src/ledger/hash-file.js';
import { tempDir } from '../helpers.js';

describe('hashFile', () => {
  it('is the SHA-256 of the file’s bytes, in hex (FIPS 180-2’s vectors; a file of several read chunks)', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'abc'), 'abc');
    await writeFile(path.join(dir, 'empty'), '');
    await writeFile(path.join(dir, 'million'), 'a'.repeat(1_000_000));
    expect(await hashFile(path.join(dir, 'abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await hashFile(path.join(dir, 'empty'))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await hashFile(path.join(dir, 'million'))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
});
