// startReadingEvents (src/reconcile/read-events.ts) with its worker thread run in this process:
// `node:worker_threads` is replaced by a Worker that loads src/reconcile/events-worker.ts in this
// thread (a fresh copy of its modules each time) and talks to it over a MessageChannel, so the
// messages are structured-cloned as between threads. The worker's code and the main thread's
// side of it are then the sources under test, not dist/ (test/process/read-events.test.ts runs
// the build in a real thread). Which thread reads what is made certain by waiting for the worker
// (`untilWorker`) before the main thread starts a step.
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MAX_LINE_BYTES } from '../../src/fs/read-line-batches.js';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { CampaignFold } from '../../src/reconcile/fold-campaign.js';
import { foldLedger } from '../../src/reconcile/fold-ledger.js';
import { listRowsText } from '../../src/reconcile/list-rows-text.js';
import { DEFAULT_OPT_OUT_KEYWORDS, normaliseKeyword } from '../../src/reconcile/parse-event.js';
import { startReadingEvents, WORKER_YOUNG_GENERATION_MB, type EventsReader, type WorkerMessage } from '../../src/reconcile/read-events.js';
import { tempDir } from '../helpers.js';
import { accepted, intent, metaLine, metaValueLine, outcome, runRecord, twilioLine } from './events.js';
import { listedLedger, rowsOnWorker } from './list-rows.js';
import type { ListedRecipients } from '../../src/reconcile/listed-recipients.js';

const fake = vi.hoisted(() => ({
  parentPort: undefined as unknown,
  workerData: undefined as unknown,
  /** Where read-events looks for the worker's code. */
  workerUrl: undefined as URL | undefined,
  /** Every Worker made: its file, options, the messages it sent, and a way to wait for one. */
  workers: [] as { file: string; options: unknown; sent: { kind?: string }[]; waiters: { test: (m: { kind?: string }) => boolean; resolve: () => void }[]; terminated: boolean }[],
}));

vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:worker_threads')>();
  const { EventEmitter } = await import('node:events');
  class Worker extends EventEmitter {
    readonly #main: import('node:worker_threads').MessagePort;
    readonly #side: import('node:worker_threads').MessagePort;
    readonly #record: (typeof fake.workers)[number];
    constructor(file: string, options: { workerData: unknown }) {
      super();
      const { port1, port2 } = new actual.MessageChannel();
      this.#main = port1;
      this.#side = port2;
      this.#record = { file, options, sent: [], waiters: [], terminated: false };
      fake.workers.push(this.#record);
      port1.on('message', (message: { kind?: string }) => {
        this.#record.sent.push(message);
        this.emit('message', message);
        for (const waiter of this.#record.waiters.filter((w) => w.test(message))) waiter.resolve();
      });
      fake.parentPort = port2;
      fake.workerData = options.workerData;
      vi.resetModules();
      import(/* @vite-ignore */ pathToFileURL(file).href).catch((error: unknown) => this.emit('error', error));
    }
    postMessage(message: unknown): void {
      this.#main.postMessage(message);
    }
    async terminate(): Promise<number> {
      this.#record.terminated = true;
      this.#main.close();
      this.#side.close();
      return 0;
    }
  }
  return {
    ...actual,
    Worker,
    get parentPort() {
      return fake.parentPort;
    },
    get workerData() {
      return fake.workerData;
    },
  };
});
vi.mock('../../src/reconcile/events-worker-url.js', () => ({ eventsWorkerUrl: () => fake.workerUrl }));

const WORKER_SOURCE = new URL('../../src/reconcile/events-worker.ts', import.meta.url);
const KEYWORDS = DEFAULT_OPT_OUT_KEYWORDS.map(normaliseKeyword);
const NOW = Date.parse('2026-11-20T00:00:00Z');
const N = 300;

afterEach(() => {
  fake.workers.length = 0;
  fake.workerUrl = WORKER_SOURCE;
});
fake.workerUrl = WORKER_SOURCE;

/** Resolves once the latest worker has sent a message `test` accepts (at once if it has). */
function untilWorker(test: (message: { kind?: string }) => boolean): Promise<void> {
  const record = fake.workers.at(-1)!;
  if (record.sent.some(test)) return Promise.resolve();
  return new Promise((resolve) => record.waiters.push({ test, resolve }));
}

/** A ledger of N recipients (a few lines parsed, not scanned: a row with an index-like column, a failure). */
async function ledgerFile(dir: string, extra: (LedgerRecord | string)[] = []): Promise<{ file: string; size: number }> {
  const records: unknown[] = [runRecord()];
  for (let i = 0; i < N; i++) {
    const phone = `+4474${String(i).padStart(8, '0')}`;
    records.push(intent(phone, `c${i}`, 1, i % 50 === 0 ? { phone, opt_in: 'yes', 7: 'index-like' } : { phone, opt_in: 'yes' }));
    records.push(i % 60 === 1 ? outcome(phone, `c${i}`, 'failed', '131026', 'sms_fallback') : accepted(phone, `c${i}`, `wamid.${i}`));
  }
  records.push(...extra);
  const file = path.join(dir, 'l.jsonl');
  const text = records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n\n';
  await writeFile(file, text);
  return { file, size: Buffer.byteLength(text) };
}

/** Events files: statuses (by message id, by correlation id, failures), a preference, unknown lines at known places. */
async function eventFiles(dir: string): Promise<string[]> {
  const files = [path.join(dir, 'a.jsonl'), path.join(dir, 'b.jsonl'), path.join(dir, 'c.jsonl')];
  const lines = (offset: number) => {
    const out: string[] = [];
    for (let i = 0; i < N; i++) {
      const id = (i + offset) % N;
      if (i % 7 === 0) out.push(metaLine([{ id: `wamid.${id}`, status: 'failed', code: id % 2 ? 131049 : 131026, ts: 1795000000 + i }]));
      else if (i % 11 === 0) out.push(twilioLine({ MessageSid: `SM${id}`, MessageStatus: 'delivered' }, `c${id}`));
      else out.push(metaLine([{ id: `wamid.${id}`, status: i % 2 ? 'delivered' : 'read', cid: `c${id}` }]));
      if (i === 10 || i === 250) out.push('not json');
    }
    out.push(metaValueLine({ messages: [{ from: `4474${String(5 + offset).padStart(8, '0')}`, type: 'text', text: { body: 'stop' } }] }));
    return out;
  };
  await writeFile(files[0]!, lines(0).join('\n') + '\n');
  await writeFile(files[1]!, lines(123).join('\n') + '\n\n');
  await writeFile(files[2]!, '');
  return files;
}

interface Folded {
  report: Awaited<ReturnType<EventsReader['foldInto']>>;
  decisions: ReturnType<CampaignFold['decide']>;
  counts: CampaignFold['counts'];
  rowLines: number[][];
}

/**
 * The ledger and events folded through a reader (its threshold `threshold`); `worker` 'ledger' or
 * 'all': the main thread waits until the worker has read the ledger (then it reads it all), or
 * until it has also read every event chunk.
 */
async function folded(files: string[], ledger: { file: string; size: number }, threshold: number, worker?: 'ledger' | 'all'): Promise<Folded> {
  const fold = new CampaignFold();
  const reader = await startReadingEvents(files, KEYWORDS, ledger, threshold);
  try {
    if (worker) await untilWorker((m) => m.kind === 'ledger-done' || m.kind === 'ledger-error');
    const rows = await foldLedger(fold, ledger.file, reader.ledgerBatches());
    if (worker === 'all') await untilWorker((m) => m.kind === 'done');
    const report = await reader.foldInto(fold);
    const rowLines = Array.from({ length: fold.recipients }, (_, r) => [rows.offsets.get(r), rows.lengths.get(r), rows.lines.get(r)]);
    return { report, decisions: fold.decide(NOW), counts: { ...fold.counts }, rowLines };
  } finally {
    await reader.close();
  }
}

describe('startReadingEvents: the worker thread', () => {
  it('the ledger and every event read by the worker fold exactly as when read here', async () => {
    const dir = await tempDir();
    const files = await eventFiles(dir);
    const ledger = await ledgerFile(dir);
    const here = await folded(files, ledger, Infinity);
    expect(fake.workers).toEqual([]);
    const there = await folded(files, ledger, 0, 'all');
    expect(fake.workers.length).toBe(1);
    expect(there).toEqual(here);
    // What the worker sent: the ledger's batches, its part's end, the ledger's end, events batches, each chunk's lines, the end.
    const kinds = fake.workers[0]!.sent.map((m) => m.kind);
    expect(kinds.filter((k) => k === 'ledger-part' || k === 'ledger-done' || k === 'chunk' || k === 'done')).toEqual(['ledger-part', 'ledger-done', 'chunk', 'chunk', 'done']);
    expect(fake.workers[0]!.sent.filter((m) => m.kind === 'chunk')).toEqual([{ kind: 'chunk', chunk: 0, lines: N + 3 }, { kind: 'chunk', chunk: 1, lines: N + 4 }]);
    expect(fake.workers[0]!.terminated).toBe(true);
    expect(here.report).toEqual({
      lines: 2 * (N + 3),
      unknownCount: 4,
      unknown: [
        { file: files[0], line: 12, why: 'not JSON' },
        { file: files[0], line: 253, why: 'not JSON' },
        { file: files[1], line: 12, why: 'not JSON' },
        { file: files[1], line: 253, why: 'not JSON' },
      ],
    });
    expect(here.decisions.filter((d) => d.state === 'suppressed').length).toBe(2);
    // (Unmatched: the failures naming the message ids of the recipients whose send failed, who have none.)
    expect(here.counts).toEqual({ matched: 545, unmatched: 57, ambiguous: 0 });
  });

  it('the worker started with the plan: the shared counter, the keywords, the young generation', async () => {
    const dir = await tempDir();
    const files = await eventFiles(dir);
    const ledger = await ledgerFile(dir);
    await folded(files, ledger, 0, 'all');
    const [{ file, options }] = fake.workers as unknown as [{ file: string; options: { workerData: { next: SharedArrayBuffer; keywords: string[] }; resourceLimits: unknown } }];
    expect(file).toBe(path.resolve(new URL(WORKER_SOURCE).pathname));
    expect(options.workerData.keywords).toEqual(KEYWORDS);
    expect(options.workerData.next.byteLength).toBe(8);
    expect(options.resourceLimits).toEqual({ maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB });
    // Both counters ran past the end, once on each thread: 2 chunks (the empty file has none) and 1 ledger part.
    expect([...new Int32Array(options.workerData.next)]).toEqual([4, 3]);
  });

  it('the ledger read by the worker and the events by both threads, as they come: the same fold', async () => {
    const dir = await tempDir();
    const files = await eventFiles(dir);
    const ledger = await ledgerFile(dir);
    const here = await folded(files, ledger, Infinity);
    expect(await folded(files, ledger, 0, 'ledger')).toEqual(here);
    expect(await folded(files, ledger, 0)).toEqual(here);
  });

  it('a worker from a total size of events of exactly the threshold; none below it, or without the worker’s file', async () => {
    const dir = await tempDir();
    const files = await eventFiles(dir);
    const ledger = await ledgerFile(dir);
    const total = (await stat(files[0]!)).size + (await stat(files[1]!)).size;
    await folded(files, ledger, total);
    expect(fake.workers.length).toBe(1);
    await folded(files, ledger, total + 1);
    expect(fake.workers.length).toBe(1);
    fake.workerUrl = new URL('./no-such-worker.js', pathToFileURL(`${dir}/`));
    await folded(files, ledger, 0);
    expect(fake.workers.length).toBe(1);
  });

  it('unknown lines of files cut into several chunks are named by their line in the file, whichever thread read them', async () => {
    const dir = await tempDir();
    const long = `{"type":"event","raw":"${'x'.repeat(MAX_LINE_BYTES)}"}`;
    const file = path.join(dir, 'big.jsonl');
    // Over 8 MiB: cut into two chunks, lines 1-4 and 5-6 (the cut at 8 MiB falls in the second long line).
    await writeFile(file, [metaLine([{ id: 'wamid.2', status: 'read' }]), long, 'not json', long, 'not json', metaLine([{ id: 'wamid.3', status: 'read' }])].join('\n') + '\n');
    const small = path.join(dir, 'small.jsonl');
    await writeFile(small, ['not json', metaLine([{ id: 'wamid.4', status: 'read' }]), 'not json'].join('\n') + '\n');
    const ledger = await ledgerFile(dir);
    const why = `a line longer than ${MAX_LINE_BYTES >> 20} MiB (not read)`;
    const expected = {
      lines: 9,
      unknownCount: 6,
      unknown: [
        { file, line: 2, why },
        { file, line: 3, why: 'not JSON' },
        { file, line: 4, why },
        { file, line: 5, why: 'not JSON' },
        { file: small, line: 1, why: 'not JSON' },
        { file: small, line: 3, why: 'not JSON' },
      ],
    };
    const here = await folded([file, small], ledger, Infinity);
    expect(here.report).toEqual(expected);
    expect(here.decisions.filter((d) => d.state === 'read').length).toBe(3);
    const there = await folded([file, small], ledger, 0, 'all');
    expect(fake.workers[0]!.sent.filter((m) => m.kind === 'chunk')).toEqual([{ kind: 'chunk', chunk: 0, lines: 4 }, { kind: 'chunk', chunk: 1, lines: 2 }, { kind: 'chunk', chunk: 2, lines: 3 }]);
    expect(there).toEqual(here);
    // Read here, the chunks in the other order: the same names, sorted by file and line.
    expect((await folded([small, file], ledger, Infinity)).report.unknown).toEqual([...expected.unknown.slice(4), ...expected.unknown.slice(0, 4)]);
  });

  it('names at most 20 unknown lines, the first 20, and counts them all', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'e.jsonl');
    await writeFile(file, Array.from({ length: 25 }, (_, i) => (i % 2 ? 'not json' : '{"type":"nothing"}')).join('\n') + '\n');
    const ledger = await ledgerFile(dir);
    for (const worker of [undefined, 'all'] as const) {
      const { report } = await folded([file], ledger, worker ? 0 : Infinity, worker);
      expect(report.lines).toBe(25);
      expect(report.unknownCount).toBe(25);
      expect(report.unknown.map((u) => u.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }
  });
});

describe('startReadingEvents: failures on the worker thread', () => {
  it('a ledger line over the cap read there is the InputError at the line it is here', async () => {
    const dir = await tempDir();
    const files = await eventFiles(dir);
    const ledger = await ledgerFile(dir, [`{"type":"intent","x":"${'x'.repeat(MAX_LINE_BYTES)}"}`]);
    const failure = async (threshold: number, worker?: 'ledger') => {
      const error = await folded(files, ledger, threshold, worker).catch((e: unknown) => e);
      return { error, name: (error as Error).constructor.name, message: (error as Error).message, location: (error as InputError).location };
    };
    const here = await failure(Infinity);
    expect(here).toMatchObject({ name: 'InputError', location: { file: ledger.file, line: 2 * N + 2 } });
    const there = await failure(0, 'ledger');
    expect(there).toEqual(here);
    expect(fake.workers[0]!.sent.filter((m) => m.kind === 'ledger-error').length).toBe(1);
    expect(fake.workers[0]!.terminated).toBe(true);
  });

  it('a worker that cannot start: its error is the reader’s', async () => {
    const dir = await tempDir();
    const files = await eventFiles(dir);
    const ledger = await ledgerFile(dir);
    const broken = path.join(dir, 'broken-worker.mjs');
    await writeFile(broken, 'throw new Error("the worker fell over");\n');
    fake.workerUrl = pathToFileURL(broken);
    await expect(folded(files, ledger, 0)).rejects.toThrow(new Error('the worker fell over'));
  });

  it('an error message from the worker stops the ledger and the events with its message', async () => {
    const dir = await tempDir();
    const files = await eventFiles(dir);
    const ledger = await ledgerFile(dir);
    const script = (messages: WorkerMessage[]) =>
      `import { parentPort } from 'node:worker_threads';\nparentPort.once('message', () => { for (const m of ${JSON.stringify(messages)}) parentPort.postMessage(m); });\n`;
    const cases: [WorkerMessage[], Error][] = [
      [[{ kind: 'error', message: 'disk on fire' }], new Error('reading the ledger: disk on fire')],
      [[{ kind: 'done' }], new Error("reading the ledger: a done message before the ledger's end")],
      [[{ kind: 'ledger-done' }, { kind: 'error', message: 'disk on fire' }], new Error('reading the events: disk on fire')],
      [[{ kind: 'ledger-done' }, { kind: 'ledger-done' }], new Error('reading the events: a ledger-done message (ledgerBatches is read first)')],
    ];
    for (const [i, [messages, expected]] of cases.entries()) {
      const file = path.join(dir, `scripted-${i}.mjs`);
      await writeFile(file, script(messages));
      fake.workerUrl = pathToFileURL(file);
      const fold = new CampaignFold();
      const reader = await startReadingEvents(files, KEYWORDS, ledger, 0);
      await untilWorker(() => fake.workers.at(-1)!.sent.length === messages.length);
      const error = await (async () => {
        await foldLedger(fold, ledger.file, reader.ledgerBatches());
        await reader.foldInto(fold);
      })().catch((e: unknown) => e);
      expect(error, JSON.stringify(messages)).toEqual(expected);
      expect(fake.workers.at(-1)!.terminated).toBe(i >= 2);
      await reader.close();
    }
  });
});

describe("startReadingEvents: pass 2's rows on the worker", () => {
  const onWorker = (listed: ListedRecipients, from: number, to: number, threshold = 0) => rowsOnWorker({ startReadingEvents, CampaignFold, foldLedger, keywords: KEYWORDS }, listed, from, to, threshold);

  it("gives the main thread's texts for its range, and the same InputError at the same line", async () => {
    const listed = await listedLedger(await tempDir(), 60);
    const texts = await onWorker(listed, 25, 60);
    expect(texts).toEqual(await listRowsText(listed, 25, 60));
    expect(texts!.join('').split('\n').filter((line) => line !== '').length).toBe(35);
    // Without a worker (or for no rows) the caller writes them itself.
    expect(await onWorker(listed, 25, 60, Infinity)).toBeUndefined();
    expect(await onWorker(listed, 60, 60)).toBeUndefined();
    expect(await onWorker(listed, 61, 60)).toBeUndefined();
    const changed = await listedLedger(await tempDir(), 60, 41);
    const [there, here] = [await onWorker(changed, 30, 60).catch((e: unknown) => e), await listRowsText(changed, 30, 60).catch((e: unknown) => e)];
    expect(there).toEqual(here);
    expect(there).toBeInstanceOf(InputError);
    expect((there as InputError).location).toEqual({ file: changed.file, line: 43 });
  });
});
