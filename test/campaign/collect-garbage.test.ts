import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/campaign/collect-garbage.js';

describe('collectGarbage', () => {
  it('frees an unreachable typed array now (as the first pass\'s duplicate table is before the sending), without --expose-gc', async () => {
    // No --expose-gc on the command line. (globalThis.gc itself may exist: an earlier test in the
    // same worker that ran collectGarbage set the flag, which then reaches each new test file's
    // context, as under Stryker's runner, which runs the files of a folder in one process.)
    expect(process.execArgv.join(' ')).not.toMatch(/expose[-_]gc/);
    expect(process.env.NODE_OPTIONS ?? '').not.toMatch(/expose[-_]gc/);
    let table: Float64Array | undefined = new Float64Array(8 * 1024 * 1024).fill(1); // 64 MB
    const weak = new WeakRef(table);
    // A WeakRef holds its target until the turn that made it ends: end it, the table still held.
    await nextTurn();
    const before = process.memoryUsage().arrayBuffers;
    table = undefined;
    collectGarbage();
    // Collected by the time collectGarbage returns (nothing was allocated since the table was
    // dropped, so no collection of V8's own could have run in between).
    expect(weak.deref()).toBeUndefined();
    // The array's memory itself V8 may free on its background sweeper, which on a busy machine
    // (the whole suite in one worker) ends a few turns later: wait turns, not time, for the count.
    let freed = before - process.memoryUsage().arrayBuffers;
    for (let turn = 0; turn < 200 && freed <= 48 * 1024 * 1024; turn++) {
      await nextTurn();
      freed = before - process.memoryUsage().arrayBuffers;
    }
    expect(table).toBeUndefined();
    expect(freed).toBeGreaterThan(48 * 1024 * 1024);
  });
});
