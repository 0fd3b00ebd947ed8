import http from 'node:http';
import https from 'node:https';
import type { HttpRequest, HttpResponse } from './provider.js';

/**
 * What happened to one HTTP request: an answer, or a failure that says whether the request may
 * have reached the provider. A failure is never the client's error object: that can carry the
 * request, Authorization included.
 */
export type TransportResult =
  | { ok: true; response: HttpResponse }
  | { ok: false; written: boolean; code: string; message: string };

export type Transport = (request: HttpRequest) => Promise<TransportResult>;

// Failures that happen before a byte of the request can reach the provider: safe to send again.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** An answer longer than this is not a provider's: the request is treated as in doubt. */
const MAX_RESPONSE_BYTES = 1 << 20;

export interface TransportOptions {
  /** Longest wait for a whole request, in milliseconds. */
  timeoutMs: number;
  /** Sockets kept open per host; matches the in-flight cap. */
  maxSockets: number;
}

/**
 * Node's own http/https client with keep-alive agents. No retries (the pipeline decides retries: a
 * silent retry after a timeout could send a message twice), no redirects, every status an answer.
 *
 * Not got (DESIGN's pick): at 1,000 requests/s with 150 ms answers a bare got loop costs 52 % of a
 * core and 130 MB, node:http 22 % and 64 MB on the same machine (BENCHMARKS.md), and the send
 * goals (≤ 50 % of a core, ≤ 200 MB) cannot be met on top of got. What got added here (a
 * timeout, the body as text, error codes) is a few lines.
 */
export function httpTransport(options: TransportOptions): Transport & { close(): void } {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const send = (request: HttpRequest): Promise<TransportResult> =>
    new Promise((resolve) => {
      const secure = request.url.startsWith('https:');
      const body = Buffer.from(request.body);
      // Whether the request could have reached the provider: a socket connected (a reused
      // keep-alive one is), and for TLS its handshake done.
      let connected = false;
      let settled = false;
      const finish = (result: TransportResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const client = secure ? https : http;
      const req = client.request(
        request.url,
        { method: request.method, headers: { ...request.headers, 'content-length': String(body.length) }, agent: secure ? agents.https : agents.http },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy(Object.assign(new Error(`an answer over ${MAX_RESPONSE_BYTES} bytes`), { code: 'ERR_RESPONSE_TOO_LARGE' }));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => finish({ ok: true, response: { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') } }));
          res.on('error', (error) => finish(describeFailure(error, true)));
        },
      );
      req.on('socket', (socket) => {
        // A socket from the keep-alive pool is already connected; a new one says when it is.
        if (!socket.connecting) connected = true;
        else socket.once(secure ? 'secureConnect' : 'connect', () => (connected = true));
      });
      req.on('error', (error) => finish(describeFailure(error, connected)));
      const timer = setTimeout(() => {
        req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, options.timeoutMs);
      req.end(body);
    });
  return Object.assign(send, {
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
}

/**
 * Where a failure happened. Before the connection (and TLS handshake) was up, nothing reached the
 * provider: not sent, safe to retry. After, every failure degrades to "may have been sent".
 */
export function describeFailure(error: unknown, connected: boolean): TransportResult {
  const code = (error as { code?: string }).code ?? 'ERR_UNKNOWN';
  const message = firstLine(error instanceof Error ? error.message : String(error));
  if (!connected || NOT_SENT.has(code)) return { ok: false, written: false, code, message };
  return { ok: false, written: true, code, message };
}

/** Not cut short here: the pipeline redacts credentials first, then cuts (a cut secret cannot be recognised). */
function firstLine(text: string): string {
  return text.split('\n')[0]!;
}
