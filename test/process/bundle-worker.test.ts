import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reconcileCampaign } from '../../src/reconcile/reconcile-campaign.js';
import { DEFAULT_OPT_OUT_KEYWORDS } from '../../src/reconcile/parse-event.js';
import { LIST_FILES } from '../../src/reconcile/reconcile-lists.js';
import { tempDir } from '../helpers.js';
import { accepted, intent, jsonl, metaLine, runRecord } from '../reconcile/events.js';
import { runCli } from './cli-process.js';

// The launcher runs the bundle (scripts/bundle.js), and the bundle's reconcile must start the
// bundle's own build of the events worker, one file (a worker loading tsc's modules one by one
// started ~0.1 s later; one not found would make reconcile quietly run on one thread). A preloaded
// probe names the file each Worker is started from; the lists must be what one thread makes.
const BUNDLE_WORKER = fileURLToPath(new URL('../../dist/bundle/events-worker.js', import.meta.url));
const PROBE = `import { createRequire, syncBuiltinESMExports } from 'node:module';
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
const threads = createRequire(import.meta.url)('node:worker_threads');
if (isMainThread) {
  const { Worker } = threads;
  threads.Worker = class extends Worker {
    constructor(file, options) {
      writeSync(2, 'worker from ' + String(file) + '\\n');
      super(file, options);
    }
  };
  syncBuiltinESMExports();
}
`;
const N = 300;
const NOW = '2026-11-20T00:00:00Z';

describe("the bundle's reconcile", () => {
  it('reads the events on the bundle’s worker (dist/bundle/events-worker.js), with the lists one thread makes', async () => {
    const dir = await tempDir();
    const ledger = path.join(dir, 'ledger.jsonl');
    const records = [runRecord()];
    for (let i = 0; i < N; i++) {
      const phone = `+4474${String(i).padStart(8, '0')}`;
      records.push(intent(phone, `c${i}`, 1, { phone, opt_in: 'yes', first_name: `n${i}` }), accepted(phone, `c${i}`, `wamid.${i}`));
    }
    await writeFile(ledger, jsonl(records));
    // Statuses for every recipient (some failed: retry and SMS lists), then lines over the 4 MiB cap
    // (skipped, counted) to take the file past the worker's threshold (16 MiB).
    const statuses = Array.from({ length: N }, (_, i) =>
      metaLine([i % 10 === 3 ? { id: `wamid.${i}`, status: 'failed', code: i % 20 === 3 ? 131049 : 131026, ts: 1795000000 + i } : { id: `wamid.${i}`, status: i % 2 ? 'delivered' : 'read' }]),
    );
    const events = path.join(dir, 'events.jsonl');
    await writeFile(events, [...statuses.slice(0, N / 2), ...Array.from({ length: 4 }, () => `{"raw":"${'x'.repeat(4.5 * 2 ** 20)}"}`), ...statuses.slice(N / 2)].join('\n') + '\n');
    const probe = path.join(dir, 'probe.mjs');
    await writeFile(probe, PROBE);

    const out = path.join(dir, 'out');
    const cli = await runCli(['reconcile', '--ledger', ledger, '--events', events, '--out', out, '--now', NOW, '--json'], { cwd: dir, env: { ...process.env, NODE_OPTIONS: `--import=${probe}` } });
    expect(cli.code).toBe(0);
    expect(cli.stderr.match(/^worker from .*$/gm)).toEqual([`worker from ${BUNDLE_WORKER}`]);
    expect(JSON.parse(cli.stdout).events).toMatchObject({ lines: N + 4, matched: N, unknown: 4 });

    const alone = path.join(dir, 'alone');
    await reconcileCampaign({ ledgerFile: ledger, eventFiles: [events], outDir: alone, now: Date.parse(NOW), optOutKeywords: DEFAULT_OPT_OUT_KEYWORDS, workerThresholdBytes: Infinity });
    const files = [...Object.values(LIST_FILES), 'summary.json'];
    const read = (folder: string) => Promise.all(files.map((file) => readFile(path.join(folder, file), 'utf8')));
    const [fromBundle, fromOneThread] = [await read(out), await read(alone)];
    expect(fromBundle).toEqual(fromOneThread);
    // Not vacuous: both lists the failures feed have rows.
    expect(fromBundle[files.indexOf('retry.csv')]!.split('\n').length).toBeGreaterThan(10);
    expect(fromBundle[files.indexOf('sms-fallback.csv')]!.split('\n').length).toBeGreaterThan(10);
  }, 60_000);
});
