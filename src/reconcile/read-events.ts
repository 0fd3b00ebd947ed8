import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { cutAtLineStarts } from '../fs/cut-at-line-starts.js';
import { MAX_LINE_BYTES, readLineSpans, type LineSpans } from '../fs/read-line-batches.js';
import { eventsWorkerUrl } from './events-worker-url.js';
import type { CampaignFold } from './fold-campaign.js';
import { familyCode } from './family-code.js';
import { messageIdHash } from './message-id-table.js';
import { parseEventLine, parseStoredFacts, type ParsedEvent, type Signal } from './parse-event.js';
import { StatusFactsScanner, type StatusColumns } from './scan-status-facts.js';
import { scanLedgerBatch, type LedgerBatch } from './ledger-batch.js';
import { ledgerInOrder, type OtherMessage, type OtherParts } from './ledger-in-order.js';
import { listedPart } from './listed-part.js';
import type { ListedRecipients } from './listed-recipients.js';
import { InputError, type Location } from '../errors.js';
import { readLedgerSpans } from '../ledger/read-ledger.js';
import { SendRecordScanner } from '../ledger/scan-send-record.js';

/** Unknown event lines named (all are counted). */
const NAMED_UNKNOWN = 20;
/** Below this much events data a worker thread costs more than it saves. */
export const WORKER_THRESHOLD_BYTES = 16 << 20;

/** The worker's young generation (MB): V8 counts two semi-spaces and a new large-object space of the same size, so 48 is the 16 MB semi-spaces it gives the main thread by default. */
export const WORKER_YOUNG_GENERATION_MB = 48;
/**
 * The events are read in chunks of about this size (cut at line starts), each by whichever thread
 * is free: the worker from the start, the main thread once the ledger is read, so both finish
 * together however fast each part goes.
 */
const CHUNK_BYTES = 8 << 20;
/**
 * With a worker, the ledger is read in parts of about this size (cut at line starts), each by the
 * thread that takes it: the worker one after another, the main thread (which also folds every
 * batch, in order) when it has nothing to fold. Parts, not halves: the main thread holds at most
 * one part scanned ahead of its turn.
 */
const LEDGER_PART_BYTES = 4 << 20;

export interface EventsReport {
  lines: number;
  unknownCount: number;
  unknown: { file: string; line: number; why: string }[];
}

/** A part of an events file: bytes `start` (a line start) to `end`. */
export interface EventsChunk {
  /** Which events file (index in the list given). */
  part: number;
  file: string;
  start: number;
  end: number;
}

/** The ledger the worker reads first, for the fold (up to `size`, what pass 2 reads too). */
export interface LedgerToRead {
  file: string;
  size: number;
}

/** A part of the ledger: bytes `start` (a line start) to `end` (one). */
export interface LedgerPart {
  start: number;
  end: number;
}

export interface EventsWorkerInput {
  /** The next events chunk (index 0) and ledger part (index 1) to read: an Int32Array over it, taken with Atomics.add by both threads. */
  next: SharedArrayBuffer;
  keywords: string[];
}

/**
 * The worker's first message: what to read. Sent once the files are cut, which the main thread
 * does while the worker starts (its start, ~0.1 s, is no longer after the cutting).
 */
export interface EventsWorkerPlan {
  kind: 'plan';
  /** The ledger's parts (for the main thread's fold), each read by the thread that takes it (Int32Array over `next`, index 1). */
  ledger: { file: string; parts: LedgerPart[] };
  chunks: EventsChunk[];
}

/** One batch of parsed lines, compact enough to cross threads cheaply. */
export interface SignalBatch {
  kind: 'batch';
  /** Which chunk (index in EventsWorkerInput's): line numbers count from its start. */
  chunk: number;
  lines: number;
  /** Per status: message id and correlation id ('' for none). */
  ids: string[];
  cids: string[];
  /** Per status, 6 numbers: rank, failed (0/1), code, at, family (`familyCode`), and the message id's messageIdHash (worked out here, off the folding thread). */
  numbers: Float64Array;
  preferences: Extract<Signal, { kind: 'preference' }>[];
  unknown: EventsReport['unknown'];
  unknownCount: number;
}

export type WorkerMessage =
  | LedgerBatch
  /** The end of one of the worker's ledger parts, and how many lines it had. */
  | { kind: 'ledger-part'; lines: number }
  | { kind: 'ledger-done' }
  /** The ledger cannot be read (an InputError there: its message and where). */
  | { kind: 'ledger-error'; message: string; location: Location | undefined }
  | SignalBatch
  | { kind: 'chunk'; chunk: number; lines: number }
  | { kind: 'done' }
  /** Pass 2's rows of the part given (RowsJob): each list's CSV text, or the InputError that stopped them. */
  | { kind: 'rows'; texts: string[] }
  | { kind: 'rows-error'; message: string; location: Location | undefined }
  | { kind: 'error'; message: string };

/** After the events: pass 2 for a part of the listed recipients (listRowsText over all of `listed`). */
export interface RowsJob {
  kind: 'rows';
  listed: ListedRecipients;
}

/** Why an over-long events line was skipped (a webhook body is at most 1 MiB; a line is never read past the cap). */
const TOO_LONG: ParsedEvent = { ok: false, why: `a line longer than ${MAX_LINE_BYTES >> 20} MiB (not read)` };

/** How a thread reads events lines: the byte scanner for statuses, else the parsers. */
export interface EventLineReader {
  statuses: StatusFactsScanner;
  /**
   * One events line's signals: from its stored facts when it has them as `webhook` writes them
   * (decoding and parsing only those), else by parsing the whole line.
   */
  parse(buffer: Buffer, start: number, end: number): ParsedEvent;
}

export function eventLineReader(keywords: ReadonlySet<string>): EventLineReader {
  return {
    statuses: new StatusFactsScanner(),
    parse: (buffer, start, end) => parseStoredFacts(buffer, start, end, keywords) ?? parseEventLine(buffer.toString('utf8', start, end), keywords),
  };
}

/** Parses a batch of lines into a SignalBatch (line numbers from `firstLine`). */
export function encodeSignals(file: string, chunk: number, { firstLine, buffer, starts, ends, tooLong }: LineSpans, reader: EventLineReader): SignalBatch {
  const columns: StatusColumns = { ids: [], cids: [], numbers: [] };
  const { ids, cids, numbers } = columns;
  const batch: SignalBatch = { kind: 'batch', chunk, lines: 0, ids, cids, numbers: new Float64Array(0), preferences: [], unknown: [], unknownCount: 0 };
  let nextTooLong = 0;
  for (let i = 0; i < starts.length; i++) {
    const skipped = tooLong[nextTooLong] === i;
    if (skipped) nextTooLong++;
    else if (starts[i] === ends[i]) continue;
    batch.lines++;
    // Nearly every line: statuses only, read from their bytes straight into the columns.
    if (!skipped && reader.statuses.scan(buffer, starts[i]!, ends[i]!, columns) >= 0) continue;
    const parsed = skipped ? TOO_LONG : reader.parse(buffer, starts[i]!, ends[i]!);
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
      numbers.push(signal.rank, signal.failed ? 1 : 0, signal.code, signal.at, familyCode(signal.family), signal.messageId === undefined ? 0 : messageIdHash(signal.messageId));
    }
  }
  batch.numbers = Float64Array.from(numbers);
  return batch;
}

type NumberedUnknown = EventsReport['unknown'][number] & { chunk: number };

function applyBatch(fold: CampaignFold, batch: SignalBatch, report: EventsReport, unknown: NumberedUnknown[]): void {
  report.lines += batch.lines;
  report.unknownCount += batch.unknownCount;
  for (const entry of batch.unknown) unknown.push({ ...entry, chunk: batch.chunk });
  const { ids, cids, numbers } = batch;
  for (let i = 0; i < ids.length; i++) {
    const n = i * 6;
    fold.addStatus(ids[i] || undefined, cids[i] || undefined, numbers[n]!, numbers[n + 1] === 1, numbers[n + 2]!, numbers[n + 3]!, numbers[n + 4]!, numbers[n + 5]!);
  }
  for (const preference of batch.preferences) fold.addSignal(preference);
}

export interface EventsReader {
  /**
   * The ledger's lines in order, for the fold (call first, once): read by the worker thread when
   * there is one (it parses events once it is done), else here.
   */
  ledgerBatches(): AsyncIterable<LedgerBatch>;
  /** Folds every event into `fold` (call once the ledger is in it). */
  foldInto(fold: CampaignFold): Promise<EventsReport>;
  /**
   * Pass 2 for listed recipients `from` to `to` on the worker thread, once the events are folded
   * (listRowsText's texts); undefined without a worker (or for none), the caller then writes them.
   */
  listRowsText(listed: ListedRecipients, from: number, to: number): Promise<string[]> | undefined;
  /** Stops the worker, if any (at the end, or after a failure elsewhere; idempotent). */
  close(): Promise<void>;
}

/**
 * The ledger, read for the fold, then the events files, parsed and folded. With enough events (and
 * when running compiled) a worker thread starts at once: it reads the ledger (the main thread folds
 * what it reads), then takes event chunks, and the main thread does too once the ledger is folded:
 * each takes the next chunk not yet taken until none is left. The fold is a lattice, so the order in which
 * the chunks arrive does not matter.
 */
export async function startReadingEvents(files: string[], keywords: string[], ledger: LedgerToRead, workerThresholdBytes = WORKER_THRESHOLD_BYTES): Promise<EventsReader> {
  const reader = eventLineReader(new Set(keywords));
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  const workerFile = fileURLToPath(eventsWorkerUrl());
  const useWorker = sizes.reduce((a, b) => a + b, 0) >= workerThresholdBytes && existsSync(workerFile);
  const next = new SharedArrayBuffer(8);
  const counter = new Int32Array(next);

  const queue: WorkerMessage[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  // Started before the files are cut: its start overlaps the cutting (the plan follows).
  const worker = useWorker
    ? new Worker(workerFile, {
        workerData: { next, keywords } satisfies EventsWorkerInput,
        // As large a young generation as the main thread's (V8's default 16 MB semi-spaces): the
        // worker's batches die young, and at 8 MB it spent twice the time collecting them (200k
        // recipients: 190-240 ms of its profile against 90-100 ms, BENCHMARKS.md "Eighth round").
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
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
  let chunks: EventsChunk[];
  let ledgerParts: LedgerPart[];
  try {
    chunks = await chunksOf(files, sizes, useWorker ? CHUNK_BYTES : Infinity);
    ledgerParts = useWorker ? await ledgerPartsOf(ledger) : [];
  } catch (error) {
    await close();
    throw error;
  }
  worker?.postMessage({ kind: 'plan', ledger: { file: ledger.file, parts: ledgerParts }, chunks } satisfies EventsWorkerPlan);
  /** The worker's next message, waited for. */
  const nextMessage = async (): Promise<WorkerMessage> => {
    for (;;) {
      const message = queue.shift();
      if (message) return message;
      if (failure) throw failure;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  };

  /** A message of the worker's ledger parts; anything else is a failure. */
  const ledgerMessage = (message: WorkerMessage): OtherMessage => {
    if (message.kind === 'ledger' || message.kind === 'ledger-part') return message;
    if (message.kind === 'ledger-done') return null;
    if (message.kind === 'ledger-error') throw new InputError(message.message, message.location);
    throw new Error(`reading the ledger: ${message.kind === 'error' ? message.message : `a ${message.kind} message before the ledger's end`}`);
  };

  async function* ledgerBatches(): AsyncGenerator<LedgerBatch> {
    const scanner = new SendRecordScanner();
    if (!worker) {
      for await (const spans of readLedgerSpans(ledger.file, ledger.size)) yield scanLedgerBatch(spans, scanner);
      return;
    }
    // The worker sends its parts' batches, in order, then `ledger-done`; this thread reads its
    // own parts meanwhile (ledgerInOrder puts them all in order).
    const other: OtherParts = {
      poll: () => {
        const message = queue.shift();
        if (message) return ledgerMessage(message);
        if (failure) throw failure;
        return undefined;
      },
      next: async () => ledgerMessage(await nextMessage()),
      folded: () => worker.postMessage('ack'),
    };
    const readPart = (p: number) => readLedgerSpans(ledger.file, ledgerParts[p]!.end, ledgerParts[p]!.start);
    yield* ledgerInOrder(ledgerParts.length, () => Atomics.add(counter, 1, 1), other, readPart, (spans) => scanLedgerBatch(spans, scanner));
  }

  const foldInto = async (fold: CampaignFold): Promise<EventsReport> => {
    const report: EventsReport = { lines: 0, unknownCount: 0, unknown: [] };
    const unknown: NumberedUnknown[] = [];
    const chunkLines: number[] = chunks.map(() => 0);
    let workerDone = !worker;
    /** Folds whatever the worker has sent so far. */
    const drainWorker = (): void => {
      for (let message = queue.shift(); message; message = queue.shift()) {
        if (message.kind === 'error') throw new Error(`reading the events: ${message.message}`);
        if (message.kind === 'done') workerDone = true;
        else if (message.kind === 'chunk') chunkLines[message.chunk] = message.lines;
        else if (message.kind !== 'batch') throw new Error(`reading the events: a ${message.kind} message (ledgerBatches is read first)`);
        else {
          applyBatch(fold, message, report, unknown);
          worker!.postMessage('ack');
        }
      }
      if (failure) throw failure;
    };
    try {
      for (let c = Atomics.add(counter, 0, 1); c < chunks.length; c = Atomics.add(counter, 0, 1)) {
        const { file, start, end } = chunks[c]!;
        for await (const spans of readLineSpans(file, { start, end })) {
          if (worker) drainWorker();
          chunkLines[c]! += spans.starts.length;
          applyBatch(fold, encodeSignals(file, c, spans, reader), report, unknown);
        }
      }
      for (drainWorker(); !workerDone; drainWorker()) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } catch (error) {
      await close();
      throw error;
    }
    // Each chunk numbered its lines from its start: add the lines of the file's chunks before it.
    const before: number[] = [];
    for (let c = 0, lines = 0; c < chunks.length; c++) {
      if (c === 0 || chunks[c]!.part !== chunks[c - 1]!.part) lines = 0;
      before.push(lines);
      lines += chunkLines[c]!;
    }
    report.unknown = unknown
      .map((entry) => ({ part: chunks[entry.chunk]!.part, file: entry.file, line: entry.line + before[entry.chunk]!, why: entry.why }))
      .sort((a, b) => a.part - b.part || a.line - b.line)
      .slice(0, NAMED_UNKNOWN)
      .map(({ file, line, why }) => ({ file, line, why }));
    return report;
  };
  const listRowsTextOnWorker = (listed: ListedRecipients, from: number, to: number): Promise<string[]> | undefined => {
    if (!worker || from >= to) return undefined;
    worker.postMessage({ kind: 'rows', listed: listedPart(listed, from, to) } satisfies RowsJob);
    return (async () => {
      const message = await nextMessage();
      if (message.kind === 'rows') return message.texts;
      // The line numbers are the ledger's (pass 1 noted them): the error is as this thread would throw it.
      if (message.kind === 'rows-error') throw new InputError(message.message, message.location);
      throw new Error(`writing the lists: ${message.kind === 'error' ? message.message : `a ${message.kind} message`}`);
    })();
  };
  return { ledgerBatches, foldInto, listRowsText: listRowsTextOnWorker, close };
}

/** The ledger cut into LedgerParts at line starts. */
async function ledgerPartsOf(ledger: LedgerToRead): Promise<LedgerPart[]> {
  const cuts = await cutAtLineStarts(ledger.file, ledger.size, LEDGER_PART_BYTES);
  return cuts.slice(1).map((end, p) => ({ start: cuts[p]!, end }));
}

/** The files cut into chunks of about `size` bytes at line starts (a file of one chunk when `size` is Infinity). */
async function chunksOf(files: string[], sizes: number[], size: number): Promise<EventsChunk[]> {
  const chunks: EventsChunk[] = [];
  for (let part = 0; part < files.length; part++) {
    const file = files[part]!;
    const cuts = size === Infinity ? [0, sizes[part]!] : await cutAtLineStarts(file, sizes[part]!, size);
    for (let c = 1; c < cuts.length; c++) if (cuts[c]! > cuts[c - 1]!) chunks.push({ part, file, start: cuts[c - 1]!, end: cuts[c]! });
  }
  return chunks;
}
