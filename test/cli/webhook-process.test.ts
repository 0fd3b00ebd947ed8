import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { metaSignature } from '../../src/providers/cloud-api/meta-signature.js';
import { tempDir } from '../helpers.js';

const BIN = fileURLToPath(new URL('../../bin/wa-broadcast.js', import.meta.url));
const SECRET = 'process-test-app-secret';

describe('the webhook process', () => {
  it('acknowledges only what is on disk, and on SIGTERM flushes and exits 0, its log free of secrets', async () => {
    const dir = await tempDir();
    const events = path.join(dir, 'events.jsonl');
    const child = spawn(process.execPath, [BIN, 'webhook', '--port', '0', '--events', events], {
      cwd: dir,
      env: { ...process.env, WA_APP_SECRET: SECRET, WA_VERIFY_TOKEN: 'verify-token-secret', TWILIO_AUTH_TOKEN: 'twilio-token-secret', WA_TOKEN: 'wa-send-token-secret' },
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
    // One payload echoes our secrets (a provider's error text, say): what is stored must not.
    const echo = `${SECRET} verify-token-secret ${encodeURIComponent('twilio-token-secret')} wa-send-token-secret`;
    const bodies = Array.from({ length: 50 }, (_, i) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ id: `wamid.${i}`, status: 'sent', ...(i === 0 ? { echo } : {}) }] } }] }] }));
    const statuses = await Promise.all(bodies.map((body) => fetch(`${url}/webhook`, { method: 'POST', body, headers: { 'x-hub-signature-256': metaSignature(body, SECRET) } }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await fetch(`${url}/webhook`, { method: 'POST', body: '{}', headers: { 'x-hub-signature-256': metaSignature('{}', 'wrong') } });
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    const stored = await readFile(events, 'utf8');
    const lines = stored.trim().split('\n');
    expect(lines).toHaveLength(50);
    const storedStatuses = lines.map((line) => JSON.parse(JSON.parse(line).raw).entry[0].changes[0].value.statuses[0]);
    expect(storedStatuses.find((status) => status.id === 'wamid.0').echo).toBe('[redacted] [redacted] [redacted] [redacted]');
    expect(stderr).toContain('webhook stopped; events flushed');
    for (const secret of [SECRET, 'verify-token-secret', 'twilio-token-secret', 'wa-send-token-secret']) {
      expect(stderr).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
  }, 30_000);

  it('keeps answering signed callbacks with 300 slow clients connected under a 256-file limit, and on SIGTERM exits 0 with them still connected', async () => {
    const dir = await tempDir();
    const events = path.join(dir, 'events.jsonl');
    // The usual small limit (1024 on many systems), scaled down: without a cap, 300 slow clients
    // use up the descriptors and every real callback is reset.
    const slow = new Set<Socket>();
    let stopping = false;
    let connected = 0;
    const timers: NodeJS.Timeout[] = [];
    const child = spawn('sh', ['-c', 'ulimit -n 256 && exec "$0" "$@"', process.execPath, BIN, 'webhook', '--port', '0', '--events', events], {
      cwd: dir,
      env: { ...process.env, WA_APP_SECRET: SECRET },
    });
    onTestFinished(() => {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      for (const socket of slow) socket.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const { url, stderr } = await listening(child);
    const port = Number(new URL(url).port);

    // A third trickle headers, a third trickle a body, a third say nothing; each reconnects when closed.
    const open = (i: number) => {
      const socket = connect(port, '127.0.0.1');
      slow.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        slow.delete(socket);
        if (!stopping) setTimeout(() => !stopping && open(i), 200).unref();
      });
      socket.on('connect', () => {
        connected++;
        if (i % 3 === 0) socket.write('POST /webhook HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        if (i % 3 === 1) socket.write('POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{');
      });
    };
    for (let i = 0; i < 300; i++) open(i);
    timers.push(setInterval(() => {
      for (const socket of slow) if (socket.readyState === 'open') socket.write('a');
    }, 200));
    for (let waited = 0; connected < 300; waited += 5) {
      if (waited > 5000) throw new Error(`only ${connected} slow clients connected`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    const statuses: (number | string)[] = [];
    for (let round = 0; round < 10; round++) {
      statuses.push(
        ...(await Promise.all(
          [0, 1, 2].map((k) => {
            const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ id: `wamid.${round}-${k}`, status: 'read' }] } }] }] });
            return signedPost(port, body);
          }),
        )),
      );
    }
    expect(statuses).toEqual(Array(30).fill(200));

    const stillConnected = [...slow].filter((socket) => socket.readyState === 'open').length;
    expect(stillConnected).toBeGreaterThan(50);
    stopping = true;
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const deadline = new Promise<string>((resolve) => timers.push(setTimeout(() => resolve('still running 8 s after SIGTERM'), 8000)));
    expect(await Promise.race([exit, deadline])).toBe(0);
    expect((await readFile(events, 'utf8')).trim().split('\n')).toHaveLength(30);
    expect(stderr()).toContain('evicted at the 128-connection cap');
    expect(stderr()).toContain('webhook stopped; events flushed');
  }, 30_000);
});

/** Waits for the receiver's "listening on" line. */
function listening(child: ChildProcessWithoutNullStreams): Promise<{ url: string; stderr: () => string }> {
  let text = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (match) resolve({ url: match[1]!, stderr: () => text });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
}

/** A signed callback on a connection of its own, as a provider sends it; the status, or the error code. */
function signedPost(port: number, body: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/webhook', method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body, SECRET) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end(body);
  });
}
