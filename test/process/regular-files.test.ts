import { execFileSync } from 'node:child_process';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../helpers.js';
import { ENV, NOT_REGULAR, place, refused } from '../regular-files.js';
import { BIN, runCli, spawnTracked } from './cli-process.js';

/*
 * Only regular files are ledgers, events files, lists and dry-run files: anything else is exit 2
 * with one line naming the path, before anything is written or chmod-ed, and without hanging.
 * Named pipes run in a child process (an open that blocks would hang the test runner's thread
 * pool); the other cases run in-process, in test/cli/regular-files.test.ts.
 */

/** Runs the bin in a child: a hang fails the test at its timeout, and the child is killed then (cli-process.ts). */
async function child(args: string[], cwd: string): Promise<RunResult> {
  const { code, stdout, stderr } = await runCli(args, { cwd, env: { ...process.env, ...ENV } });
  return { code: code ?? -1, stdout, stderr };
}

describe('send: the ledger and the dry-run file must be regular files', () => {
  it('a named pipe as --ledger: exit 2 at once, no hang', async () => {
    const p = await place();
    refused(await child(['send', 'c.csv', '--template', 's.yaml', '--yes', '--ledger', 'pipe'], p.dir), 'pipe', NOT_REGULAR.pipe);
    expect((await stat(p.at('pipe'))).isFIFO()).toBe(true);
  }, 20_000);

  it('--dry-run into a named pipe: exit 2 at once, no hang', async () => {
    const p = await place();
    refused(await child(['send', 'c.csv', '--template', 's.yaml', '--dry-run', 'pipe'], p.dir), 'pipe', NOT_REGULAR.pipe);
  }, 20_000);
});

describe('webhook: the events file must be a regular file', () => {
  it('a named pipe as --events: exit 2 at once, no hang', async () => {
    const p = await place();
    refused(await child(['webhook', '--port', '0', '--events', 'pipe'], p.dir), 'pipe', NOT_REGULAR.pipe);
  }, 20_000);
});

describe('reconcile: inputs and lists must be regular files', () => {
  it('a named pipe as --ledger or --events: exit 2 at once, no hang', async () => {
    const p = await place();
    refused(await child(['reconcile', '--ledger', 'pipe', '--out', 'lists'], p.dir), 'pipe', NOT_REGULAR.pipe);
    refused(await child(['reconcile', '--ledger', 'l.jsonl', '--events', 'pipe', '--out', 'lists'], p.dir), 'pipe', NOT_REGULAR.pipe);
  }, 20_000);

  it('a folder or a named pipe where a list goes: exit 2 naming it, nothing replaced', async () => {
    const p = await place();
    await mkdir(p.at('lists'));
    await mkdir(p.at('lists/retry.csv'));
    refused(await child(['reconcile', '--ledger', 'l.jsonl', '--out', 'lists'], p.dir), 'lists/retry.csv', NOT_REGULAR.folder);
    await mkdir(p.at('lists2'));
    execFileSync('mkfifo', [p.at('lists2/summary.json')]);
    refused(await child(['reconcile', '--ledger', 'l.jsonl', '--out', 'lists2'], p.dir), 'lists2/summary.json', NOT_REGULAR.pipe);
    expect((await readdir(p.at('lists2'))).sort()).toEqual(['summary.json']);
  }, 20_000);
});

describe('send: the CSV and --suppress must be regular files (send reads the CSV twice)', () => {
  const READ_TWICE = /send reads it twice/;

  it('a named pipe as the CSV or as --suppress: exit 2 at once, before the lock (none left), no hang', async () => {
    const p = await place();
    refused(await child(['send', 'pipe', '--template', 's.yaml', '--yes', '--ledger', 'l.jsonl'], p.dir), 'pipe', new RegExp(`${NOT_REGULAR.pipe.source}.*${READ_TWICE.source}`));
    refused(await child(['send', 'c.csv', '--template', 's.yaml', '--yes', '--ledger', 'l.jsonl', '--suppress', 'pipe'], p.dir), 'pipe', new RegExp(`${NOT_REGULAR.pipe.source}; send needs a regular file here`));
    refused(await child(['send', 'c.csv', '--template', 's.yaml', '--dry-run', 'r.jsonl', '--suppress', 'pipe'], p.dir), 'pipe', NOT_REGULAR.pipe);
    expect((await readdir(p.dir)).filter((name) => name.endsWith('.lock'))).toEqual([]);
  }, 30_000);

  it('validate still reads a pipe: validate <(cat c.csv)', async () => {
    const p = await place();
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const proc = spawnTracked('bash', ['-c', `"$0" "$1" validate <(cat c.csv) --template s.yaml --json`, process.execPath, BIN], { cwd: p.dir, env: { ...process.env, ...ENV } });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (d: Buffer) => (stdout += d));
      proc.stderr.on('data', (d: Buffer) => (stderr += d));
      proc.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 1, sendable: 1 });
  }, 20_000);
});
