import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metaSignature } from '../../src/webhook/signatures.js';
import { tempDir } from '../helpers.js';

const BIN = fileURLToPath(new URL('../../bin/wa-broadcast.js', import.meta.url));
const SECRET = 'process-test-app-secret';

describe('the webhook process', () => {
  it('acknowledges only what is on disk, and on SIGTERM flushes and exits 0, its log free of secrets', async () => {
    const dir = await tempDir();
    const events = path.join(dir, 'events.jsonl');
    const child = spawn(process.execPath, [BIN, 'webhook', '--port', '0', '--events', events], {
      cwd: dir,
      env: { ...process.env, WA_APP_SECRET: SECRET, WA_VERIFY_TOKEN: 'verify-token-secret', TWILIO_AUTH_TOKEN: 'twilio-token-secret' },
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const bodies = Array.from({ length: 50 }, (_, i) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ id: `wamid.${i}`, status: 'sent' }] } }] }] }));
    const statuses = await Promise.all(bodies.map((body) => fetch(`${url}/webhook`, { method: 'POST', body, headers: { 'x-hub-signature-256': metaSignature(body, SECRET) } }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await fetch(`${url}/webhook`, { method: 'POST', body: '{}', headers: { 'x-hub-signature-256': metaSignature('{}', 'wrong') } });
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    const lines = (await readFile(events, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(50);
    expect(stderr).toContain('webhook stopped; events flushed');
    for (const secret of [SECRET, 'verify-token-secret', 'twilio-token-secret']) expect(stderr).not.toContain(secret);
  }, 30_000);
});
