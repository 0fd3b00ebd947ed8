import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { accepted, intent, metaLine, metaValueLine, runRecord } from '../reconcile/events.js';
import { listedLedger, rowsOnWorker } from '../reconcile/list-rows.js';
import type { ListedRecipients } from '../../src/reconcile/listed-recipients.js';

// The worker thread runs compiled code: this test uses the build (the process project's global setup makes it current).
const fromBuild = (module: string) => import(new URL(`../../dist/reconcile/${module}.js`, import.meta.url).href);
const { CampaignFold } = (await fromBuild('fold-campaign')) as typeof import('../../src/reconcile/fold-campaign.js');
const { DEFAULT_OPT_OUT_KEYWORDS, normaliseKeyword } = (await fromBuild('parse-event')) as typeof import('../../src/reconcile/parse-event.js');
const { startReadingEvents } = (await fromBuild('read-events')) as typeof import('../../src/reconcile/read-events.js');
const { foldLedger } = (await fromBuild('fold-ledger')) as typeof import('../../src/reconcile/fold-ledger.js');
const { listRowsText } = (await fromBuild('list-rows-text')) as typeof import('../../src/reconcile/list-rows-text.js');
const KEYWORDS = DEFAULT_OPT_OUT_KEYWORDS.map(normaliseKeyword);
const N = 3000;

/** A ledger of N recipients, send's lines and a few others (parsed, not scanned): on the worker, it is read there. */
async function ledgerFile(dir: string): Promise<{ file: string; size: number }> {
  const records: unknown[] = [runRecord()];
  for (let i = 0; i < N; i++) {
    const phone = `+4474${String(i).padStart(8, '0')}`;
    records.push(intent(phone, `c${i}`, 1, i % 500 === 0 ? { phone, opt_in: 'yes', 7: 'index-like' } : { phone, opt_in: 'yes' }));
    records.push(accepted(phone, `c${i}`, `wamid.${i}`));
  }
  const file = path.join(dir, 'l.jsonl');
  const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n\n';
  await writeFile(file, text);
  return { file, size: Buffer.byteLength(text) };
}

async function folded(files: string[], ledger: { file: string; size: number }, workerThreshold: number) {
  const fold = new CampaignFold();
  const reader = await startReadingEvents(files, KEYWORDS, ledger, workerThreshold);
  try {
    const rows = await foldLedger(fold, ledger.file, reader.ledgerBatches());
    const report = await reader.foldInto(fold);
    const rowLines = Array.from({ length: fold.recipients }, (_, r) => [rows.offsets.get(r), rows.lengths.get(r), rows.lines.get(r)]);
    return { report, decisions: fold.decide(Date.parse('2026-11-20T00:00:00Z')), counts: { ...fold.counts }, columns: fold.columns, rowLines };
  } finally {
    await reader.close();
  }
}

describe('events parsed on a worker thread', () => {
  it('fold exactly as when parsed on the main thread, and name unknown lines by their real line numbers', async () => {
    const dir = await tempDir();
    const files = [path.join(dir, 'a.jsonl'), path.join(dir, 'b.jsonl')];
    const lines = (offset: number) => {
      const out: string[] = [];
      for (let i = 0; i < N; i++) {
        const id = (i + offset) % N;
        out.push(i % 7 === 0 ? metaLine([{ id: `wamid.${id}`, status: 'failed', code: id % 2 ? 131049 : 131026, ts: 1795000000 + i }]) : metaLine([{ id: `wamid.${id}`, status: i % 2 ? 'delivered' : 'read', cid: `c${id}` }]));
        if (i === 100 || i === 2900) out.push('not json');
      }
      out.push(metaValueLine({ messages: [{ from: '447400000005', type: 'text', text: { body: 'stop' } }] }));
      return out;
    };
    await writeFile(files[0]!, lines(0).join('\n') + '\n');
    await writeFile(files[1]!, lines(1234).join('\n') + '\n');

    const ledger = await ledgerFile(dir);
    const inThread = await folded(files, ledger, Infinity);
    const onWorker = await folded(files, ledger, 0);
    expect(onWorker.decisions).toEqual(inThread.decisions);
    expect(onWorker.rowLines).toEqual(inThread.rowLines);
    expect(onWorker.columns).toEqual(inThread.columns);
    expect(inThread.columns).toEqual(['7', 'phone', 'opt_in']);
    expect(inThread.rowLines[1]).toEqual([expect.any(Number), expect.any(Number), 4]);
    expect(onWorker.counts).toEqual(inThread.counts);
    expect(onWorker.report).toEqual(inThread.report);
    expect(inThread.report.lines).toBe(2 * (N + 3));
    // Line 102 is in the worker's two thirds of each file, line 2903 in the main thread's third.
    expect(inThread.report.unknown).toEqual([
      { file: files[0], line: 102, why: 'not JSON' },
      { file: files[0], line: 2903, why: 'not JSON' },
      { file: files[1], line: 102, why: 'not JSON' },
      { file: files[1], line: 2903, why: 'not JSON' },
    ]);
    expect(inThread.decisions.filter((d) => d.state === 'suppressed')).toHaveLength(1);
  }, 60_000);

  it('count a line over the cap as not understood, on either thread, by its real line number', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'e.jsonl');
    const long = `{"type":"event","raw":"${'x'.repeat(4 << 20)}"}`;
    const between = Array.from({ length: 14_000 }, (_, i) => metaLine([{ id: `wamid.${i % N}`, status: 'delivered', cid: `c${i % N}` }]));
    // Line 2 is in the worker's first two thirds, line 14,003 in the main thread's last third.
    await writeFile(file, [metaLine([{ id: 'wamid.1', status: 'read' }]), long, ...between, long, metaLine([{ id: 'wamid.2', status: 'read' }])].join('\n') + '\n');
    const ledger = await ledgerFile(dir);
    const inThread = await folded([file], ledger, Infinity);
    const onWorker = await folded([file], ledger, 0);
    const why = 'a line longer than 4 MiB (not read)';
    expect(inThread.report).toEqual({ lines: 14_004, unknownCount: 2, unknown: [{ file, line: 2, why }, { file, line: 14_003, why }] });
    expect(onWorker.report).toEqual(inThread.report);
    expect(onWorker.decisions).toEqual(inThread.decisions);
  }, 60_000);
});

describe('the ledger read on the worker thread', () => {
  it('fails as it does on the main thread: the same InputError at the same line, for a line over the cap and for a corrupt line', async () => {
    const dir = await tempDir();
    const events = path.join(dir, 'e.jsonl');
    await writeFile(events, metaLine([{ id: 'wamid.1', status: 'read' }]) + '\n');
    const good = (await ledgerFile(dir)).file;
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(good, 'utf8')).split('\n');
    for (const [name, bad] of [
      ['long', `{"type":"intent","x":"${'x'.repeat(4 << 20)}"}`],
      ['corrupt', '{"type":"intent",'],
    ] as const) {
      const file = path.join(dir, `${name}.jsonl`);
      const text = [...lines.slice(0, 1001), bad, ...lines.slice(1001)].join('\n');
      await writeFile(file, text);
      const ledger = { file, size: Buffer.byteLength(text) };
      const failure = async (threshold: number) => {
        const error = await folded([events], ledger, threshold).catch((e: unknown) => e);
        return { name: (error as Error).constructor.name, message: (error as Error).message, location: (error as { location?: unknown }).location };
      };
      const onWorker = await failure(0);
      expect(onWorker).toEqual(await failure(Infinity));
      expect(onWorker).toMatchObject({ name: 'InputError', location: { file, line: 1002 } });
    }
  }, 60_000);
});

describe("pass 2's rows on the worker thread", () => {
  /** On the real worker thread: pass 2 runs the build (dist/). */
  const onWorker = (listed: ListedRecipients, from: number, to: number, threshold = 0) => rowsOnWorker({ startReadingEvents, CampaignFold, foldLedger, keywords: KEYWORDS }, listed, from, to, threshold);

  it("gives the main thread's texts for its range, and the same InputError at the same line", async () => {
    const listed = await listedLedger(await tempDir(), 60);
    expect(await onWorker(listed, 25, 60)).toEqual(await listRowsText(listed, 25, 60));
    // Without a worker (or for no rows) the caller writes them itself.
    await expect(onWorker(listed, 25, 60, Infinity)).resolves.toBeUndefined();
    expect(await onWorker(listed, 60, 60)).toBeUndefined();

    const changed = await listedLedger(await tempDir(), 60, 41);
    const [there, here] = [await onWorker(changed, 30, 60).catch((e: unknown) => e), await listRowsText(changed, 30, 60).catch((e: unknown) => e)];
    expect(there).toEqual(here);
    expect((there as Error).constructor.name).toBe('InputError');
    expect(there).toMatchObject({ location: { file: changed.file, line: 43 } });
  }, 60_000);
});
