import { execFileSync } from 'node:child_process';
import { mkdir, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { fixture, type RunResult } from './helpers.js';
import { intent, jsonl, outcome, runRecord } from './reconcile/events.js';
import { HELLO_SPEC as SPEC } from './hello-spec.js';

// Shared by test/process/regular-files.test.ts (named pipes: an open that blocks must hang a child,
// not the test runner's thread pool) and test/cli/regular-files.test.ts (the rest, in-process).

export const ENV = { WA_API_URL: 'http://127.0.0.1:9', WA_TOKEN: 'token', WA_PHONE_NUMBER_ID: '1', WA_APP_SECRET: 'secret' };
const LEDGER = jsonl([runRecord(), intent('+447400000001', 'c1', 1, { phone: '+447400000001', opt_in: 'yes', name: 'A' }), outcome('+447400000001', 'c1', 'failed', '131026', 'sms_fallback')]);

/** A folder with a campaign, a named pipe, a character device (the null device), a folder. */
export async function place() {
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

export function refused(result: RunResult, file: string, reason: RegExp) {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]!.startsWith(`wa-broadcast: ${file}: `), lines[0]).toBe(true);
  expect(lines[0]).toMatch(reason);
  expect(result.stderr).not.toMatch(/unexpected error|to send:/);
}

export const NOT_REGULAR = {
  pipe: /is a named pipe \(FIFO\), not a regular file/,
  device: /is a character device, not a regular file/,
  folder: /is a folder, not a regular file/,
};

