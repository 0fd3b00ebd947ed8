import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Runs the built launcher as a user would (`npm test` builds first), to prove the bin, the exit
// codes and the output streams end to end.
const BIN = fileURLToPath(new URL('../../bin/wa-broadcast.js', import.meta.url));
const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

async function bin(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: SAMPLES });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the wa-broadcast bin', () => {
  it('validates the samples with --json: exit 0, one JSON object on stdout', async () => {
    const { code, stdout, stderr } = await bin(['validate', 'campaign.csv', '--template', 'spring-sale.yaml', '--suppress', 'suppress.csv', '--json']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ rows: 20, sendable: 12 });
  });

  it('exits 2 with one line and no stack trace for bad input', async () => {
    const { code, stdout, stderr } = await bin(['validate', 'missing.csv', '--template', 'spring-sale.yaml']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('wa-broadcast: missing.csv: no such file\n');
  });
});
