import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { metaSignature } from '../../src/providers/cloud-api/meta-signature.js';
import { tempDir } from '../helpers.js';
import { serveCli } from './cli-process.js';

const SECRET = 'process-test-app-secret';

describe('the webhook process', () => {
  it('acknowledges only what is on disk, and on SIGTERM flushes and exits 0, its log free of secrets', async () => {
    const dir = await tempDir();
    const events = path.join(dir, 'events.jsonl');
    const webhook = await serveCli(['webhook', '--port', '0', '--events', events], {
      cwd: dir,
      env: { ...process.env, WA_APP_SECRET: SECRET, WA_VERIFY_TOKEN: 'verify-token-secret', TWILIO_AUTH_TOKEN: 'twilio-token-secret', WA_TOKEN: 'wa-send-token-secret' },
    });
    const { url } = webhook;
    // One payload echoes our secrets (a provider's error text, say): what is stored must not.
    const echo = `${SECRET} verify-token-secret ${encodeURIComponent('twilio-token-secret')} wa-send-token-secret`;
    const bodies = Array.from({ length: 50 }, (_, i) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ id: `wamid.${i}`, status: 'sent', ...(i === 0 ? { echo } : {}) }] } }] }] }));
    const statuses = await Promise.all(bodies.map((body) => fetch(`${url}/webhook`, { method: 'POST', body, headers: { 'x-hub-signature-256': metaSignature(body, SECRET) } }).then((r) => r.status)));
    expect(statuses).toEqual(Array(50).fill(200));
    await fetch(`${url}/webhook`, { method: 'POST', body: '{}', headers: { 'x-hub-signature-256': metaSignature('{}', 'wrong') } });
    webhook.child.kill('SIGTERM');
    expect(await webhook.exited).toEqual({ code: 0, signal: null });
    const stderr = webhook.stderr();
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
    onTestFinished(() => {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      for (const socket of slow) socket.destroy();
    });
    const webhook = await serveCli(['webhook', '--port', '0', '--events', events], { cwd: dir, env: { ...process.env, WA_APP_SECRET: SECRET }, shell: 'ulimit -n 256 && exec "$0" "$@"' });
    const port = Number(new URL(webhook.url).port);
    let allConnected: () => void;
    const everyoneConnected = new Promise<void>((resolve) => (allConnected = resolve));

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
        if (++connected === 300) allConnected();
        if (i % 3 === 0) socket.write('POST /webhook HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        if (i % 3 === 1) socket.write('POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{');
      });
    };
    for (let i = 0; i < 300; i++) open(i);
    timers.push(setInterval(() => {
      for (const socket of slow) if (socket.readyState === 'open') socket.write('a');
    }, 200));
    await everyoneConnected;

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
    webhook.child.kill('SIGTERM');
    // Exits with them connected (within the test's timeout, after which the helper kills it).
    expect(await webhook.exited).toEqual({ code: 0, signal: null });
    expect((await readFile(events, 'utf8')).trim().split('\n')).toHaveLength(30);
    expect(webhook.stderr()).toContain('evicted at the 128-connection cap');
    expect(webhook.stderr()).toContain('webhook stopped; events flushed');
  }, 30_000);
});

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
