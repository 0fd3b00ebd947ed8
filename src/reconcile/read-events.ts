import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MAX_LINE_BYTES, lineStartAfter, readLineSpans, type LineSpans } from '../fs/read-line-batches.js';
import { familyCode, type CampaignFold } from './fold-campaign.js';
import { parseEventLine, parseStoredFacts, type ParsedEvent, type Signal } from './parse-event.js';

/** Unknown event lines named (all are counted). */
const NAMED_UNKNOWN = 20;
/** Below this much events data a worker thread costs more than it saves. */
export const WORKER_THRESHOLD_BYTES = 16 << 20;
/**
 * The worker's share of each events file. The main thread reads the ledger first and folds every
 * signal, so the worker parses about two thirds of the events for both to finish together.
 */
const WORKER_SHARE = 2 / 3;

export interface EventsReport {
  lines: number;
  unknownCount: number;
  unknown: { file: string; line: number; why: string }[];
}

export interface EventsWorkerInput {
  /** Each file's first `end` bytes are the worker's. */
  parts: { file: string; end: number }[];
  keywords: string[];
}

/** One batch of parsed lines, compact enough to cross threads cheaply. */
export interface SignalBatch {
  kind: 'batch';
  /** Which events file (index in the list given). */
  part: number;
  lines: number;
  /** Per status: message id and correlation id ('' for none). */
  ids: string[];
  cids: string[];
  /** Per status, 5 numbers: rank, failed (0/1), code, at, family (`familyCode`). */
  numbers: Float64Array;
  preferences: Extract<Signal, { kind: 'preference' }>[];
  unknown: EventsReport['unknown'];
  unknownCount: number;
}

export type WorkerMessage = SignalBatch | { kind: 'done'; linesPerPart: number[] } | { kind: 'error'; message: string };

/** Why an over-long events line was skipped (a webhook body is at most 1 MiB; a line is never read past the cap). */
const TOO_LONG: ParsedEvent = { ok: false, why: `a line longer than ${MAX_LINE_BYTES >> 20} MiB (not read)` };

/**
 * One events line's signals: from its stored facts when it has them as `webhook` writes them
 * (decoding and parsing only those), else by parsing the whole line.
 */
export function eventLineReader(keywords: ReadonlySet<string>): (buffer: Buffer, start: number, end: number) => ParsedEvent {
  return (buffer, start, end) => parseStoredFacts(buffer, start, end, keywords) ?? parseEventLine(buffer.toString('utf8', start, end), keywords);
}

/** Parses a batch of lines into a SignalBatch (line numbers from `firstLine`). */
export function encodeSignals(file: string, part: number, { firstLine, buffer, starts, ends, tooLong }: LineSpans, parse: (buffer: Buffer, start: number, end: number) => ParsedEvent): SignalBatch {
  const ids: string[] = [];
  const cids: string[] = [];
  const numbers: number[] = [];
  const batch: SignalBatch = { kind: 'batch', part, lines: 0, ids, cids, numbers: new Float64Array(0), preferences: [], unknown: [], unknownCount: 0 };
  let nextTooLong = 0;
  for (let i = 0; i < starts.length; i++) {
    const skipped = tooLong[nextTooLong] === i;
    if (skipped) nextTooLong++;
    else if (starts[i] === ends[i]) continue;
    batch.lines++;
    const parsed = skipped ? TOO_LONG : parse(buffer, starts[i]!, ends[i]!);
    if (!parsed.ok) {
      batch.unknownCount++;
      if (batch.unknown.length < NAMED_UNKNOWN) batch.unknown.push({ file, line: firstLine + i, why: parsed.why });
      continue;
    }
    for (const signal of parsed.signals) {
      if (signal.kind === 'preference') {
        batch.preferences.push(signal);
        continue;
      }
      ids.push(signal.messageId ?? '');
      cids.push(signal.cid ?? '');
      numbers.push(signal.rank, signal.failed ? 1 : 0, signal.code, signal.at, familyCode(signal.family));
    }
  }
  batch.numbers = Float64Array.from(numbers);
  return batch;
}

type NumberedUnknown = EventsReport['unknown'][number] & { part: number };

function applyBatch(fold: CampaignFold, batch: SignalBatch, report: EventsReport, unknown: NumberedUnknown[]): void {
  report.lines += batch.lines;
  report.unknownCount += batch.unknownCount;
  for (const entry of batch.unknown) unknown.push({ ...entry, part: batch.part });
  const { ids, cids, numbers } = batch;
  for (let i = 0; i < ids.length; i++) {
    const n = i * 5;
    fold.addStatus(ids[i] || undefined, cids[i] || undefined, numbers[n]!, numbers[n + 1] === 1, numbers[n + 2]!, numbers[n + 3]!, numbers[n + 4]!);
  }
  for (const preference of batch.preferences) fold.addSignal(preference);
}

export interface EventsReader {
  /** Folds every event into `fold` (call once the ledger is in it). */
  foldInto(fold: CampaignFold): Promise<EventsReport>;
  /** Stops the worker, if any (after a failure elsewhere; idempotent). */
  close(): Promise<void>;
}

/**
 * The events files, parsed and folded. Parsing the JSON is two thirds of reconcile's work, so with
 * enough data (and when running compiled) a worker thread starts at once on the first two thirds of
 * each file, while the main thread reads the ledger and then parses the rest; the fold is a lattice,
 * so the order in which the halves arrive does not matter.
 */
export async function startReadingEvents(files: string[], keywords: string[], workerThresholdBytes = WORKER_THRESHOLD_BYTES): Promise<EventsReader> {
  const readLine = eventLineReader(new Set(keywords));
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  const workerFile = fileURLToPath(new URL('./events-worker.js', import.meta.url));
  const useWorker = sizes.reduce((a, b) => a + b, 0) >= workerThresholdBytes && existsSync(workerFile);
  // Where the main thread's part of each file starts (a line start); the worker reads up to it.
  const splits = useWorker ? await Promise.all(files.map((file, i) => lineStartAfter(file, Math.floor(sizes[i]! * WORKER_SHARE)))) : files.map(() => 0);

  const queue: WorkerMessage[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const worker = useWorker
    ? new Worker(workerFile, {
        workerData: { parts: files.map((file, i) => ({ file, end: splits[i]! })), keywords } satisfies EventsWorkerInput,
        // The worker holds little for long: a small young generation keeps its footprint small.
        resourceLimits: { maxYoungGenerationSizeMb: 8 },
      })
    : undefined;
  worker?.on('message', (message: WorkerMessage) => {
    queue.push(message);
    wake?.();
  });
  worker?.on('error', (error) => {
    failure = error;
    wake?.();
  });
  const close = async () => {
    await worker?.terminate();
  };

  const foldInto = async (fold: CampaignFold): Promise<EventsReport> => {
    const report: EventsReport = { lines: 0, unknownCount: 0, unknown: [] };
    const workerUnknown: NumberedUnknown[] = [];
    const mainUnknown: NumberedUnknown[] = [];
    let workerLines: number[] | undefined = worker ? undefined : files.map(() => 0);
    /** Folds whatever the worker has sent so far; true once it has sent everything. */
    const drainWorker = (): boolean => {
      for (let message = queue.shift(); message; message = queue.shift()) {
        if (message.kind === 'error') throw new Error(`reading the events: ${message.message}`);
        if (message.kind === 'done') {
          workerLines = message.linesPerPart;
          continue;
        }
        applyBatch(fold, message, report, workerUnknown);
        worker!.postMessage('ack');
      }
      if (failure) throw failure;
      return workerLines !== undefined;
    };
    try {
      for (let part = 0; part < files.length; part++) {
        for await (const spans of readLineSpans(files[part]!, { end: sizes[part], start: splits[part] })) {
          if (worker) drainWorker();
          applyBatch(fold, encodeSignals(files[part]!, part, spans, readLine), report, mainUnknown);
        }
      }
      while (!drainWorker()) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      await close();
    }
    // The main thread numbered its lines from its part's start: add the worker's lines before it.
    for (const entry of mainUnknown) entry.line += workerLines![entry.part]!;
    report.unknown = [...workerUnknown, ...mainUnknown]
      .sort((a, b) => a.part - b.part || a.line - b.line)
      .slice(0, NAMED_UNKNOWN)
      .map(({ file, line, why }) => ({ file, line, why }));
    return report;
  };
  return { foldInto, close };
}
