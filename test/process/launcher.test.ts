import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { BIN, track } from './cli-process.js';

// For `send`, the launcher keeps V8's young generation at its first size (bin/wa-broadcast.js says
// why). A preloaded probe allocates, at exit, objects that survive a few collections (what makes
// V8 grow the young generation) and reports the largest young generation it saw.
const PLAIN = fileURLToPath(new URL('../../bench/plain-launcher.js', import.meta.url));
const PROBE = `import v8 from 'node:v8';
import { writeSync } from 'node:fs';
process.on('exit', () => {
  const keep = [];
  let largest = 0;
  for (let i = 0; i < 600000; i++) {
    keep.push({ i, pair: [i, i] });
    if (keep.length > 20000) keep.splice(0, 10000);
    if (i % 5000 === 0) largest = Math.max(largest, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
  }
  writeSync(2, 'young generation: ' + largest + '\\n');
});
`;

async function youngGeneration(launcher: string, command: string): Promise<{ stdout: string; bytes: number }> {
  const probe = path.join(await tempDir(), 'probe.mjs');
  await writeFile(probe, PROBE);
  const started = promisify(execFile)(process.execPath, [launcher, command, '--help'], { env: { ...process.env, NODE_OPTIONS: `--import=${probe}` } });
  track(started.child);
  const { stdout, stderr } = await started;
  return { stdout, bytes: Number(/young generation: (\d+)/.exec(stderr)![1]) };
}

describe('the launcher', () => {
  it('keeps the young generation at its first size for send (2 MB: two 1 MB semi-spaces); elsewhere V8 grows it', async () => {
    const [send, validate, plainSend] = await Promise.all([youngGeneration(BIN, 'send'), youngGeneration(BIN, 'validate'), youngGeneration(PLAIN, 'send')]);
    expect(send.stdout).toContain('Usage: wa-broadcast send');
    expect(send.bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    // V8's defaults for the other commands; and without the launcher's setting the probe does make
    // V8 grow it (the check above is not vacuous).
    expect(validate.bytes).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(plainSend.bytes).toBeGreaterThanOrEqual(8 * 1024 * 1024);
  });
});
