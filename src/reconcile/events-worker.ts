// On a second core: reads its parts of the ledger for the main thread's fold, then parses chunks of the events
// files (the next one not taken, until none is left), and posts both to the main thread in compact
// batches, at most WINDOW batches ahead of it (so memory stays bounded).
import { parentPort, workerData } from 'node:worker_threads';
import { readLineSpans } from '../fs/read-line-batches.js';
import { InputError } from '../errors.js';
import { readLedgerSpans } from '../ledger/read-ledger.js';
import { SendRecordScanner } from '../ledger/scan-send-record.js';
import { scanLedgerBatch } from './ledger-batch.js';
import type { ListedRecipients } from './listed-recipients.js';
import { encodeSignals, eventLineReader, type EventsWorkerInput, type EventsWorkerPlan, type RowsJob, type WorkerMessage } from './read-events.js';

/** Batches (each at most 1 MiB of lines: some 1,500 statuses) sent and not yet folded: more holds more memory (at 1,000,000 recipients 256 went past 700 MB) for little speed. */
const WINDOW = 64;
/**
 * Ledger batches sent and not yet folded: fewer, since the main thread, scanning a part of its own
 * ahead, can leave them waiting (16 batches are four parts; 64 took the peak RSS at 1,000,000
 * recipients from 460 MB to 576 MB in one run).
 */
const LEDGER_WINDOW = 16;
const { next, keywords } = workerData as EventsWorkerInput;
const counter = new Int32Array(next);
const port = parentPort!;
const reader = eventLineReader(new Set(keywords));
const post = (message: WorkerMessage) => port.postMessage(message);
let outstanding = 0;
let resume: (() => void) | undefined;
/** Pass 2's code, loaded once the events are read (not at start: the start is on every run's critical path). */
let rowsCode: Promise<typeof import('./list-rows-text.js')> | undefined;
/** What to read: the main thread's first message (it cuts the files while this thread starts). */
const plan = new Promise<EventsWorkerPlan>((resolve) => {
  // Then acks (a batch folded), and at the end a part of pass 2.
  port.on('message', (message: EventsWorkerPlan | 'ack' | RowsJob) => {
    if (message === 'ack') {
      outstanding--;
      resume?.();
    } else if (message.kind === 'rows') void writeRows(message.listed);
    else resolve(message);
  });
});
const { ledger, chunks } = await plan;

/** Pass 2 for the listed recipients given: their lists' texts, or the InputError that stopped them (as the main thread would throw it). */
async function writeRows(listed: ListedRecipients): Promise<void> {
  try {
    const { listRowsText } = await (rowsCode ??= import('./list-rows-text.js'));
    post({ kind: 'rows', texts: await listRowsText(listed, 0, listed.count) });
  } catch (error) {
    if (error instanceof InputError) post({ kind: 'rows-error', message: error.message, location: error.location });
    else post({ kind: 'error', message: (error as Error).message });
  }
}

/** Waits while `window` batches are not yet folded. */
async function sent(message: WorkerMessage, window = WINDOW): Promise<void> {
  post(message);
  outstanding++;
  while (outstanding >= window) await new Promise<void>((r) => (resume = r));
}

/** The ledger's parts this thread takes (the next not yet taken), in batches, each part's end said; false if it cannot be read (the main thread then stops). */
async function readLedger(): Promise<boolean> {
  try {
    const scanner = new SendRecordScanner();
    for (let p = Atomics.add(counter, 1, 1); p < ledger.parts.length; p = Atomics.add(counter, 1, 1)) {
      const { start, end } = ledger.parts[p]!;
      let lines = 0;
      for await (const spans of readLedgerSpans(ledger.file, end, start)) {
        lines += spans.starts.length;
        await sent(scanLedgerBatch(spans, scanner), LEDGER_WINDOW);
      }
      post({ kind: 'ledger-part', lines });
    }
    post({ kind: 'ledger-done' });
    return true;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    post({ kind: 'ledger-error', message: error.message, location: error.location });
    return false;
  }
}

/** Event chunks, the next not yet taken, until none is left. */
async function readEvents(): Promise<void> {
  for (let c = Atomics.add(counter, 0, 1); c < chunks.length; c = Atomics.add(counter, 0, 1)) {
    const { file, start, end } = chunks[c]!;
    let lines = 0;
    for await (const spans of readLineSpans(file, { start, end })) {
      lines += spans.starts.length;
      await sent(encodeSignals(file, c, spans, reader));
    }
    post({ kind: 'chunk', chunk: c, lines });
  }
  post({ kind: 'done' });
  rowsCode ??= import('./list-rows-text.js');
}

try {
  if (await readLedger()) await readEvents();
} catch (error) {
  post({ kind: 'error', message: (error as Error).message });
}
