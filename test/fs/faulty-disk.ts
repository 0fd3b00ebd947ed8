import type { WritableFile } from '../../src/fs/writable-file.js';

const fail = (code: string) => Object.assign(new Error(`${code}: injected failure`), { code });

/**
 * A disk that behaves as a full one does under `write(2)`: with `free` bytes left, a write writes
 * what fits and returns the short count without an error; with none left it fails with ENOSPC.
 * Truncating gives the space back. `failSync` / `failWrite` make the next calls fail outright
 * (EIO and the like); `zeroWrites` makes writes return 0 (no progress, no error). Every file it
 * wraps is a real one underneath, so what stays on disk can be read back.
 */
export class FaultyDisk {
  free = Infinity;
  writes = 0;
  syncs = 0;
  private failures: { op: 'write' | 'sync' | 'truncate'; code: string }[] = [];
  zeroWrites = false;
  /** The most one write(2) takes (a short write with space left: a signal, a pipe-like file system). */
  maxWrite = Infinity;

  constructor(free = Infinity) {
    this.free = free;
  }

  /** The next `op` call fails with `code` (calls queue up in order). */
  failNext(op: 'write' | 'sync' | 'truncate', code = 'EIO'): this {
    this.failures.push({ op, code });
    return this;
  }

  wrap(inner: WritableFile): WritableFile {
    const take = (op: 'write' | 'sync' | 'truncate') => {
      const at = this.failures.findIndex((f) => f.op === op);
      if (at < 0) return undefined;
      return this.failures.splice(at, 1)[0]!.code;
    };
    return {
      write: async (data) => {
        this.writes++;
        const code = take('write');
        if (code) throw fail(code);
        if (this.zeroWrites) return 0;
        if (this.free <= 0) throw fail('ENOSPC');
        const room = Math.min(this.free, this.maxWrite);
        const part = data.length <= room ? data : data.subarray(0, room);
        const written = await inner.write(part);
        this.free -= written;
        return written;
      },
      sync: async () => {
        this.syncs++;
        const code = take('sync');
        if (code) throw fail(code);
        await inner.sync();
      },
      truncate: async (size) => {
        const code = take('truncate');
        if (code) throw fail(code);
        const before = await inner.size();
        await inner.truncate(size);
        if (before > size) this.free += before - size;
      },
      size: () => inner.size(),
      close: () => inner.close(),
    };
  }
}
