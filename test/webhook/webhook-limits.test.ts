import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlAppender, type AppendFile } from '../../src/fs/jsonl-appender.js';
import { metaSignature } from '../../src/providers/cloud-api/meta-signature.js';
import type { EventRecord } from '../../src/webhook/event-record.js';
import { startWebhook, type RunningWebhook, type WebhookOptions } from '../../src/webhook/webhook-server.js';
import { tempDir } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';

/**
 * The receiver under slow and excess clients: the cap, the deadlines and close(), on a manual
 * clock (no real waiting), with raw sockets playing the slow clients.
 */

const SECRET = 'limits-app-secret';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An events file in memory whose writes wait for `open()`: requests stay "being answered" until then. */
function gatedFile() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const chunks: Buffer[] = [];
  const file: AppendFile = {
    write: async (data) => {
      await gate;
      chunks.push(Buffer.from(data));
      return data.length;
    },
    sync: async () => undefined,
    truncate: async () => undefined,
    size: async () => 0,
    close: async () => undefined,
  };
  return { file, open, lines: () => Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EventRecord) };
}

async function receiver(options: Partial<WebhookOptions> & { file?: AppendFile } = {}) {
  const clock = new ManualClock();
  const logs: string[] = [];
  const { file, ...rest } = options;
  const events = await JsonlAppender.open<EventRecord>(path.join(await tempDir(), 'events.jsonl'), file ? { openFile: async () => file } : {});
  const webhook = await startWebhook({
    port: 0,
    events,
    secrets: { WA_APP_SECRET: SECRET },
    allowUnsigned: false,
    publicUrl: undefined,
    clock,
    log: (line) => logs.push(line),
    ...rest,
  });
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= webhook.close());
  cleanups.push(async () => {
    void close();
    // Whatever a test left open goes with the grace.
    for (let i = 0; i < 20 && total(webhook) > 0; i++) await clock.advance(250);
    await close();
  });
  return { webhook, clock, logs, close };
}

function total(webhook: RunningWebhook): number {
  const { waiting, reading, answering } = webhook.connections();
  return waiting + reading + answering;
}

interface RawClient {
  socket: Socket;
  received: () => string;
  closed: () => boolean;
}

/** A raw TCP client that writes `first` and then only what the test tells it to. */
async function rawClient(url: string, first = ''): Promise<RawClient> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  let received = '';
  let closed = false;
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (first) socket.write(first);
  cleanups.push(() => socket.destroy());
  return { socket, received: () => received, closed: () => closed };
}

/**
 * Waits for what the server does over loopback (real I/O; the deadlines are on the manual clock):
 * checks after each turn of the event loop, whose I/O phase delivers it, with no timer of its own,
 * so no time is waited for; gives up after many turns with nothing.
 */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turns = 0; !condition(); turns++) {
    if (turns > 200_000) throw new Error(`still waiting for: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const BODY = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ id: 'wamid.LIMITS', status: 'delivered' }] } }] }] });

/** A signed callback on a connection of its own, as a provider sends it. */
function callback(url: string, body = BODY): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/webhook`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body, SECRET) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A whole signed callback as raw HTTP/1.1, keep-alive (no `Connection: close`). */
function signedRequest(body = BODY): string {
  return `POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Hub-Signature-256: ${metaSignature(body, SECRET)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const HALF_HEADERS = 'POST /webhook HTTP/1.1\r\nHost: x\r\n';
const HEADERS_AND_SOME_BODY = 'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{';

describe('webhook: connection cap', () => {
  it('at the cap, a newcomer evicts the connection stuck longest, so a signed callback is answered', async () => {
    const { webhook, clock, logs } = await receiver({ limits: { maxConnections: 4 } });
    const headers = await rawClient(webhook.url, HALF_HEADERS); // waiting since 0
    await until(() => total(webhook) === 1, 'first connection');
    await clock.advance(100);
    const body = await rawClient(webhook.url, HEADERS_AND_SOME_BODY); // reading since 100
    await until(() => webhook.connections().reading === 1, 'headers of the body sender');
    await clock.advance(100);
    const silent = await rawClient(webhook.url); // waiting since 200
    await clock.advance(100);
    const silent2 = await rawClient(webhook.url); // waiting since 300
    await until(() => total(webhook) === 4, 'four connections');

    await clock.advance(100);
    const fifth = await rawClient(webhook.url);
    await until(headers.closed, 'the oldest, still sending headers, evicted');
    await clock.advance(100);
    await rawClient(webhook.url);
    await until(body.closed, 'the next oldest, sending a body, evicted');
    expect((await callback(webhook.url)).status).toBe(200);
    await until(silent.closed, 'the next one evicted for the callback');
    expect([silent2.closed(), fifth.closed()]).toEqual([false, false]);
    expect(total(webhook)).toBe(3);
    expect(logs.join('\n')).toContain('evicted at the 4-connection cap');
  });

  it('never evicts a request being answered: with every slot answering, the newcomer is refused', async () => {
    const gated = gatedFile();
    const { webhook, logs } = await receiver({ limits: { maxConnections: 2 }, file: gated.file });
    const answers = [callback(webhook.url, BODY.replace('LIMITS', 'one')), callback(webhook.url, BODY.replace('LIMITS', 'two'))];
    await until(() => webhook.connections().answering === 2, 'two callbacks being answered');
    const newcomer = await rawClient(webhook.url, HALF_HEADERS);
    await until(newcomer.closed, 'the newcomer refused');
    expect(newcomer.received()).toBe('');
    gated.open();
    expect((await Promise.all(answers)).map((a) => a.status)).toEqual([200, 200]);
    expect(gated.lines().map((e) => JSON.parse(e.raw).entry[0].changes[0].value.statuses[0].id).sort()).toEqual(['wamid.one', 'wamid.two']);
    expect(logs.join('\n')).toContain('1 refused at the cap');
  });
});

describe('webhook: slow clients', () => {
  it('closes a connection whose headers are not complete 5 s after it opened, however steadily they trickle', async () => {
    const { webhook, clock, logs } = await receiver();
    const slow = await rawClient(webhook.url, 'POST /webhook HTTP/1.1\r\n');
    await until(() => total(webhook) === 1, 'the connection');
    for (const byte of 'X-Tri') {
      await clock.advance(990);
      slow.socket.write(byte);
    }
    expect(webhook.connections().waiting).toBe(1);
    await clock.advance(60);
    await until(slow.closed, 'slow headers closed at 5 s');
    expect(logs.join('\n')).toContain('1 sent no complete headers within 5 s');
  });

  it('answers 408 and closes when a body has not arrived in full 5 s after its headers, however steadily it trickles', async () => {
    const { webhook, clock } = await receiver();
    const slow = await rawClient(webhook.url, HEADERS_AND_SOME_BODY);
    await until(() => webhook.connections().reading === 1, 'headers read');
    for (let i = 0; i < 5; i++) {
      await clock.advance(990);
      slow.socket.write(' ');
    }
    expect(webhook.connections().reading).toBe(1);
    await clock.advance(100);
    await until(slow.closed, 'slow body closed at 5 s');
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a keep-alive connection left idle for 5 s after its answer', async () => {
    const { webhook, clock } = await receiver();
    const client = await rawClient(webhook.url, signedRequest());
    await until(() => client.received().includes('\r\n\r\nok'), 'the 200');
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    await until(() => webhook.connections().waiting === 1, 'back to waiting');
    await clock.advance(4900);
    expect(webhook.connections().waiting).toBe(1);
    await clock.advance(200);
    await until(client.closed, 'idle keep-alive closed');
  });
});

describe('webhook: close()', () => {
  it('closes waiting connections at once, finishes the answer in progress, gives a body one second, then flushes', async () => {
    const gated = gatedFile();
    const { webhook, clock, close } = await receiver({ file: gated.file });
    // On a keep-alive connection: close() must end it once answered, not leave it to idle.
    const keptAlive = await rawClient(webhook.url, signedRequest());
    await until(() => webhook.connections().answering === 1, 'the callback being answered');
    const idle = await rawClient(webhook.url, HALF_HEADERS);
    const body = await rawClient(webhook.url, HEADERS_AND_SOME_BODY);
    await until(() => webhook.connections().reading === 1 && webhook.connections().waiting === 1, 'a slow header sender and a slow body');

    let closed = false;
    const closing = close().then(() => (closed = true));
    await until(idle.closed, 'the waiting connection closed at once');
    gated.open();
    await until(keptAlive.closed, 'the answered connection closed');
    expect(keptAlive.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n(.+\r\n)*Connection: close\r\n(.+\r\n)*\r\nok$/i);
    await clock.advance(900);
    expect([body.closed(), closed]).toEqual([false, false]);
    await clock.advance(200);
    await until(body.closed, 'the slow body closed after the grace');
    await closing;
    expect(gated.lines()).toHaveLength(1);
  });
});
