import type { ChildProcess } from 'node:child_process';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { seededRandom } from '../seeded-random.js';
import { BIN, spawnTracked, untilChanged } from './cli-process.js';
import { accepted, intent, metaLine, runRecord } from '../reconcile/events.js';

// Enough for every list to have rows; a run writes them in the same ~24 changes of the folder at
// 2,000 as at 10,000 (the kills below land after 1 to 16 of them), in half the time.
const RECIPIENTS = 2_000;
const LISTS = ['retry.csv', 'sms-fallback.csv', 'suppress.csv', 'in-doubt.csv', 'summary.json'];

function reconcile(dir: string, out: string, now: string) {
  return spawnTracked(process.execPath, [BIN, 'reconcile', '--ledger', 'l.jsonl', '--events', 'e.jsonl', '--out', out, '--now', now], { cwd: dir, stdio: 'ignore' });
}

const finished = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

async function contents(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of LISTS) out[name] = await readFile(path.join(folder, name), 'utf8');
  return out;
}

describe('reconcile killed with -9', () => {
  it('leaves every list as the old complete file or the new complete file, never a truncated one', async () => {
    const dir = await tempDir();
    const ledger: string[] = [JSON.stringify(runRecord())];
    const events: string[] = [];
    for (let i = 0; i < RECIPIENTS; i++) {
      const phone = `+4474${String(i).padStart(8, '0')}`;
      ledger.push(JSON.stringify(intent(phone, `c${i}`, 1, { phone, opt_in: 'yes', name: `N${i}` })), JSON.stringify(accepted(phone, `c${i}`, `wamid.${i}`)));
      if (i % 4 === 0) events.push(metaLine([{ id: `wamid.${i}`, status: 'failed', cid: `c${i}`, code: i % 8 === 0 ? 131049 : 131026 }]));
      else if (i % 4 === 1) events.push(metaLine([{ id: `wamid.${i}`, status: 'read', cid: `c${i}` }]));
    }
    await writeFile(path.join(dir, 'l.jsonl'), ledger.join('\n') + '\n');
    await writeFile(path.join(dir, 'e.jsonl'), events.join('\n') + '\n');

    // The old lists (a day after the failures) and, in another folder, the new ones (a month later).
    const OLD = '2026-11-19T12:00:00Z';
    const NEW = '2026-12-30T12:00:00Z';
    expect(await finished(reconcile(dir, 'lists', OLD))).toBe(0);
    const old = await contents(path.join(dir, 'lists'));
    expect(await finished(reconcile(dir, 'reference', NEW))).toBe(0);
    const next = await contents(path.join(dir, 'reference'));
    for (const name of ['sms-fallback.csv', 'summary.json']) expect(next[name]).not.toBe(old[name]);

    // Each kill lands at a seeded moment of the run: before it writes anything, or after the k-th
    // change in the lists folder (whatever the way of writing, the folder changes once writing
    // starts), watched rather than timed, so the moments are the same on a fast or a loaded
    // machine. Each round starts from whatever the last one left.
    const random = seededRandom();
    let killedWhileWriting = 0;
    for (let round = 0; round < 8; round++) {
      const child = reconcile(dir, 'lists', round % 2 === 0 ? NEW : OLD);
      const gone = new AbortController();
      const exited = finished(child).finally(() => gone.abort());
      const afterChanges = round === 0 ? 0 : 1 + Math.floor(random() * 16);
      let changes = 0;
      await untilChanged(path.join(dir, 'lists'), async () => changes++ >= afterChanges, gone.signal);
      if (child.exitCode === null && afterChanges > 0) killedWhileWriting++;
      child.kill('SIGKILL');
      await exited;
      for (const name of LISTS) {
        const text = await readFile(path.join(dir, 'lists', name), 'utf8');
        expect(text === old[name] || text === next[name], `${name} after round ${round} (killed after ${afterChanges} changes)`).toBe(true);
      }
    }
    expect(killedWhileWriting).toBeGreaterThan(0);
    // The next run cleans up what the killed ones left and writes complete lists.
    expect(await finished(reconcile(dir, 'lists', NEW))).toBe(0);
    expect(await contents(path.join(dir, 'lists'))).toEqual(next);
    expect((await readdir(path.join(dir, 'lists'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 90_000);
});
