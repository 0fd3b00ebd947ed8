import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WriteError } from '../../src/errors.js';
import { openRegularFile } from '../../src/fs/open-regular-file.js';
import { writableFile } from '../../src/fs/writable-file.js';
import { reconcileCampaign, type ReconcileOptions } from '../../src/reconcile/reconcile-campaign.js';
import { FaultyDisk } from '../fs/faulty-disk.js';
import { fixture } from '../helpers.js';
import { accepted, intent, jsonl, outcome, runRecord } from './events.js';

/** A campaign with someone in every list, `n` of them for SMS. */
const ledger = (n: number) =>
  jsonl([
    runRecord(),
    ...Array.from({ length: n }, (_, i) => {
      const phone = `+4474${String(50_000_000 + i)}`;
      return [intent(phone, `s${i}`, 1, { phone, opt_in: 'yes', name: `N${i}` }), outcome(phone, `s${i}`, 'failed', '131026', 'sms_fallback')];
    }).flat(),
    intent('+447400000001', 'r1', 1, { phone: '+447400000001', opt_in: 'yes', name: 'R' }),
    outcome('+447400000001', 'r1', 'retry', 'not_sent'),
    intent('+447400000002', 'o1', 1, { phone: '+447400000002', opt_in: 'yes', name: 'O' }),
    outcome('+447400000002', 'o1', 'failed', '131050', 'opted_out'),
    intent('+447400000003', 'd1', 1, { phone: '+447400000003', opt_in: 'yes', name: 'D' }),
    intent('+447400000004', 'a1', 1, { phone: '+447400000004', opt_in: 'yes', name: 'A' }),
    accepted('+447400000004', 'a1', 'wamid.a1'),
  ]);

const FILES = ['failed.csv', 'in-doubt.csv', 'retry.csv', 'sms-fallback.csv', 'summary.json', 'suppress.csv'];

async function campaign() {
  const dir = await fixture({ 'l.jsonl': ledger(5) });
  const out = path.join(dir, 'lists');
  const options: ReconcileOptions = { ledgerFile: path.join(dir, 'l.jsonl'), eventFiles: [], outDir: out, now: Date.parse('2026-11-20T00:00:00Z'), optOutKeywords: ['STOP'] };
  await reconcileCampaign(options);
  const snapshot = async () => Object.fromEntries(await Promise.all((await readdir(out)).sort().map(async (name) => [name, await readFile(path.join(out, name), 'utf8')] as const)));
  const before = await snapshot();
  expect(Object.keys(before)).toEqual(FILES);
  // The campaign grew since: every list would change.
  await writeFile(options.ledgerFile, ledger(300));
  return { options, before, snapshot };
}

/** Opens the temp of `target` through `disk`, the others on the real file system. */
const through = (target: string, disk: FaultyDisk) => async (temp: string) => {
  const file = writableFile(await openRegularFile(temp, 'write', { mode: 0o600 }));
  return path.basename(temp).startsWith(`.${target}.`) ? disk.wrap(file) : file;
};

describe('reconcile when a list cannot be written', () => {
  const cases: [string, string, () => FaultyDisk, RegExp][] = [
    ['a short write, then ENOSPC (a full disk)', 'sms-fallback.csv', () => new FaultyDisk(1000), /no space left on device \(ENOSPC\)/],
    ['a write that makes no progress', 'retry.csv', () => Object.assign(new FaultyDisk(), { zeroWrites: true }), /ENOSPC/],
    ['an I/O error on write', 'sms-fallback.csv', () => new FaultyDisk().failNext('write', 'EIO'), /I\/O error \(EIO\)/],
    ['a failed fsync of the last file', 'summary.json', () => new FaultyDisk().failNext('sync', 'EIO'), /I\/O error \(EIO\)/],
  ];
  for (const [what, target, disk, reason] of cases) {
    it(`${what}: a WriteError naming ${target}; every old list and summary.json byte for byte; no temp left`, async () => {
      const c = await campaign();
      const error = await reconcileCampaign({ ...c.options, openFile: through(target, disk()) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WriteError);
      expect((error as WriteError).location?.file).toBe(path.join(c.options.outDir, target));
      expect((error as WriteError).message).toMatch(reason);
      expect((error as WriteError).message).toContain('no file was replaced');
      expect(await c.snapshot()).toEqual(c.before);
    });
  }

  it('with the disk fine again, the next run replaces them all', async () => {
    const c = await campaign();
    await reconcileCampaign({ ...c.options, openFile: through('sms-fallback.csv', new FaultyDisk(100)) }).catch(() => undefined);
    await reconcileCampaign(c.options);
    const after = await c.snapshot();
    expect(after['sms-fallback.csv']!.trim().split('\n')).toHaveLength(301);
    expect(JSON.parse(after['summary.json']!).lists['sms-fallback.csv']).toBe(300);
  });
});
