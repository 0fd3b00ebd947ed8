// reconcileCampaign (src/reconcile/reconcile-campaign.ts): the summary's order and next retry, the
// columns of a ledger without a run header, the output folder's edge cases, and a list that cannot be opened.
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, WriteError } from '../../src/errors.js';
import { openRegularFile } from '../../src/fs/open-regular-file.js';
import { writableFile } from '../../src/fs/writable-file.js';
import { reconcileCampaign, type ReconcileOptions } from '../../src/reconcile/reconcile-campaign.js';
import { fixture } from '../helpers.js';
import { intent, jsonl, outcome, runRecord } from './events.js';

const T = Date.parse('2026-11-17T08:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;
const row = (phone: string) => ({ phone, opt_in: 'yes', name: `n${phone.slice(-1)}` });

async function campaign(records: string, files: Record<string, string> = {}) {
  const dir = await fixture({ 'l.jsonl': records, ...files });
  const options: ReconcileOptions = { ledgerFile: path.join(dir, 'l.jsonl'), eventFiles: [], outDir: path.join(dir, 'lists'), now: T + MIN, optOutKeywords: ['STOP'] };
  return { dir, options };
}

describe('reconcileCampaign: the summary', () => {
  it('next_retry_at is the earliest waiting retry’s (not a retry due already, not the last one); reasons and errors by sorted key', async () => {
    const { options } = await campaign(
      jsonl([
        runRecord(),
        // C first: its transient failure is the earliest (due at T + 30 min).
        intent('+447400000003', 'c1', 1, row('+447400000003'), iso(T - 100)),
        outcome('+447400000003', 'c1', 'failed', '131000', 'transient', iso(T)),
        intent('+447400000002', 'b1', 1, row('+447400000002'), iso(T)),
        outcome('+447400000002', 'b1', 'failed', '131000', 'transient', iso(T + 10_000)),
        // A: never answered, due again from its outcome (before both): a retry, not a waiting one.
        intent('+447400000001', 'a1', 1, row('+447400000001'), iso(T - 10 * MIN)),
        outcome('+447400000001', 'a1', 'retry', 'throttled', undefined, iso(T - 9 * MIN)),
      ]),
    );
    const { summary } = await reconcileCampaign(options);
    expect(summary.states).toMatchObject({ waiting_retry: 2, retry: 1 });
    expect(summary.next_retry_at).toBe(iso(T + 30 * MIN));
    expect(Object.keys(summary.reasons)).toEqual(['not_sent', 'transient']);
    expect(summary.reasons).toEqual({ not_sent: 1, transient: 2 });
    expect(Object.keys(summary.errors)).toEqual(['131000', 'throttled']);
  });
});

describe('reconcileCampaign: a ledger without a run header', () => {
  it('takes phone and opt_in as the phone and opt-in columns: they are not variables', async () => {
    const { options } = await campaign(jsonl([intent('+447400000001', 'a1', 1, row('+447400000001')), outcome('+447400000001', 'a1', 'retry', 'throttled')]));
    await reconcileCampaign(options);
    const retry = await readFile(path.join(options.outDir, 'retry.csv'), 'utf8');
    expect(retry.split('\n')[0]).toBe('phone,opt_in,name,reason,error_code,attempts,due_at');
  });
});

describe('reconcileCampaign: the output folder', () => {
  it('a symbolic link that loops is no folder: the system’s message, without its code', async () => {
    const { dir, options } = await campaign(jsonl([runRecord(), intent('+447400000001', 'a1', 1, row('+447400000001'))]));
    const loop = path.join(dir, 'loop');
    await symlink(loop, loop);
    const error = await reconcileCampaign({ ...options, outDir: loop }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`cannot create the output folder: too many symbolic links encountered, stat '${loop}'`);
    expect((error as InputError).location).toEqual({ file: loop });
  });

  it('removes a dead run’s temp files of its own lists only: a name that merely ends like one stays', async () => {
    const { dir, options } = await campaign(jsonl([runRecord(), intent('+447400000001', 'a1', 1, row('+447400000001'))]));
    const out = options.outDir;
    await mkdir(out);
    for (const name of ['.retry.csv.99999999.tmp', 'mine.retry.csv.99999999.tmp', '.notes.txt.99999999.tmp']) await writeFile(path.join(out, name), 'x');
    await reconcileCampaign(options);
    const left = (await readdir(out)).filter((name) => name.endsWith('.tmp')).sort();
    expect(left).toEqual(['.notes.txt.99999999.tmp', 'mine.retry.csv.99999999.tmp']);
    expect(path.dirname(out)).toBe(dir);
  });
});

describe('reconcileCampaign: a list that cannot be opened', () => {
  it('the open’s own error as a WriteError naming that list, after the lists opened before it are given up (no temp left)', async () => {
    const { options } = await campaign(jsonl([runRecord(), intent('+447400000001', 'a1', 1, row('+447400000001'))]));
    let opened = 0;
    const failure = new Error('EMFILE: too many open files');
    const openFile = async (temp: string) => {
      if (++opened === 2) throw failure;
      return writableFile(await openRegularFile(temp, 'write', { mode: 0o600 }));
    };
    const error = await reconcileCampaign({ ...options, openFile }).catch((e: unknown) => e);
    // The second list is sms-fallback.csv (RECONCILE_LISTS' order).
    expect(error).toBeInstanceOf(WriteError);
    expect((error as WriteError).message).toBe('could not be written: EMFILE: too many open files');
    expect((error as WriteError).location).toEqual({ file: path.join(options.outDir, 'sms-fallback.csv') });
    expect(await readdir(options.outDir)).toEqual([]);
  });
});
