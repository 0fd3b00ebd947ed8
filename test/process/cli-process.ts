import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { watch } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The launcher, as `npm install` links it: it runs the build (dist/), made current by build-once.ts. */
export const BIN = fileURLToPath(new URL('../../bin/wa-broadcast.js', import.meta.url));

// Every process a test starts, killed after the test whatever became of it (passed, failed, timed
// out): a test that times out waiting on a child must not leave it running, holding a port or a
// lock, into the next test or after the run. The hook is set up in every file of the project
// (test/process/setup-each-file.ts): the files of a worker share this module (isolate: false),
// and a hook registered here, where it is first imported, would belong to that file alone.
const children = new Set<ChildProcess>();
export async function killChildren(): Promise<void> {
  const left = [...children];
  children.clear();
  await Promise.all(left.map(kill));
}
process.once('exit', () => children.forEach((child) => void kill(child)));

/** Kills `child` if it still runs; resolves once it has exited (its files closed: its folder can go). */
function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

/**
 * Registers a process a test started, to be killed after the test (see above); returns it. A test
 * that runs concurrently with others passes its context's `onTestFinished` (a plain afterEach
 * would kill the processes of the tests still running beside it).
 */
export function track<T extends ChildProcess>(child: T, onTestFinished?: (stop: () => Promise<void>) => void): T {
  if (onTestFinished) {
    onTestFinished(() => kill(child));
    return child;
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** `spawn`, the child tracked (killed after the test): for a test that handles the child itself. */
export const spawnTracked = ((...args: unknown[]) => track((spawn as (...a: unknown[]) => ChildProcess)(...args))) as typeof spawn;

export interface CliOptions {
  cwd: string;
  /** The whole environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
  /** Runs the command line through `sh -c <script> node BIN …args` instead (a `ulimit` first, say). */
  shell?: string;
  /** For a concurrent test: its context's `onTestFinished` (see `track`). */
  onTestFinished?: (stop: () => Promise<void>) => void;
}

export interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited and its output is read to the end. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first match of `pattern` in stderr, as soon as it is written; rejects if the process exits first. */
  untilStderr(pattern: RegExp): Promise<RegExpExecArray>;
}

/** Starts the built CLI with `args` (tracked: killed after the test). */
export function startCli(args: readonly string[], options: CliOptions): Cli {
  const argv = [BIN, ...args];
  const child = track(
    options.shell === undefined
      ? spawn(process.execPath, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: options.stdio ?? 'pipe' })
      : spawn('/bin/sh', ['-c', options.shell, process.execPath, ...argv], { cwd: options.cwd, env: options.env ?? process.env, stdio: options.stdio ?? 'pipe' }),
    options.onTestFinished,
  );
  let stdout = '';
  let stderr = '';
  const waiting = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const check of [...waiting]) check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const check of [...waiting]) check();
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    untilStderr: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = pattern.exec(stderr);
          if (found) {
            waiting.delete(check);
            resolve(found);
          } else if (gone) {
            waiting.delete(check);
            reject(new Error(`${args[0]} exited before its stderr matched ${pattern}:\n${stderr}`));
          }
        };
        waiting.add(check);
        check();
      }),
  };
}

/** Runs the built CLI to its end. */
export async function runCli(args: readonly string[], options: CliOptions): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const cli = startCli(args, options);
  const { code, signal } = await cli.exited;
  return { code, signal, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Starts a long-running command of the built CLI (webhook, emulator) and resolves once it listens, with its URL. */
export async function serveCli(args: readonly string[], options: CliOptions): Promise<Cli & { url: string }> {
  const cli = startCli(args, options);
  const [, url] = await cli.untilStderr(/listening on (https?:\/\/[^\s:]+:\d+)/);
  return { ...cli, url: url! };
}

/**
 * Resolves once `test()` holds, checking it now and after each change under `dir` (inotify, no
 * polling): for a file another process writes (a ledger, an events file, a list). Also resolves
 * (without it holding) when `signal` aborts: the writer exited, say.
 */
export async function untilChanged(dir: string, test: () => Promise<boolean>, signal?: AbortSignal): Promise<void> {
  const stop = new AbortController();
  signal?.addEventListener('abort', () => stop.abort(), { once: true });
  if (signal?.aborted) return;
  const changes = watch(dir, { recursive: true, signal: stop.signal });
  try {
    if (await test()) return;
    for await (const _change of changes) if (await test()) return;
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    stop.abort();
  }
}
