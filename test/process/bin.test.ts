import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

// Runs the built launcher as a user would, to prove the bin, the exit codes and the output streams end to end.
const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

const bin = (args: string[]) => runCli(args, { cwd: SAMPLES });

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
