import type { Clock } from './clock.js';
import { invocationOf } from './invocation.js';

/** What a command may touch of the outside world; tests pass their own. */
export interface Io {
  /** Reports and machine-readable output (`--json`): nothing else goes here. */
  stdout: { write(text: string): unknown; isTTY?: boolean };
  /** Human messages, progress and errors. */
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Whether a person can answer a prompt. */
  stdinIsTTY?: boolean;
  /** Where `.env` is looked for (default: the process's working directory). */
  cwd?: string;
  /**
   * The clock `send` paces and waits on, and `reconcile` reads "now" from without --now (default:
   * the system's); tests pass a manual one.
   */
  clock?: Clock;
  /**
   * How the user started the tool (`npx wa-broadcast`, `wa-broadcast`, `node bin/wa-broadcast.js`),
   * for commands printed to be pasted back (send's resume command); default `wa-broadcast`.
   */
  invocation?: readonly string[];
  /** Where a prompt reads its answer (default: process.stdin); tests pass their own. */
  stdin?: NodeJS.ReadableStream;
  /** Why stdout or stderr could not be written (other than a reader that left), if it could not. */
  outputFailure?: () => string | undefined;
}

export function processIo(): Io {
  ignoreClosedReader(process.stdout);
  ignoreClosedReader(process.stderr);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdinIsTTY: process.stdin.isTTY === true,
    cwd: process.cwd(),
    invocation: invocationOf(process.argv[1], process.env, process.cwd()),
    outputFailure: () => outputFailure,
  };
}

let outputFailure: string | undefined;

/**
 * `wa-broadcast validate --json | head -c 10`: the reader goes away early, and the next write
 * fails with EPIPE, which Node reports as an 'error' event on the stream; with no listener that
 * event kills the process with a stack trace, in the middle of a send too. Output nobody reads is
 * not worth stopping for: the command finishes its work (a send its requests and its ledger) and
 * exits with its own code, and what it would have printed is dropped. The stream is destroyed
 * after the first error, so later writes are dropped without another event.
 *
 * Files are written synchronously, so a full disk under `> out.json` still throws from `write`
 * and fails the command (exit 1); any other failed write is kept for `main`, which exits 1.
 */
function ignoreClosedReader(stream: NodeJS.WriteStream): void {
  if (stream.listenerCount('error') > 0) return; // once per process (tests call main many times)
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // A reader that left is nobody's loss; anything else (`> /dev/full`, a full disk under a
    // device or pipe Node writes asynchronously) lost output someone wanted: main makes it exit 1.
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') outputFailure ??= `${stream === process.stdout ? 'stdout' : 'stderr'}: ${error.code ?? error.message}`;
  });
}
