import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Io } from '../src/io.js';

const dirs: string[] = [];

/** Removes the temp folders made so far: after each test (test/setup-each-file.ts registers it in every test file). */
export async function removeTempDirs(): Promise<void> {
  // maxRetries: a test that timed out in this worker may still be writing into its folder (ENOTEMPTY).
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })));
}

/** A fresh temp folder, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wa-broadcast-test-'));
  dirs.push(dir);
  return dir;
}

/** Writes `files` (name → contents) into a fresh temp folder and returns its path. */
export async function fixture(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempDir();
  for (const [name, contents] of Object.entries(files)) await writeFile(path.join(dir, name), contents);
  return dir;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output; `extra` replaces parts of its Io (a manual clock, say). */
export async function run(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = tmpdir(), extra: Partial<Io> = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    stdinIsTTY: false,
    cwd,
    ...extra,
  };
  // Imported here, not at the top: every test file loads this module (test/setup-each-file.ts), and
  // the process tests, each in a fresh module graph, would otherwise load the whole CLI for nothing.
  const { main } = await import('../src/main.js');
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Collects an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
