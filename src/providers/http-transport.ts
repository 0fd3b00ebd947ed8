import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import got, { type Got } from 'got';
import type { HttpGetRequest, HttpRequest, HttpResponse } from './provider.js';

/**
 * What happened to one HTTP request: an answer, or a failure that says whether the request may
 * have reached the provider. A failure is never the client's error object: got's errors carry the
 * request options, Authorization header included.
 */
export type TransportResult =
  | { ok: true; response: HttpResponse }
  | { ok: false; written: boolean; code: string; message: string };

/** What a send's caller may be told while the request is under way. */
export interface TransportEvents {
  /** The request's last byte went to the socket (the pacer's window is kept on these times). */
  written?(): void;
  /**
   * The answer's headers arrived: the provider had stamped the request by then (the pacer's margin
   * for it, pacer.ts). `heldMs`: how long before now the answer was there to be read, at least
   * (`answerTurns` below), 0 when the transport cannot tell.
   */
  answered?(heldMs: number): void;
}

export type Transport = (request: HttpRequest, events?: TransportEvents) => Promise<TransportResult>;
/** The same client for the template look-ups' GETs. */
export type GetTransport = (request: HttpGetRequest) => Promise<TransportResult>;

// Failures that happen before a byte of the request can reach the provider: safe to send again.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** An answer longer than this is not a provider's: the request is treated as in doubt. */
export const MAX_RESPONSE_BYTES = 1 << 20;

export interface TransportOptions {
  /** Longest wait for a whole request, in milliseconds. */
  timeoutMs: number;
  /** Sockets kept open per host; matches the in-flight cap. */
  maxSockets: number;
  /** Certificate authorities (PEM) trusted besides the system's: tests use a self-signed one. */
  extraCa?: string[];
}

/**
 * HTTP through got (DESIGN.md's pick), its options built once: keep-alive agents, no retries (the
 * pipeline decides retries: a silent retry after a timeout could send a message twice), no
 * redirects (a redirect would re-send the body somewhere else), every status an answer, one
 * timeout for the whole request.
 */
export function httpTransport(options: TransportOptions): Transport & GetTransport & { close(): void } {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  const ca = options.extraCa?.length ? [...tls.rootCertificates, ...options.extraCa] : undefined;
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent({ ...agentOptions, ...(ca ? { ca } : {}) }) };
  const client: Got = got.extend({
    agent: agents,
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    timeout: { request: options.timeoutMs },
    // Providers answer small JSON; nothing to cache, decompress or resolve twice.
    decompress: false,
    cache: false,
    dnsCache: false,
    request: leanRequest,
  });

  /**
   * got's stream interface, not its promise: the same request (options, agent, timeout, errors and
   * their timings), without the promise layer's per-request machinery (a cancelable promise, an
   * event emitter proxying the stream's events, the body buffered through an async iterator, the
   * download-progress events): a quarter less CPU per request and half the old-generation
   * collections in a bare loop, which at 1,000 MPS is what lets a loaded sender read its answers
   * sooner (BENCHMARKS.md, "Pacing at the receiver", seventh round). The answer is small JSON: its
   * chunks are kept as they come and joined once.
   */
  const turns = answerTurns(options.maxSockets);
  const send = (request: HttpRequest | HttpGetRequest, events?: TransportEvents): Promise<TransportResult> =>
    new Promise<TransportResult>((resolve) => {
      const secure = /^https:/i.test(request.url);
      // Everything got does is inside the try or its error event: whatever it throws, its error object stays here.
      try {
        const stream = client.stream(request.url, { method: request.method, headers: request.headers, body: request.method === 'POST' ? request.body : undefined });
        let settled = false;
        const settle = (result: TransportResult) => {
          if (settled) return;
          settled = true;
          resolve(result);
        };
        const { written, answered } = events ?? {};
        if (written || answered) {
          stream.once('request', (sent: http.ClientRequest) => {
            // Node's ClientRequest finishes once its last byte was handed to the socket.
            if (written) {
              if (sent.writableFinished) written();
              else sent.once('finish', () => written());
            }
              // Node's own event, once the answer's headers are parsed (got's comes after its own set-up).
            if (answered) sent.once('response', () => answered(turns ? heldSinceTurnBegan() : 0));
          });
        }
        let status = 0;
        let headers: http.IncomingHttpHeaders = {};
        stream.once('response', (response: http.IncomingMessage) => {
          status = response.statusCode ?? 0;
          headers = response.headers;
        });
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            stream.destroy();
            settle({ ok: false, written: true, code: 'ERR_RESPONSE_TOO_LARGE', message: `an answer over ${MAX_RESPONSE_BYTES} bytes` });
            return;
          }
          chunks.push(chunk);
        });
        stream.once('end', () => {
          const body = chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString();
          settle({ ok: true, response: { status, headers, body } });
        });
        stream.once('error', (error: unknown) => settle(describeFailure(error, secure)));
      } catch (error) {
        resolve(describeFailure(error, secure));
      }
    });
  return Object.assign(send, {
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
}

/**
 * Evidence of when an answer came, beyond when it was read: on a loaded machine this process reads
 * its answers late (round trips of 17–36 ms at 1,000 MPS with a core busy elsewhere, 1–4 ms quiet,
 * BENCHMARKS.md), and in one turn it may read a few dozen, one after another, each with the work it
 * sets off (outcomes, the next requests) before the next is read. Node parses an HTTP answer in the
 * callback that read its bytes from the socket, in the event loop's poll phase, and that phase waits
 * for the kernel once (epoll_wait on Linux) and then runs the callback of each socket that was
 * readable then, once each, unless that one wait returned libuv's whole batch of 1,024 sockets
 * (then it waits again, at once). A keep-alive connection carries one request at a time (Node's
 * agent never pipelines), so a socket readable when the phase began held its answer's first bytes
 * then: every answer handled in a turn was there to be read by the time the turn's first answer
 * was handled, and the provider had stamped its request before that. An answer's headers handled
 * later in the turn were held that much longer than its read says: `heldSinceTurnBegan`, with the
 * turn ended by a setImmediate (the check phase comes after the poll phase, before the next wait).
 * Only on Linux (the epoll loop this argument reads) and with at most MAX_TURN_SOCKETS sockets, far
 * below the batch; otherwise nothing is claimed (0).
 */
export function answerTurns(maxSockets: number, platform: string = process.platform): boolean {
  return platform === 'linux' && maxSockets <= MAX_TURN_SOCKETS;
}

/** Sockets a transport may hold for `heldSinceTurnBegan` to be claimed: half libuv's batch, for the other handles (files, timers, stdio). */
const MAX_TURN_SOCKETS = 512;

/** When this turn of the event loop handled its first answer (performance.now()), until its check phase. */
let turnBegan: number | undefined;
const endTurn = () => {
  turnBegan = undefined;
};

/** How long ago (ms) this turn's first answer was handled: 0 for the first. */
export function heldSinceTurnBegan(): number {
  const now = performance.now();
  if (turnBegan === undefined) {
    turnBegan = now;
    setImmediate(endTurn);
    return 0;
  }
  return now - turnBegan;
}

/**
 * got's request function (its `request` option) for Node's own, given got's options less those it
 * left undefined: got builds some thirty of them for every request, most undefined, and Node
 * copies the object twice more on its way to the socket (the agent, the ClientRequest); V8 builds
 * such a copy the slow way, a few kilobytes each, so that at 1,000 MPS the copies were a fifth of
 * what the sender allocated (and its young-generation collections a third of its CPU). Node reads
 * an undefined option as an absent one, so the request is the same.
 */
function leanRequest(url: URL, native: http.RequestOptions): http.ClientRequest {
  const options: http.RequestOptions = {};
  for (const key in native) {
    const value = native[key as keyof http.RequestOptions];
    if (value !== undefined) (options as Record<string, unknown>)[key] = value;
  }
  return (url.protocol === 'https:' ? https : http).request(url, options);
}

/** What a got error says of the connection: its timings (http-timer) record each phase reached. */
interface TimedError {
  code?: string;
  message?: string;
  timings?: { connect?: number; secureConnect?: number; socket?: number };
}

/**
 * Where a failure happened. Before the connection (and for https the TLS handshake) was up,
 * nothing reached the provider: not sent, safe to retry. After, every failure degrades to "may
 * have been sent". A socket reused from the keep-alive pool counts as connected (http-timer stamps
 * its `connect` at once). Only the code and the first line of the message leave this function.
 */
export function describeFailure(error: unknown, secure: boolean): TransportResult {
  const { code: rawCode, message: rawMessage, timings } = (error ?? {}) as TimedError;
  // Copies of two strings, nothing else: the error itself (its options, its request) stays behind.
  const code = typeof rawCode === 'string' && rawCode !== '' ? rawCode : 'ERR_UNKNOWN';
  const message = firstLine(typeof rawMessage === 'string' ? rawMessage : 'the request failed');
  const connected = timings !== undefined && (secure ? timings.secureConnect !== undefined : timings.connect !== undefined);
  if (!connected || NOT_SENT.has(code)) return { ok: false, written: false, code, message };
  return { ok: false, written: true, code, message };
}

/** Not cut short here: the pipeline redacts credentials first, then cuts (a cut secret cannot be recognised). */
function firstLine(text: string): string {
  return text.split('\n')[0]!;
}
