import { chmod, mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { run } from '../helpers.js';
import { ENV, NOT_REGULAR, place, refused } from '../regular-files.js';

/*
 * Only regular files are ledgers, events files, lists and dry-run files: anything else is exit 2
 * with one line naming the path, before anything is written or chmod-ed. Devices, folders,
 * missing folders and dangling links, in-process; named pipes in test/process/regular-files.test.ts.
 */

describe('send: the ledger and the dry-run file must be regular files', () => {
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
});

describe('send: the CSV and --suppress must be regular files (send reads the CSV twice)', () => {
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
});
