/** What a command may touch of the outside world; tests pass their own. */
export interface Io {
  /** Reports and machine-readable output (`--json`): nothing else goes here. */
  stdout: { write(text: string): unknown; isTTY?: boolean };
  /** Human messages, progress and errors. */
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
