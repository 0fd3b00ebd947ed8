import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** What the person at the terminal said: yes, no, or nothing (Ctrl-C, Ctrl-D, the input closed, a signal). */
export type Answer = 'yes' | 'no' | 'cancelled';

export interface AskOptions {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where the question is written: stderr, so that stdout stays clean for --json (a stream, or anything with write). */
  output: NodeJS.WritableStream | { write(text: string): unknown };
  /** Aborted by SIGINT or SIGTERM while the question waits (a Ctrl-C from outside the terminal). */
  signal: AbortSignal;
}

/**
 * Asks a yes/no question. On a terminal readline reads keys in raw mode, so Ctrl-C is a key, not a
 * signal: it arrives as readline's own SIGINT event, and Ctrl-D on an empty line closes the
 * interface. Both mean "no answer": `cancelled`, never an error (the question's promise would
 * otherwise reject with "Aborted with Ctrl+C", or never settle when the input just ends).
 */
export function askYesNo(question: string, options: AskOptions): Promise<Answer> {
  const { input, signal } = options;
  const output = asStream(options.output);
  const terminal = input.isTTY === true;
  const rl = createInterface({ input, output, terminal });
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: Answer) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      // The message that follows starts on a line of its own, not after the question.
      if (answer === 'cancelled' && terminal) output.write('\n');
      rl.close();
      resolve(answer);
    };
    const onAbort = () => done('cancelled');
    if (signal.aborted) return done('cancelled');
    signal.addEventListener('abort', onAbort, { once: true });
    rl.on('SIGINT', () => done('cancelled'));
    rl.on('close', () => done('cancelled'));
    rl.question(question, (answer) => done(/^y(es)?$/i.test(answer.trim()) ? 'yes' : 'no'));
  });
}

/** readline needs a real stream (it listens for resize on a terminal); a bare writer is wrapped. */
function asStream(output: AskOptions['output']): NodeJS.WritableStream {
  if (typeof (output as NodeJS.WritableStream).on === 'function') return output as NodeJS.WritableStream;
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      output.write(chunk.toString());
      callback();
    },
  });
}
