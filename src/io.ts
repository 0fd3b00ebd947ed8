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
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, stdinIsTTY: process.stdin.isTTY === true, cwd: process.cwd() };
}
