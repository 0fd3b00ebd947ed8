// listedPart (src/reconcile/listed-part.ts): listed recipients from..to on their own, for the worker thread.
import { describe, expect, it } from 'vitest';
import { listedPart } from '../../src/reconcile/listed-part.js';
import type { ListedRecipients } from '../../src/reconcile/listed-recipients.js';

const n = 5;
const listed: ListedRecipients = {
  file: '/ledger.jsonl',
  now: 1_000,
  variables: ['first_name'],
  optInColumn: 'opt_in',
  count: n,
  lists: Uint8Array.from([0, 1, 2, 3, 4]),
  reasons: ['r0', 'r1', 'r2', 'r3', 'r4'],
  codes: ['c0', 'c1', 'c2', 'c3', 'c4'],
  titles: ['t0', 't1', 't2', 't3', 't4'],
  dueAts: Float64Array.from([10, 11, 12, 13, 14]),
  attempts: Int32Array.from([1, 2, 3, 1, 2]),
  cids: ['x0', '', 'x2', '', 'x4'],
  intentAts: Float64Array.from([20, 21, 22, 23, 24]),
  phones: Float64Array.from([447400000000, 447400000001, 447400000002, 447400000003, 447400000004]),
  offsets: Float64Array.from([0, 100, 200, 300, 400]),
  lengths: Int32Array.from([90, 91, 92, 93, 94]),
  lines: Int32Array.from([2, 3, 4, 5, 6]),
};

describe('listedPart', () => {
  it('gives recipients 2 to 4 alone, every column cut the same way', () => {
    expect(listedPart(listed, 2, 4)).toEqual({
      file: '/ledger.jsonl',
      now: 1_000,
      variables: ['first_name'],
      optInColumn: 'opt_in',
      count: 2,
      lists: Uint8Array.from([2, 3]),
      reasons: ['r2', 'r3'],
      codes: ['c2', 'c3'],
      titles: ['t2', 't3'],
      dueAts: Float64Array.from([12, 13]),
      attempts: Int32Array.from([3, 1]),
      cids: ['x2', ''],
      intentAts: Float64Array.from([22, 23]),
      phones: Float64Array.from([447400000002, 447400000003]),
      offsets: Float64Array.from([200, 300]),
      lengths: Int32Array.from([92, 93]),
      lines: Int32Array.from([4, 5]),
    });
  });

  it('copies: changing the part leaves the whole as it was', () => {
    const part = listedPart(listed, 0, 5);
    part.lines[0] = 99;
    part.intentAts[0] = 99;
    expect([listed.lines[0], listed.intentAts[0]]).toEqual([2, 20]);
  });
});
