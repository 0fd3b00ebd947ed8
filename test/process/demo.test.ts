import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { track } from './cli-process.js';

// `npm run demo` is the README's first command: it must keep working as the tool grows (it once
// stopped halfway, exit 1, while every other test passed). Run as npm runs it (on the current build), with its temp folder inside ours so that it is cleaned up.
const DEMO = fileURLToPath(new URL('../../scripts/demo.js', import.meta.url));

describe('npm run demo', () => {
  it('runs every step to the end, exit 0, and nobody is sent twice', async () => {
    const dir = await tempDir();
    const demo = promisify(execFile)(process.execPath, [DEMO], { env: { PATH: process.env.PATH, TMPDIR: dir }, maxBuffer: 16 << 20 });
    track(demo.child);
    const { stdout, stderr } = await demo;
    const steps = [...stdout.matchAll(/^── (\d+b?)\. /gm)].map((match) => match[1]);
    expect(steps).toEqual(['0', '1', '1b', '2', '2', '2', '3', '4', '5', '6', '7', '8']);
    // Step 3 sends again on the same ledger: everyone is already done.
    expect(stderr).toMatch(/nothing to send \(\d+ already done/);
    expect(stdout.slice(stdout.indexOf('── 3. '), stdout.indexOf('── 4. '))).not.toMatch(/accepted\s*│\s*[1-9]/);
    // Step 7 sends the retry list as if a day later, the emulated platform a day later too: the one
    // due retry goes at once (on the platform's own clock it saw that number seconds ago, and its
    // pair rate, 131056, would hold it back 6 s in real time).
    expect(stderr).toMatch(/done: 1 accepted, 0 failed, 0 in doubt, 0 skipped, 0 rejected, 0 retries in/);
    expect(stdout).toMatch(/^The emulator received \d+ requests\./m);
    const work = (await readdir(dir)).filter((name) => name.startsWith('wa-broadcast-demo-'));
    expect(work).toHaveLength(1);
    // Every file holding phone numbers (the copied campaign and suppression list, the ledgers, the
    // events, the lists) is 0600, whoever wrote it.
    const files = (await readdir(path.join(dir, work[0]!), { recursive: true })).filter((name) => /\.(csv|jsonl)$/.test(name));
    expect(files).toEqual(expect.arrayContaining(['campaign.csv', 'suppress.csv', 'events.jsonl', 'campaign.cloud.ledger.jsonl', path.join('lists', 'retry.csv')]));
    const modes = await Promise.all(files.map(async (name) => [name, ((await stat(path.join(dir, work[0]!, name))).mode & 0o777).toString(8)]));
    expect(modes.filter(([, mode]) => mode !== '600')).toEqual([]);
  }, 120_000);
});
