// Parses chunks of the events files on a second core (the next one not taken, until none is left)
// and posts the signals to the main thread in compact batches, at most WINDOW batches ahead of it
// (so memory stays bounded).
import { parentPort, workerData } from 'node:worker_threads';
import { readLineSpans } from '../fs/read-line-batches.js';
import { encodeSignals, eventLineReader, type EventsWorkerInput, type WorkerMessage } from './read-events.js';

/** Batches (each at most 1 MiB of lines: some 1,500 statuses) sent and not yet folded: more holds more memory (at 1,000,000 recipients 256 went past 700 MB) for little speed. */
const WINDOW = 64;
const { chunks, next, keywords } = workerData as EventsWorkerInput;
const counter = new Int32Array(next);
const port = parentPort!;
const reader = eventLineReader(new Set(keywords));
const post = (message: WorkerMessage) => port.postMessage(message);
let outstanding = 0;
let resume: (() => void) | undefined;
port.on('message', () => {
  outstanding--;
  resume?.();
});

try {
  for (let c = Atomics.add(counter, 0, 1); c < chunks.length; c = Atomics.add(counter, 0, 1)) {
    const { file, start, end } = chunks[c]!;
    let lines = 0;
    for await (const spans of readLineSpans(file, { start, end })) {
      lines += spans.starts.length;
      post(encodeSignals(file, c, spans, reader));
      outstanding++;
      while (outstanding >= WINDOW) await new Promise<void>((r) => (resume = r));
    }
    post({ kind: 'chunk', chunk: c, lines });
  }
  post({ kind: 'done' });
} catch (error) {
  post({ kind: 'error', message: (error as Error).message });
}
