import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, run, type RunResult } from '../helpers.js';
import { BIN, runCli, spawnTracked } from './cli-process.js';
import { intent, jsonl, outcome, runRecord } from '../reconcile/events.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';

/*
 * Only regular files are ledgers, events files, lists and dry-run files: anything else is exit 2
 * with one line naming the path, before anything is written or chmod-ed, and without hanging.
 * Named pipes run in a child process (an open that blocks would hang the test runner's thread pool).
 */
const ENV = { WA_API_URL: 'http://127.0.0.1:9', WA_TOKEN: 'token', WA_PHONE_NUMBER_ID: '1', WA_APP_SECRET: 'secret' };
const LEDGER = jsonl([runRecord(), intent('+447400000001', 'c1', 1, { phone: '+447400000001', opt_in: 'yes', name: 'A' }), outcome('+447400000001', 'c1', 'failed', '131026', 'sms_fallback')]);

/** A folder with a campaign, a named pipe, a character device (the null device), a folder. */
async function place() {
  const dir = await fixture({ 'c.csv': 'phone,opt_in,name\n+447400000001,yes,A\n', 's.yaml': SPEC, 'l.jsonl': LEDGER });
  execFileSync('mkfifo', [path.join(dir, 'pipe')]);
  const device = path.join(dir, 'device');
  // As root, a real character device of our own (the null device's numbers); otherwise /dev/null by a link.
  if (process.getuid?.() === 0) execFileSync('mknod', ['-m', '666', device, 'c', '1', '3']);
  else await symlink('/dev/null', device);
  await mkdir(path.join(dir, 'folder'));
  const deviceMode = (await stat(device)).mode;
  return { dir, at: (name: string) => path.join(dir, name), deviceMode, device };
}

/** Runs the bin in a child: a hang fails the test at its timeout, and the child is killed then (cli-process.ts). */
async function child(args: string[], cwd: string): Promise<RunResult> {
  const { code, stdout, stderr } = await runCli(args, { cwd, env: { ...process.env, ...ENV } });
  return { code: code ?? -1, stdout, stderr };
}

function refused(result: RunResult, file: string, reason: RegExp) {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]!.startsWith(`wa-broadcast: ${file}: `), lines[0]).toBe(true);
  expect(lines[0]).toMatch(reason);
  expect(result.stderr).not.toMatch(/unexpected error|to send:/);
}

const NOT_REGULAR = {
  pipe: /is a named pipe \(FIFO\), not a regular file/,
  device: /is a character device, not a regular file/,
  folder: /is a folder, not a regular file/,
};

describe('send: the ledger and the dry-run file must be regular files', () => {
  it('a named pipe as --ledger: exit 2 at once, no hang', async () => {
    const p = await place();
    refused(await child(['send', 'c.csv', '--template', 's.yaml', '--yes', '--ledger', 'pipe'], p.dir), 'pipe', NOT_REGULAR.pipe);
    expect((await stat(p.at('pipe'))).isFIFO()).toBe(true);
  }, 20_000);

  it('a character device or a folder as --ledger: exit 2 naming it, its mode unchanged, no lock left', async () => {
    const p = await place();
    refused(await run(['send', p.at('c.csv'), '--template', p.at('s.yaml'), '--yes', '--ledger', p.device], ENV), p.device, NOT_REGULAR.device);
    expect((await stat(p.device)).mode).toBe(p.deviceMode);
    refused(await run(['send', p.at('c.csv'), '--template', p.at('s.yaml'), '--yes', '--ledger', p.at('folder')], ENV), p.at('folder'), NOT_REGULAR.folder);
    expect((await readdir(p.dir)).filter((name) => name.endsWith('.lock'))).toEqual([]);
  });

  it('a --ledger in a folder that does not exist: exit 2 naming it (not "unexpected error: ENOENT … .lock")', async () => {
    const p = await place();
    const ledger = p.at('missing/c.ledger.jsonl');
    refused(await run(['send', p.at('c.csv'), '--template', p.at('s.yaml'), '--yes', '--ledger', ledger], ENV), ledger, /the folder .*missing does not exist/);
  });

  it('a lock that cannot be created (a folder in its place): exit 2 naming it', async () => {
    const p = await place();
    await mkdir(p.at('c.ledger.jsonl.lock'));
    refused(await run(['send', p.at('c.csv'), '--template', p.at('s.yaml'), '--yes'], ENV), p.at('c.ledger.jsonl.lock'), NOT_REGULAR.folder);
  });

  it('--dry-run into a named pipe: exit 2 at once, no hang', async () => {
    const p = await place();
    refused(await child(['send', 'c.csv', '--template', 's.yaml', '--dry-run', 'pipe'], p.dir), 'pipe', NOT_REGULAR.pipe);
  }, 20_000);

  it('--dry-run into a device, a folder or a missing folder: exit 2 naming it, the device untouched', async () => {
    const p = await place();
    const dryRun = (file: string) => run(['send', p.at('c.csv'), '--template', p.at('s.yaml'), '--dry-run', file], ENV);
    refused(await dryRun(p.device), p.device, NOT_REGULAR.device);
    expect((await stat(p.device)).mode).toBe(p.deviceMode);
    refused(await dryRun(p.at('folder')), p.at('folder'), NOT_REGULAR.folder);
    refused(await dryRun(p.at('missing/requests.jsonl')), p.at('missing/requests.jsonl'), /the folder .*missing does not exist/);
  });

  it('--dry-run over an existing file of another mode leaves it 0600', async () => {
    const p = await place();
    const file = p.at('requests.jsonl');
    await writeFile(file, 'old\n');
    await chmod(file, 0o644);
    const result = await run(['send', p.at('c.csv'), '--template', p.at('s.yaml'), '--dry-run', file], ENV);
    expect(result.code, result.stderr).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});

describe('webhook: the events file must be a regular file', () => {
  it('a named pipe as --events: exit 2 at once, no hang', async () => {
    const p = await place();
    refused(await child(['webhook', '--port', '0', '--events', 'pipe'], p.dir), 'pipe', NOT_REGULAR.pipe);
  }, 20_000);

  it('a device, a folder, a missing folder: exit 2 naming it, the device untouched', async () => {
    const p = await place();
    const webhook = (file: string) => run(['webhook', '--port', '0', '--events', file], ENV);
    refused(await webhook(p.device), p.device, NOT_REGULAR.device);
    expect((await stat(p.device)).mode).toBe(p.deviceMode);
    refused(await webhook(p.at('folder')), p.at('folder'), NOT_REGULAR.folder);
    refused(await webhook(p.at('missing/events.jsonl')), p.at('missing/events.jsonl'), /the folder .*missing does not exist/);
  });
});

describe('reconcile: inputs and lists must be regular files', () => {
  it('a named pipe as --ledger or --events: exit 2 at once, no hang', async () => {
    const p = await place();
    refused(await child(['reconcile', '--ledger', 'pipe', '--out', 'lists'], p.dir), 'pipe', NOT_REGULAR.pipe);
    refused(await child(['reconcile', '--ledger', 'l.jsonl', '--events', 'pipe', '--out', 'lists'], p.dir), 'pipe', NOT_REGULAR.pipe);
  }, 20_000);

  it('a device or a folder as --ledger: exit 2 naming it', async () => {
    const p = await place();
    refused(await run(['reconcile', '--ledger', p.device, '--out', p.at('lists')]), p.device, NOT_REGULAR.device);
    refused(await run(['reconcile', '--ledger', p.at('folder'), '--out', p.at('lists')]), p.at('folder'), NOT_REGULAR.folder);
  });

  it("an --out whose parent does not exist: exit 2 naming it, nothing created", async () => {
    const p = await place();
    const out = p.at('missing/lists');
    refused(await run(['reconcile', '--ledger', p.at('l.jsonl'), '--out', out]), out, /the folder .*missing does not exist/);
    await expect(stat(p.at('missing'))).rejects.toThrow();
  });

  it('an --out that is a symbolic link to nothing: exit 2 saying so', async () => {
    const p = await place();
    const out = p.at('dangling');
    await symlink(p.at('nowhere'), out);
    refused(await run(['reconcile', '--ledger', p.at('l.jsonl'), '--out', out]), out, /is a symbolic link to a folder that does not exist$/);
  });

  it('a --ledger that is a symbolic link to nothing: send says so before any plan', async () => {
    const p = await place();
    const ledger = p.at('gone.jsonl');
    await symlink(p.at('nowhere.jsonl'), ledger);
    refused(await run(['send', p.at('c.csv'), '--template', p.at('s.yaml'), '--ledger', ledger, '--yes'], ENV, p.dir), ledger, /is a symbolic link to a file that does not exist$/);
  });

  it('a folder or a named pipe where a list goes: exit 2 naming it, nothing replaced', async () => {
    const p = await place();
    await mkdir(p.at('lists'));
    await mkdir(p.at('lists/retry.csv'));
    refused(await run(['reconcile', '--ledger', p.at('l.jsonl'), '--out', p.at('lists')]), p.at('lists/retry.csv'), NOT_REGULAR.folder);
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

  it('a folder or a device as the CSV or as --suppress: exit 2 naming it, no lock left', async () => {
    const p = await place();
    for (const [where, reason] of [
      [p.at('folder'), NOT_REGULAR.folder],
      [p.device, NOT_REGULAR.device],
    ] as const) {
      refused(await run(['send', where, '--template', p.at('s.yaml'), '--yes', '--ledger', p.at('l.jsonl')], ENV), where, reason);
      refused(await run(['send', p.at('c.csv'), '--template', p.at('s.yaml'), '--yes', '--ledger', p.at('l.jsonl'), '--suppress', where], ENV), where, reason);
    }
    expect((await readdir(p.dir)).filter((name) => name.endsWith('.lock'))).toEqual([]);
  });

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
