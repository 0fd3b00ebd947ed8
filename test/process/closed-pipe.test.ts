import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/emulator-server.js';
import { SUMMARY_FILE } from '../../src/reconcile/reconcile-campaign.js';
import { RECONCILE_LISTS } from '../../src/reconcile/reconcile-lists.js';
import { tempDir } from '../helpers.js';
import { BIN, spawnTracked } from './cli-process.js';

// `wa-broadcast … | head -c 10`: the reader leaves early. Real processes with real pipes, since
// what breaks is Node's handling of a write to a pipe nobody reads (EPIPE).
const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

interface Closing {
  /** `at-once`: the reader is gone before the first write; a number: it reads that many bytes first. */
  stdout: 'at-once' | number;
  stderr?: 'at-once';
}

function runClosed(args: string[], closing: Closing, env: NodeJS.ProcessEnv, cwd: string) {
  const child = spawnTracked(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let head = Buffer.alloc(0);
  let stderr = '';
  if (closing.stdout === 'at-once') child.stdout.destroy();
  else {
    const wanted = closing.stdout;
    child.stdout.on('data', (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]).subarray(0, wanted);
      if (head.length >= wanted) child.stdout.destroy();
    });
  }
  if (closing.stderr === 'at-once') child.stderr.destroy();
  else child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise<{ code: number | null; signal: string | null; head: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, head: head.toString(), stderr }));
  });
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function samples() {
  const dir = await tempDir();
  for (const file of ['campaign.csv', 'spring-sale.yaml', 'suppress.csv']) await copyFile(path.join(SAMPLES, file), path.join(dir, file));
  return dir;
}

async function emulatorEnv() {
  const emulator = await startEmulator({ port: 0, mps: 1000 });
  stops.push(emulator.close);
  return { WA_API_URL: emulator.url, WA_TOKEN: 'emulator-token', WA_PHONE_NUMBER_ID: '100000000000001' };
}

const outcomes = async (ledger: string) =>
  (await readFile(ledger, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .filter((r) => r.type === 'outcome')
    .map((r) => r.outcome);

describe('output into a pipe whose reader has gone', () => {
  it('validate --json | head -c 10: exits 0, no stack trace', async () => {
    const dir = await tempDir();
    // 20,000 rows without consent: a report of about 1.5 MB, far more than a pipe holds.
    const rows = Array.from({ length: 20_000 }, (_, i) => `+4474001${String(i).padStart(5, '0')},no,Ana,20%,X,`);
    await writeFile(path.join(dir, 'big.csv'), `phone,opt_in,first_name,discount,code,country\n${rows.join('\n')}\n`);
    await copyFile(path.join(SAMPLES, 'spring-sale.yaml'), path.join(dir, 'spring-sale.yaml'));
    const result = await runClosed(['validate', 'big.csv', '--template', 'spring-sale.yaml', '--json'], { stdout: 10 }, {}, dir);
    expect(result).toEqual({ code: 0, signal: null, head: '{"csv":"bi', stderr: '' });
  });

  it('validate, human report, reader gone before the first write: exits 0, no stack trace', async () => {
    const dir = await samples();
    const result = await runClosed(['validate', 'campaign.csv', '--template', 'spring-sale.yaml'], { stdout: 'at-once' }, {}, dir);
    expect(result).toEqual({ code: 0, signal: null, head: '', stderr: '' });
  });

  it('send --json with stdout closed: sends everything, records it, exits 0', async () => {
    const dir = await samples();
    const env = await emulatorEnv();
    const result = await runClosed(['send', 'campaign.csv', '--template', 'spring-sale.yaml', '--suppress', 'suppress.csv', '--yes', '--json', '--mps', '500'], { stdout: 'at-once' }, env, dir);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/EPIPE|at .*\.js|unexpected/);
    expect(await outcomes(path.join(dir, 'campaign.ledger.jsonl'))).toEqual(Array(12).fill('accepted'));
  });

  it('send, human output, with stdout and stderr both closed: sends everything, records it, exits 0', async () => {
    const dir = await samples();
    const env = await emulatorEnv();
    const result = await runClosed(['send', 'campaign.csv', '--template', 'spring-sale.yaml', '--suppress', 'suppress.csv', '--yes', '--mps', '500'], { stdout: 'at-once', stderr: 'at-once' }, env, dir);
    expect(result.code).toBe(0);
    expect(await outcomes(path.join(dir, 'campaign.ledger.jsonl'))).toEqual(Array(12).fill('accepted'));
  });

  it('send that stops (a bad token) with stdout closed keeps its own exit code, 3, and says why', async () => {
    const dir = await samples();
    const env = { ...(await emulatorEnv()), WA_TOKEN: 'EAAwrong-token' };
    const result = await runClosed(['send', 'campaign.csv', '--template', 'spring-sale.yaml', '--yes', '--json'], { stdout: 'at-once' }, env, dir);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^wa-broadcast: stopped: .*\(190\)/m);
    expect(result.stderr).not.toMatch(/EPIPE|at .*\.js/);
  });

  it('reconcile --json with stdout closed: writes the lists, exits 0', async () => {
    const dir = await samples();
    const env = await emulatorEnv();
    const sent = await runClosed(['send', 'campaign.csv', '--template', 'spring-sale.yaml', '--yes', '--json'], { stdout: 'at-once' }, env, dir);
    expect(sent.code).toBe(0);
    const result = await runClosed(['reconcile', '--ledger', 'campaign.ledger.jsonl', '--out', 'lists', '--json'], { stdout: 'at-once', stderr: 'at-once' }, {}, dir);
    expect(result.code).toBe(0);
    expect((await readdir(path.join(dir, 'lists'))).sort()).toEqual([...RECONCILE_LISTS.map((list) => list.file), SUMMARY_FILE].sort());
  });
});

describe('output nobody can take (not a reader that left)', () => {
  it('validate --json > /dev/full: exit 1, and stderr says the output was lost', async () => {
    const { openSync, closeSync } = await import('node:fs');
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawnTracked(process.execPath, [BIN, 'validate', path.join(SAMPLES, 'campaign.csv'), '--template', path.join(SAMPLES, 'spring-sale.yaml'), '--json'], { stdio: ['ignore', full, 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect([code, stderr]).toEqual([1, 'wa-broadcast: the output could not be written (stdout: ENOSPC)\n']);
    } finally {
      closeSync(full);
    }
  });
});
