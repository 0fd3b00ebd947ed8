import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { listRowsText } from '../../src/reconcile/list-rows-text.js';
import { listedPart } from '../../src/reconcile/listed-part.js';
import { RECONCILE_LISTS } from '../../src/reconcile/reconcile-lists.js';
import { tempDir } from '../helpers.js';
import { listedLedger } from './list-rows.js';

const N = 40;

describe("pass 2's rows (listRowsText)", () => {
  it("writes each listed recipient's row in its list, in ledger order, as the list says", async () => {
    const listed = await listedLedger(await tempDir(), N);
    const texts = await listRowsText(listed, 0, N);
    const retry = RECONCILE_LISTS.findIndex((list) => list.name === 'retry');
    // Recipients 0, 5, 10…: the retry list's; a formula-like cell and a code escaped; due at `now` when no time was set.
    expect(texts[retry]!.split('\n').slice(0, 2)).toEqual(['+447400000000,yes,\'=n0,reason0,,1,2026-11-20T00:00:00.000Z', '+447400000005,yes,n5,reason1,131049,3,2026-11-20T00:00:05.000Z']);
    const inDoubt = RECONCILE_LISTS.findIndex((list) => list.name === 'in_doubt');
    expect(texts[inDoubt]!.split('\n')[0]).toBe('+447400000003,,2026-11-17T08:00:01.000Z,131049,1');
    for (let list = 0; list < RECONCILE_LISTS.length; list++) expect(texts[list]!.split('\n').filter(Boolean)).toHaveLength(N / RECONCILE_LISTS.length);
  });

  it('gives, over consecutive ranges (or their parts on their own), texts that join to the whole', async () => {
    const listed = await listedLedger(await tempDir(), N);
    const whole = await listRowsText(listed, 0, N);
    for (const cut of [0, 1, 17, N - 1, N]) {
      const [first, second] = [await listRowsText(listed, 0, cut), await listRowsText(listedPart(listed, cut, N), 0, N - cut)];
      expect(first.map((text, list) => text + second[list])).toEqual(whole);
    }
  });

  it('stops at a line that is not what pass 1 read, naming its ledger line', async () => {
    const listed = await listedLedger(await tempDir(), N, 23);
    const error = await listRowsText(listed, 10, N).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ message: expect.stringContaining('the ledger changed while reconcile read it'), location: { file: listed.file, line: 25 } });
    // The rows before it are fine on their own.
    await expect(listRowsText(listed, 0, 23)).resolves.toHaveLength(RECONCILE_LISTS.length);
  });
});
