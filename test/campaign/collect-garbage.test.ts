import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/campaign/collect-garbage.js';

describe('collectGarbage', () => {
  it('frees an unreachable typed array now (as the first pass\'s duplicate table is before the sending), without --expose-gc', () => {
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
    let table: Float64Array | undefined = new Float64Array(8 * 1024 * 1024).fill(1); // 64 MB
    const before = process.memoryUsage().arrayBuffers;
    table = undefined;
    collectGarbage();
    const freed = before - process.memoryUsage().arrayBuffers;
    expect(table).toBeUndefined();
    expect(freed).toBeGreaterThan(48 * 1024 * 1024);
  });
});
