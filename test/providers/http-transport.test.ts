import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerTurns, describeFailure, heldSinceTurnBegan, httpTransport, MAX_RESPONSE_BYTES, type TransportResult } from '../../src/providers/http-transport.js';
import type { HttpRequest } from '../../src/providers/provider.js';
import { recordingServer } from '../recording-server.js';
import { timeOutWhen } from '../request-timeout.js';
import { selfSignedCert } from '../self-signed-cert.js';

const TOKEN = 'EAAG-transport-secret-5d1e';
const request = (url: string): HttpRequest => ({
  method: 'POST',
  url: `${url}/v23.0/1055551234/messages`,
  headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  body: JSON.stringify({ to: '+447400123456' }),
});

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function transport(options: Partial<Parameters<typeof httpTransport>[0]> = {}) {
  const t = httpTransport({ timeoutMs: 2000, maxSockets: 1, ...options });
  closers.push(() => t.close());
  return t;
}

async function listen<T extends HttpServer | TcpServer>(server: T): Promise<{ server: T; port: number }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => sockets.add(socket));
  server.on('secureConnection', (socket: Socket) => sockets.add(socket));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { server, port: (server.address() as AddressInfo).port };
}

/** A TLS server with a certificate made for this test; `handle` answers each request (or not). */
async function tlsServer(handle: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) {
  const { key, cert } = selfSignedCert();
  const requests: string[] = [];
  const { port } = await listen(
    createHttpsServer({ key, cert }, (req, res) => {
      req.resume();
      req.on('end', () => {
        requests.push(req.url!);
        handle(req, res);
      });
    }),
  );
  return { url: `https://127.0.0.1:${port}`, cert, requests };
}

/** A failure must be a plain record of four primitives: nothing of got's error object, which carries the request's headers. */
function expectPlainFailure(result: TransportResult) {
  expect(result.ok).toBe(false);
  expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  expect(Object.keys(result).sort()).toEqual(['code', 'message', 'ok', 'written']);
  if (result.ok) return;
  expect(typeof result.code).toBe('string');
  expect(typeof result.message).toBe('string');
  expect(result.message).not.toContain('\n');
  expect(JSON.stringify(result)).not.toContain(TOKEN);
}

describe('httpTransport: redirects', () => {
  it('a redirect is an answer, not followed: the body is never sent to the Location', async () => {
    const elsewhere = await recordingServer([{ status: 200, body: '{"messages":[{"id":"wamid.ELSEWHERE"}]}' }]);
    closers.push(() => elsewhere.close());
    const server = await recordingServer([{ status: 307, body: '', headers: { location: `${elsewhere.url}/steal` } }]);
    closers.push(() => server.close());
    const result = await transport()(request(server.url));
    expect(result).toMatchObject({ ok: true, response: { status: 307, headers: { location: `${elsewhere.url}/steal` } } });
    expect(server.requests).toHaveLength(1);
    expect(elsewhere.requests).toEqual([]);
  });
});

describe('httpTransport: what the pacer is told', () => {
  it('each request is told written, then answered once the answer came, before the result', async () => {
    const server = await recordingServer([
      { status: 200, body: '{"messages":[{"id":"wamid.ONE"}]}' },
      { status: 200, body: '{"messages":[{"id":"wamid.TWO"}]}' },
    ]);
    closers.push(() => server.close());
    const send = transport();
    const seen: string[] = [];
    const events = (n: number) => ({ written: () => void seen.push(`${n} written`), answered: () => void seen.push(`${n} answered`) });
    const first = await send(request(server.url), events(1));
    seen.push(`1 result ${first.ok}`);
    const second = await send(request(server.url), events(2));
    seen.push(`2 result ${second.ok}`);
    expect(seen).toEqual(['1 written', '1 answered', '1 result true', '2 written', '2 answered', '2 result true']);
  });
});

describe('httpTransport: TLS', () => {
  it('a TLS handshake that never completes (the server never answers the ClientHello) was not sent', async () => {
    // TCP connects, so a rule based on the TCP connection alone would call this sent.
    let connected = 0;
    const { port } = await listen(createTcpServer((socket) => void (connected++, socket.resume())));
    const send = transport({ timeoutMs: 300 });
    const result = await timeOutWhen(300, () => connected === 1, () => send(request(`https://127.0.0.1:${port}`)));
    expect(connected).toBe(1);
    expect(result).toMatchObject({ ok: false, written: false, code: 'ETIMEDOUT' });
    expectPlainFailure(result);
  });

  it('a handshake answered with something that is not TLS was not sent', async () => {
    const { port } = await listen(createTcpServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'))));
    const result = await transport()(request(`https://127.0.0.1:${port}`));
    expect(result).toMatchObject({ ok: false, written: false });
    expectPlainFailure(result);
  });

  it('a certificate that fails verification: not sent, and no request reached the server', async () => {
    const server = await tlsServer((_req, res) => res.end('{}'));
    const result = await transport()(request(server.url)); // the test's certificate is not trusted here
    expect(result).toMatchObject({ ok: false, written: false, code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(server.requests).toEqual([]);
    expectPlainFailure(result);
  });

  it('once the handshake is done the request may have gone: a drop, or no answer in time, is in doubt', async () => {
    let n = 0;
    const server = await tlsServer((req, res) => {
      if (++n === 1) req.socket.destroy();
      // the second never answers
    });
    const send = transport({ timeoutMs: 300, extraCa: [server.cert] });
    const dropped = await send(request(server.url));
    // The timeout fires once the server holds the request (the handshake is done), however long the handshake took.
    const unanswered = await timeOutWhen(300, () => server.requests.length === 2, () => send(request(server.url)));
    expect(dropped).toMatchObject({ ok: false, written: true });
    expect(unanswered).toMatchObject({ ok: false, written: true, code: 'ETIMEDOUT' });
    expect(server.requests).toHaveLength(2);
    expectPlainFailure(dropped);
    expectPlainFailure(unanswered);
  });

  it('a reused keep-alive TLS connection counts as handshaken: a reset on it is in doubt', async () => {
    let n = 0;
    const server = await tlsServer((req, res) => {
      if (++n === 1) res.end('{"messages":[{"id":"wamid.A"}]}');
      else req.socket.destroy();
    });
    const send = transport({ extraCa: [server.cert] });
    expect(await send(request(server.url))).toMatchObject({ ok: true, response: { status: 200 } });
    const second = await send(request(server.url));
    expect(second).toMatchObject({ ok: false, written: true });
    expect(server.requests).toHaveLength(2);
  });
});

describe('httpTransport: what leaves it', () => {
  it('no failure carries got’s error object or the token, whatever failed', async () => {
    const closed = await recordingServer();
    await closed.close();
    const dropping = await recordingServer(['drop']);
    const hanging = await recordingServer(['hang']);
    const huge = await recordingServer([{ status: 200, body: 'x'.repeat((1 << 20) + 10) }]);
    closers.push(() => dropping.close(), () => hanging.close(), () => huge.close());
    const results = [
      await transport()(request(closed.url)),
      await transport()(request(dropping.url)),
      await transport({ timeoutMs: 200 })(request(hanging.url)),
      await transport()(request(huge.url)),
      await transport()({ ...request('http://127.0.0.1:1'), url: 'not a url at all' }),
    ];
    expect(results.map((r) => !r.ok && r.code)).toEqual(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ERR_RESPONSE_TOO_LARGE', 'ERR_INVALID_URL']);
    for (const result of results) expectPlainFailure(result);
  });
});

describe('describeFailure: where a failure happened', () => {
  const connected = { socket: 1, connect: 2 };
  const handshaken = { socket: 1, connect: 2, secureConnect: 3 };
  it.each([
    ['no socket yet (waiting in the pool)', { code: 'ETIMEDOUT', timings: { socket: undefined } }, false, false],
    ['http: connected, then reset', { code: 'ECONNRESET', timings: connected }, false, true],
    ['https: TCP connected, handshake not done', { code: 'ETIMEDOUT', timings: connected }, true, false],
    ['https: handshake done, then reset', { code: 'ECONNRESET', timings: handshaken }, true, true],
    ['no timings at all', { code: 'ECONNRESET' }, false, false],
    // A code that means no connection came up is not sent, whatever the timings say.
    ...['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'].map((code) => [`${code}, even with connect timings`, { code, timings: handshaken }, true, false] as const),
  ] as const)('%s', (_name, error, secure, written) => {
    expect(describeFailure({ ...error, message: 'x' }, secure)).toEqual({ ok: false, written, code: error.code, message: 'x' });
  });

  it('keeps only the code and the first line of the message', () => {
    const error = Object.assign(new Error(`connect failed\nAuthorization: Bearer ${TOKEN}`), { code: 'ECONNRESET', options: { headers: { authorization: `Bearer ${TOKEN}` } }, timings: connected });
    expect(describeFailure(error, false)).toEqual({ ok: false, written: true, code: 'ECONNRESET', message: 'connect failed' });
    expect(describeFailure({ code: 42, message: { toString: () => TOKEN } }, false)).toEqual({ ok: false, written: false, code: 'ERR_UNKNOWN', message: 'the request failed' });
  });
});

// Survivors of the mutation run over http-transport.ts (TESTING.md "Surviving mutants in the critical parts").
describe('httpTransport: the sent/not-sent decision, edges', () => {
  it('a plain-http request whose URL mentions https: later is judged by plain http: connected, then dropped, is in doubt', async () => {
    let requests = 0;
    const { port } = await listen(
      createHttpServer((req) => {
        requests++;
        req.socket.destroy();
      }),
    );
    // Only the scheme says whether a TLS handshake had to come first; `https:` in the query is not the scheme.
    const result = await transport()({ ...request(`http://127.0.0.1:${port}`), url: `http://127.0.0.1:${port}/v23.0/1/messages?next=https://example.invalid` });
    expect(result).toMatchObject({ ok: false, written: true, code: 'ECONNRESET' });
    expect(requests).toBe(1);
  });

  it('an empty error code is no code: ERR_UNKNOWN', () => {
    expect(describeFailure({ code: '', message: 'x', timings: { socket: 1, connect: 2 } }, false)).toEqual({ ok: false, written: true, code: 'ERR_UNKNOWN', message: 'x' });
  });
});

// The rest of the survivors of that run: the size limit, the `written` event, the connection pool,
// and got's defaults that must stay off (retries, decompression, the cache).
describe('httpTransport: the answer size limit', () => {
  it('an answer of exactly MAX_RESPONSE_BYTES is an answer; one byte more is in doubt, and says so', async () => {
    const server = await recordingServer([
      { status: 200, body: 'x'.repeat(MAX_RESPONSE_BYTES) },
      { status: 200, body: 'x'.repeat(MAX_RESPONSE_BYTES + 1) },
    ]);
    closers.push(() => server.close());
    const send = transport();
    const exact = await send(request(server.url));
    const over = await send(request(server.url));
    expect(exact.ok && exact.response.body.length).toBe(MAX_RESPONSE_BYTES);
    expect(over).toEqual({ ok: false, written: true, code: 'ERR_RESPONSE_TOO_LARGE', message: 'an answer over 1048576 bytes' });
  });
});

/** A plain-http server on port 0 that counts the connections it accepted and keeps each one's socket. */
async function countingServer(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const sockets: Socket[] = [];
  const { server, port } = await listen(createHttpServer(handle));
  // No server-side idle timeout: a kept-alive connection stays until the client closes it.
  server.keepAliveTimeout = 0;
  server.on('connection', (socket: Socket) => sockets.push(socket));
  return { url: `http://127.0.0.1:${port}`, sockets };
}

describe('httpTransport: connections', () => {
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => res.end('{"messages":[{"id":"wamid.A"}]}'));
  };

  it('keep-alive: two requests one after the other go over one connection', async () => {
    const server = await countingServer(answer);
    const send = transport();
    expect(await send(request(server.url))).toMatchObject({ ok: true, response: { status: 200 } });
    expect(await send(request(server.url))).toMatchObject({ ok: true, response: { status: 200 } });
    expect(server.sockets).toHaveLength(1);
  });

  it('close() closes the kept-alive connection: the server sees it end, and the next request needs a new one', async () => {
    const server = await countingServer(answer);
    const send = transport();
    expect(await send(request(server.url))).toMatchObject({ ok: true });
    const first = server.sockets[0]!;
    const ended = new Promise<void>((resolve) => first.once('close', () => resolve()));
    send.close();
    await ended;
    expect(first.destroyed).toBe(true);
    expect(await send(request(server.url))).toMatchObject({ ok: true });
    expect(server.sockets).toHaveLength(2);
  });
});

describe('httpTransport: the written event', () => {
  it('fires once, when the request’s last byte went to the socket, not when the request starts', async () => {
    // A body far larger than the loopback socket buffers: when the server reads its first chunk
    // (the headers), the kernel holds at most the send buffer (4 MiB at most here) and the
    // receive buffer as it starts (128 KiB; it grows only as the reader reads), so most of the
    // body is still in the client, the request cannot have finished, and `written` must not have
    // fired yet.
    const body = 'x'.repeat(16 << 20);
    let written = 0;
    let writtenAtHeaders = -1;
    const { port } = await listen(
      createHttpServer((req, res) => {
        writtenAtHeaders = written;
        req.resume();
        req.on('end', () => res.end('{}'));
      }),
    );
    const result = await transport()({ ...request(`http://127.0.0.1:${port}`), body }, { written: () => written++ });
    expect(result).toMatchObject({ ok: true, response: { status: 200 } });
    expect(writtenAtHeaders).toBe(0);
    expect(written).toBe(1);
  });

  it('fires for a small request too, before its answer is read', async () => {
    const server = await recordingServer([{ status: 200, body: '{}' }]);
    closers.push(() => server.close());
    const order: string[] = [];
    const result = await transport()(request(server.url), { written: () => order.push('written') });
    order.push('answer');
    expect(result).toMatchObject({ ok: true });
    expect(order).toEqual(['written', 'answer']);
  });
});

describe('httpTransport: got’s defaults that stay off', () => {
  it('a GET dropped by the server is not retried: one request, in doubt', async () => {
    const server = await recordingServer(['drop', { status: 200, body: '{"data":[]}' }]);
    closers.push(() => server.close());
    const result = await transport()({ method: 'GET', url: `${server.url}/v23.0/1/message_templates`, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(result).toMatchObject({ ok: false, written: true, code: 'ECONNRESET' });
    expect(server.requests).toHaveLength(1);
    expect(server.unused()).toHaveLength(1);
  });

  it('no accept-encoding is sent (the answer is read as it comes, never decompressed)', async () => {
    const server = await recordingServer([{ status: 200, body: '{}' }]);
    closers.push(() => server.close());
    expect(await transport()(request(server.url))).toMatchObject({ ok: true });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers).not.toHaveProperty('accept-encoding');
  });

  it('a cacheable GET answer is not cached: the second look-up reaches the server and sees the change', async () => {
    const server = await recordingServer([
      { status: 200, body: '{"data":[{"status":"APPROVED"}]}', headers: { 'cache-control': 'public, max-age=3600' } },
      { status: 200, body: '{"data":[{"status":"PAUSED"}]}', headers: { 'cache-control': 'public, max-age=3600' } },
    ]);
    closers.push(() => server.close());
    const send = transport();
    const get = () => send({ method: 'GET', url: `${server.url}/v23.0/1/message_templates?name=hello`, headers: {} });
    const first = await get();
    const second = await get();
    expect(first.ok && first.response.body).toBe('{"data":[{"status":"APPROVED"}]}');
    expect(second.ok && second.response.body).toBe('{"data":[{"status":"PAUSED"}]}');
    expect(server.requests).toHaveLength(2);
  });
});

describe('httpTransport: how long an answer was held before it was read', () => {
  it('claimed only on Linux and with sockets far below libuv’s batch of 1,024', () => {
    expect(answerTurns(512, 'linux')).toBe(true);
    expect(answerTurns(513, 'linux')).toBe(false);
    expect(answerTurns(16, 'darwin')).toBe(false);
    expect(answerTurns(16, 'win32')).toBe(false);
  });

  it('the first answer of a turn was held 0; a later one in the same turn, since the first; the next turn begins again at 0', async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(heldSinceTurnBegan()).toBe(0);
    const began = performance.now();
    while (performance.now() === began) {
      // until the clock moves: the second answer of the turn is handled later than the first
    }
    const later = heldSinceTurnBegan();
    expect(later).toBeGreaterThan(0);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(heldSinceTurnBegan()).toBe(0);
  });

  it('a later answer of the turn is told exactly the time since the turn’s first (performance.now stubbed)', async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const now = vi.spyOn(performance, 'now').mockReturnValueOnce(1_000).mockReturnValueOnce(1_250.5).mockReturnValueOnce(1_400);
    try {
      expect(heldSinceTurnBegan()).toBe(0);
      expect(heldSinceTurnBegan()).toBe(250.5);
      expect(heldSinceTurnBegan()).toBe(400);
    } finally {
      now.mockRestore();
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  });

  it('each request is told a hold of 0 or more when its answer came', async () => {
    const server = await recordingServer([{ status: 200, body: '{}' }]);
    closers.push(() => server.close());
    const held: number[] = [];
    expect(await transport()(request(server.url), { answered: (ms) => void held.push(ms) })).toMatchObject({ ok: true });
    expect(held).toHaveLength(1);
    expect(held[0]).toBeGreaterThanOrEqual(0);
  });
});
