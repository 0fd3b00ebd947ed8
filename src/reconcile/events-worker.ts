// Parses the first part of each events file on a second core and posts the signals to the main
// thread in compact batches, at most WINDOW batches ahead of it (so memory stays bounded).
import { parentPort, workerData } from 'node:worker_threads';
import { readLineSpans } from '../fs/read-line-batches.js';
import { encodeSignals, eventLineReader, type EventsWorkerInput, type WorkerMessage } from './read-events.js';

const WINDOW = 64;
const { parts, keywords } = workerData as EventsWorkerInput;
const port = parentPort!;
const readLine = eventLineReader(new Set(keywords));
const post = (message: WorkerMessage) => port.postMessage(message);
let outstanding = 0;
let resume: (() => void) | undefined;
port.on('message', () => {
  outstanding--;
  resume?.();
});

try {
  const linesPerPart: number[] = [];
  for (const [part, { file, end }] of parts.entries()) {
    let lines = 0;
    if (end > 0) {
      for await (const spans of readLineSpans(file, { end })) {
        lines += spans.starts.length;
        post(encodeSignals(file, part, spans, readLine));
        outstanding++;
        while (outstanding >= WINDOW) await new Promise<void>((r) => (resume = r));
      }
    }
    linesPerPart.push(lines);
  }
  post({ kind: 'done', linesPerPart });
} catch (error) {
  post({ kind: 'error', message: (error as Error).message });
}
