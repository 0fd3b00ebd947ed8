import { readFile, unlink } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WriteError } from '../../src/errors.js';
import { JsonlAppender, type AppendFile } from '../../src/fs/jsonl-appender.js';
import { openRegularFile } from '../../src/fs/open-regular-file.js';
import { writableFile } from '../../src/fs/writable-file.js';
import { metaSignature } from '../../src/providers/cloud-api/meta-signature.js';
import { twilioSignature } from '../../src/providers/twilio/twilio-signature.js';
import type { EventRecord } from '../../src/webhook/event-record.js';
import { MAX_CALLBACK_BYTES, startWebhook, type RunningWebhook, type WebhookOptions } from '../../src/webhook/webhook-server.js';
import { FaultyDisk } from '../fs/faulty-disk.js';
import { tempDir } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';

/**
 * What the receiver answers and logs, exactly: the status lines and headers of its answers, the
 * log lines (and how often they come, on a manual clock), the body size limit at its boundary,
 * the Host a URL signature is checked against, and what close() says.
 */

const SECRET = 'answers-app-secret';
const TWILIO_TOKEN = 'answers-twilio-token';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Receiver {
  webhook: RunningWebhook;
  clock: ManualClock;
  logs: string[];
  file: string;
  close: () => Promise<void>;
  lines: () => Promise<EventRecord[]>;
}

async function receiver(options: Partial<WebhookOptions> & { disk?: FaultyDisk; file?: AppendFile } = {}): Promise<Receiver> {
  const clock = new ManualClock();
  const logs: string[] = [];
  const { disk, file: appendFile, ...rest } = options;
  const file = path.join(await tempDir(), 'events.jsonl');
  const events = await JsonlAppender.open<EventRecord>(file, {
    afterFailure: 'retry',
    ...(disk ? { openFile: async (name: string) => disk.wrap(writableFile(await openRegularFile(name, 'append', { mode: 0o600 }))) } : {}),
    ...(appendFile ? { openFile: async () => appendFile } : {}),
  });
  const webhook = await startWebhook({
    port: 0,
    events,
    secrets: { WA_APP_SECRET: SECRET, WA_VERIFY_TOKEN: 'verify-token-x', TWILIO_AUTH_TOKEN: TWILIO_TOKEN },
    allowUnsigned: false,
    publicUrl: undefined,
    clock,
    log: (line) => logs.push(line),
    ...rest,
  });
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= webhook.close());
  cleanups.push(async () => {
    const closing = close().catch(() => undefined);
    for (let i = 0; i < 20 && total(webhook) > 0; i++) await clock.advance(250);
    await closing;
  });
  const lines = async () => {
    await close();
    const text = await readFile(file, 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EventRecord);
  };
  return { webhook, clock, logs, file, close, lines };
}

function total(webhook: RunningWebhook): number {
  const { waiting, reading, answering } = webhook.connections();
  return waiting + reading + answering;
}

/**
 * Waits for what the server does over loopback, turn by turn of the event loop (no timer, so no
 * time is waited for); gives up after many turns.
 */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turns = 0; !condition(); turns++) {
    if (turns > 200_000) throw new Error(`still waiting for: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface Raw {
  socket: Socket;
  received: () => string;
  closed: () => boolean;
}

/** A raw TCP client: writes `first`, then what the test writes on `socket`. */
async function raw(url: string, first: string | Buffer = ''): Promise<Raw> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  let received = '';
  let closed = false;
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (first.length > 0) socket.write(first);
  cleanups.push(() => socket.destroy());
  return { socket, received: () => received, closed: () => closed };
}

/** One whole HTTP/1.1 exchange on its own connection (`Connection: close`): the answer as received. */
async function exchange(url: string, request: string | Buffer): Promise<string> {
  const client = await raw(url, request);
  await until(client.closed, 'the answer and the close');
  return client.received();
}

/** The status line, the headers (lower-cased names) and the body of a raw answer. */
function parse(answer: string): { status: string; headers: Record<string, string>; body: string } {
  const at = answer.indexOf('\r\n\r\n');
  const [status, ...lines] = answer.slice(0, at).split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  }));
  let body = answer.slice(at + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    let decoded = '';
    for (let rest = body; ;) {
      const eol = rest.indexOf('\r\n');
      const size = parseInt(rest.slice(0, eol), 16);
      if (size === 0) break;
      decoded += rest.slice(eol + 2, eol + 2 + size);
      rest = rest.slice(eol + 2 + size + 2);
    }
    body = decoded;
  }
  return { status: status!, headers, body };
}

function metaBody(id = 'wamid.ANS'): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ id, status: 'delivered' }] } }] }] });
}

function post(pathAndQuery: string, body: string | Buffer, headers: Record<string, string> = {}, host = 'Host: x\r\n'): Buffer {
  const head = `POST ${pathAndQuery} HTTP/1.1\r\n${host}Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head), Buffer.from(body)]);
}

function signedMeta(body = metaBody()): Buffer {
  return post('/webhook', body, { 'Content-Type': 'application/json', 'X-Hub-Signature-256': metaSignature(body, SECRET) });
}

describe('webhook answers: status, headers, body', () => {
  it('answers 200 "ok" as UTF-8 text with its length, and stamps the event with the injected clock', async () => {
    const r = await receiver();
    await r.clock.advance(1234);
    const answer = parse(await exchange(r.webhook.url, signedMeta()));
    expect(answer.status).toBe('HTTP/1.1 200 OK');
    expect([answer.headers['content-type'], answer.headers['content-length'], answer.body]).toEqual(['text/plain; charset=utf-8', '2', 'ok']);
    const [event] = await r.lines();
    expect(event!.received_at).toBe(new Date(Date.UTC(2026, 10, 24) + 1234).toISOString());
    expect(r.logs).toEqual([]);
  });

  it('answers 404 "not found" to an unknown path, to a GET where there is no handshake, and to another method', async () => {
    const r = await receiver();
    for (const request of [
      'GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET /twilio/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'PUT /webhook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}',
    ]) {
      const answer = parse(await exchange(r.webhook.url, request));
      expect([answer.status, answer.headers['content-type'], answer.headers['content-length'], answer.body]).toEqual(['HTTP/1.1 404 Not Found', 'text/plain; charset=utf-8', '9', 'not found']);
    }
    expect(await r.lines()).toEqual([]);
  });

  it('logs a refused handshake, and not an accepted one', async () => {
    const r = await receiver();
    const ok = parse(await exchange(r.webhook.url, 'GET /webhook?hub.mode=subscribe&hub.verify_token=verify-token-x&hub.challenge=77 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    expect([ok.status, ok.body]).toEqual(['HTTP/1.1 200 OK', '77']);
    expect(r.logs).toEqual([]);
    const refused = parse(await exchange(r.webhook.url, 'GET /webhook?hub.mode=subscribe&hub.verify_token=no&hub.challenge=77 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    expect([refused.status, refused.body]).toEqual(['HTTP/1.1 403 Forbidden', 'forbidden']);
    expect(r.logs).toEqual(['webhook: subscription handshake refused (wrong hub.verify_token)']);
  });

  it('logs each refused callback with its status and reason, and answers the reason', async () => {
    const r = await receiver();
    const missing = parse(await exchange(r.webhook.url, post('/webhook', metaBody(), { 'Content-Type': 'application/json' })));
    expect([missing.status, missing.body]).toEqual(['HTTP/1.1 401 Unauthorized', 'missing X-Hub-Signature-256']);
    expect(r.logs).toEqual(['webhook: 401 missing X-Hub-Signature-256']);
  });

  it('without TWILIO_AUTH_TOKEN refuses every Twilio callback before reading it, and the connection stays usable', async () => {
    const r = await receiver({ secrets: { WA_APP_SECRET: SECRET } });
    const form = 'MessageSid=SMx&MessageStatus=delivered';
    // Two requests on one keep-alive connection: the first's body must be read past for the second to be parsed.
    const one = `POST /twilio/status HTTP/1.1\r\nHost: x\r\nContent-Length: ${form.length}\r\n\r\n${form}`;
    const client = await raw(r.webhook.url, one + one.replace('HTTP/1.1\r\n', 'HTTP/1.1\r\nConnection: close\r\n'));
    await until(client.closed, 'both answers');
    const answers = client.received().split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((answer) => [parse(answer).status, parse(answer).body])).toEqual([
      ['HTTP/1.1 403 Forbidden', 'Twilio callbacks need TWILIO_AUTH_TOKEN'],
      ['HTTP/1.1 403 Forbidden', 'Twilio callbacks need TWILIO_AUTH_TOKEN'],
    ]);
    expect(r.logs).toEqual(['webhook: 403 Twilio callbacks need TWILIO_AUTH_TOKEN', 'webhook: 403 Twilio callbacks need TWILIO_AUTH_TOKEN']);
  });

  it('without TWILIO_AUTH_TOKEN answers 403 on the headers, without waiting for the body', async () => {
    const r = await receiver({ secrets: { WA_APP_SECRET: SECRET } });
    const client = await raw(r.webhook.url, 'POST /twilio/status HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nMessageSid=');
    await until(() => client.received().includes('Twilio callbacks need TWILIO_AUTH_TOKEN'), 'the 403');
    expect(parse(client.received()).status).toBe('HTTP/1.1 403 Forbidden');
  });

  it('stores no idempotency_token for a Twilio callback without one', async () => {
    const r = await receiver();
    const form = new URLSearchParams({ MessageSid: `SM${'b'.repeat(32)}`, MessageStatus: 'sent' });
    const signature = twilioSignature('http://x/twilio/status', form, TWILIO_TOKEN);
    const answer = parse(await exchange(r.webhook.url, post('/twilio/status', form.toString(), { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature })));
    expect(answer.status).toBe('HTTP/1.1 200 OK');
    const [event] = await r.lines();
    expect(Object.keys(event!)).toEqual(['type', 'received_at', 'provider', 'path', 'facts', 'raw']);
  });
});

describe('webhook: the URL a Twilio signature is checked against', () => {
  const form = new URLSearchParams({ MessageSid: `SM${'c'.repeat(32)}`, MessageStatus: 'delivered' });
  const twilio = (signedUrl: string, host: string) =>
    post('/twilio/status?cid=r-1-1', form.toString(), { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilioSignature(signedUrl, form, TWILIO_TOKEN) }, host);

  it('is http:// and the request’s Host without --public-url, http://localhost with no Host at all', async () => {
    const r = await receiver();
    expect(parse(await exchange(r.webhook.url, twilio('http://hooks.internal:8080/twilio/status?cid=r-1-1', 'Host: hooks.internal:8080\r\n'))).status).toBe('HTTP/1.1 200 OK');
    // HTTP/1.0 may leave Host out.
    const noHost = twilio('http://localhost/twilio/status?cid=r-1-1', '').toString().replace('HTTP/1.1', 'HTTP/1.0');
    expect(parse(await exchange(r.webhook.url, noHost)).status).toBe('HTTP/1.1 200 OK');
    expect(await r.lines()).toHaveLength(2);
  });

  it('is --public-url with the request’s path and query, a trailing slash of --public-url dropped', async () => {
    const r = await receiver({ publicUrl: 'https://hooks.example.com/' });
    expect(parse(await exchange(r.webhook.url, twilio('https://hooks.example.com/twilio/status?cid=r-1-1', 'Host: x\r\n'))).status).toBe('HTTP/1.1 200 OK');
    expect(parse(await exchange(r.webhook.url, twilio('http://x/twilio/status?cid=r-1-1', 'Host: x\r\n'))).status).toBe('HTTP/1.1 403 Forbidden');
    expect(r.logs).toEqual(['webhook: 403 bad X-Twilio-Signature (checked against https://hooks.example.com/twilio/status?cid=r-1-1; behind a proxy, pass --public-url)']);
  });

  it('a Host no URL can be made of: 500, and the log says why', async () => {
    const r = await receiver();
    const answer = parse(await exchange(r.webhook.url, signedMeta(metaBody()).toString().replace('Host: x', 'Host: a:b:c')));
    expect([answer.status, answer.body]).toEqual(['HTTP/1.1 500 Internal Server Error', '']);
    expect(r.logs).toEqual(['webhook: Invalid URL']);
    expect(await r.lines()).toEqual([]);
  });
});

describe('webhook: the body size limit at its edge', () => {
  /** Valid JSON of exactly `size` bytes. */
  const jsonOf = (size: number) => {
    const shell = '{"object":"whatsapp_business_account","pad":""}';
    return shell.replace('""', `"${'p'.repeat(size - shell.length)}"`);
  };

  it('takes a body of exactly 1 MiB, declared or chunked; refuses one byte more', async () => {
    const r = await receiver();
    const exact = jsonOf(MAX_CALLBACK_BYTES);
    expect(Buffer.byteLength(exact)).toBe(MAX_CALLBACK_BYTES);
    expect(parse(await exchange(r.webhook.url, signedMeta(exact))).status).toBe('HTTP/1.1 200 OK');
    const chunked = (body: string) =>
      `POST /webhook HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nX-Hub-Signature-256: ${metaSignature(body, SECRET)}\r\nTransfer-Encoding: chunked\r\n\r\n` +
      `${(body.length - 10).toString(16)}\r\n${body.slice(0, -10)}\r\na\r\n${body.slice(-10)}\r\n0\r\n\r\n`;
    expect(parse(await exchange(r.webhook.url, chunked(exact))).status).toBe('HTTP/1.1 200 OK');
    const over = jsonOf(MAX_CALLBACK_BYTES + 1);
    const refused = parse(await exchange(r.webhook.url, chunked(over)));
    expect([refused.status, refused.headers['content-type'], refused.headers.connection, refused.body]).toEqual(['HTTP/1.1 413 Payload Too Large', 'text/plain', 'close', 'payload too large']);
    expect((await r.lines()).map((event) => event.raw.length)).toEqual([MAX_CALLBACK_BYTES, MAX_CALLBACK_BYTES]);
  });

  it('answers 413 to a declared length over the limit before any of the body arrives, and closes', async () => {
    const r = await receiver();
    const client = await raw(r.webhook.url, `POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${MAX_CALLBACK_BYTES + 1}\r\n\r\n`);
    await until(client.closed, 'the 413 and the close');
    const answer = parse(client.received());
    expect([answer.status, answer.headers.connection, answer.body]).toEqual(['HTTP/1.1 413 Payload Too Large', 'close', 'payload too large']);
  });

  it('a client that leaves in the middle of its body gets no answer, and nothing is logged or stored', async () => {
    const r = await receiver();
    const client = await raw(r.webhook.url, `POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"object":`);
    await until(() => r.webhook.connections().reading === 1, 'the body being read');
    client.socket.destroy();
    await until(() => total(r.webhook) === 0, 'the connection gone');
    expect(await r.lines()).toEqual([]);
    expect(r.logs).toEqual([]);
  });
});

describe('webhook: how often a failed save is logged', () => {
  it('the first 503 at once, then a count at most every 10 s, and the rest when a save succeeds', async () => {
    const disk = new FaultyDisk();
    const r = await receiver({ disk });
    disk.free = 0;
    const status = async (id: string) => parse(await exchange(r.webhook.url, signedMeta(metaBody(id)))).status;
    const first = parse(await exchange(r.webhook.url, signedMeta(metaBody('wamid.1'))));
    expect([first.status, first.body]).toEqual(['HTTP/1.1 503 Service Unavailable', 'the event could not be saved; retry later']);
    expect(r.logs[0]).toMatch(/^webhook: 503 an event could not be saved: .*ENOSPC/);
    await r.clock.advance(9_999);
    expect(await status('wamid.2')).toBe('HTTP/1.1 503 Service Unavailable');
    expect(r.logs).toHaveLength(1);
    await r.clock.advance(1);
    expect(await status('wamid.3')).toBe('HTTP/1.1 503 Service Unavailable');
    expect(r.logs).toHaveLength(2);
    expect(r.logs[1]).toMatch(/^webhook: 503 2 events could not be saved: .*ENOSPC/);
    await r.clock.advance(1);
    expect(await status('wamid.4')).toBe('HTTP/1.1 503 Service Unavailable');
    expect(r.logs).toHaveLength(2);
    disk.free = Infinity;
    expect(await status('wamid.5')).toBe('HTTP/1.1 200 OK');
    expect(r.logs).toHaveLength(3);
    expect(r.logs[2]).toMatch(/^webhook: 503 an event could not be saved: .*ENOSPC/);
    // Nothing left to say at close, and it resolves (the last write succeeded).
    await r.close();
    expect(r.logs).toHaveLength(3);
  });

  it('close names the one callback not saved since the last saved one', async () => {
    const disk = new FaultyDisk();
    const r = await receiver({ disk });
    expect(parse(await exchange(r.webhook.url, signedMeta(metaBody('wamid.1')))).status).toBe('HTTP/1.1 200 OK');
    disk.free = 0;
    expect(parse(await exchange(r.webhook.url, signedMeta(metaBody('wamid.2')))).status).toBe('HTTP/1.1 503 Service Unavailable');
    const error = await r.close().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as WriteError).message).toBe(
      'not flushed: the last write failed with no space left on device (ENOSPC); 1 callback since the last saved one was answered 503 and not saved, so the provider sends them again',
    );
    expect((error as WriteError).location?.file).toBe(r.file);
  });
});

describe('webhook: connections closed for being slow, in the log', () => {
  const HALF_HEADERS = 'POST /webhook HTTP/1.1\r\nHost: x\r\n';
  const SOME_BODY = 'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{';

  it('one line at once, then what came meanwhile at most every 10 s, naming the limits in seconds; nothing at close when nothing is left', async () => {
    const r = await receiver({ limits: { headersMs: 2000, bodyMs: 3000 } });
    const a = await raw(r.webhook.url, HALF_HEADERS);
    await until(() => total(r.webhook) === 1, 'the first connection');
    await r.clock.advance(2000);
    await until(a.closed, 'the slow headers closed at 2 s');
    expect(r.logs).toEqual(['webhook: closed connections: 1 sent no complete headers within 2 s']);

    const b = await raw(r.webhook.url, SOME_BODY);
    await until(() => r.webhook.connections().reading === 1, 'the body being read');
    await r.clock.advance(3000);
    await until(b.closed, 'the slow body closed at 3 s');
    expect(b.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(r.logs).toHaveLength(1);

    await r.clock.advance(10_000 - r.clock.now());
    const c = await raw(r.webhook.url, HALF_HEADERS);
    await until(() => total(r.webhook) === 1, 'the third connection');
    await r.clock.advance(2000);
    await until(c.closed, 'the third closed, 10 s after the first line');
    expect(r.logs).toEqual([
      'webhook: closed connections: 1 sent no complete headers within 2 s',
      'webhook: closed connections: 1 sent no complete headers within 2 s, 1 sent no complete body within 3 s',
    ]);
    await r.close();
    expect(r.logs).toHaveLength(2);
  });

  it('what was held back is said at close', async () => {
    const r = await receiver({ limits: { headersMs: 2000, bodyMs: 3000 } });
    for (let i = 0; i < 2; i++) {
      const slow = await raw(r.webhook.url, HALF_HEADERS);
      await until(() => total(r.webhook) === 1, 'a connection');
      await r.clock.advance(2000);
      await until(slow.closed, 'slow headers closed');
    }
    expect(r.logs).toEqual(['webhook: closed connections: 1 sent no complete headers within 2 s']);
    await r.close();
    expect(r.logs).toEqual(['webhook: closed connections: 1 sent no complete headers within 2 s', 'webhook: closed connections: 1 sent no complete headers within 2 s']);
  });
});

describe('webhook: the lock lost while a callback is being saved', () => {
  it('answers that callback 503 too, though its line was written, and close counts it', async () => {
    const file = path.join(await tempDir(), 'events.jsonl');
    const lost: string[] = [];
    // No heartbeat: the loss is noticed by the check made beside the callback's own write.
    const events = await JsonlAppender.open<EventRecord>(file, { afterFailure: 'retry', every: () => () => undefined, onLost: (why) => lost.push(why) });
    const webhook = await startWebhook({ port: 0, events, secrets: { WA_APP_SECRET: SECRET }, allowUnsigned: false, publicUrl: undefined, clock: new ManualClock() });
    cleanups.push(() => webhook.close().catch(() => undefined));
    expect(parse(await exchange(webhook.url, signedMeta(metaBody('wamid.1')))).status).toBe('HTTP/1.1 200 OK');
    await unlink(`${file}.lock`);
    const answer = parse(await exchange(webhook.url, signedMeta(metaBody('wamid.2'))));
    expect([answer.status, answer.body]).toEqual(['HTTP/1.1 503 Service Unavailable', 'the events file is no longer this receiver’s; retry later']);
    expect(lost).toHaveLength(1);
    expect((await readFile(file, 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
    await expect(webhook.close()).rejects.toThrow(/; 1 callback\(s\) since were answered 503, so the provider sends them again; run one receiver per events file, then start it again$/);
  });
});
