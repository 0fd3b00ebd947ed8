import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import got, { type Got, type Response } from 'got';
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
  /** The answer's headers arrived: the provider had stamped the request by then (the pacer's margin for it, pacer.ts). */
  answered?(): void;
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
    responseType: 'text',
    // Providers answer small JSON; nothing to cache, decompress or resolve twice.
    decompress: false,
    cache: false,
    dnsCache: false,
  });

  const send = async (request: HttpRequest | HttpGetRequest, events?: TransportEvents): Promise<TransportResult> => {
    let tooLarge = false;
    // Everything got does is inside the try: whatever it throws, its error object stays here.
    try {
      const pending = client(request.url, { method: request.method, headers: request.headers, body: request.method === 'POST' ? request.body : undefined });
      // Node's ClientRequest finishes once its last byte was handed to the socket.
      const { written, answered } = events ?? {};
      if (written || answered) {
        pending.on('request', (sent: http.ClientRequest) => {
          if (written) {
            if (sent.writableFinished) written();
            else sent.once('finish', () => written());
          }
          // Node's own event, once the answer's headers are parsed (got's comes after the body).
          if (answered) sent.once('response', () => answered());
        });
      }
      pending.on('downloadProgress', ({ transferred }) => {
        if (transferred > MAX_RESPONSE_BYTES && !tooLarge) {
          tooLarge = true;
          pending.cancel();
        }
      });
      const response = (await pending) as Response<string>;
      return { ok: true, response: { status: response.statusCode, headers: response.headers, body: response.body } };
    } catch (error) {
      if (tooLarge) return { ok: false, written: true, code: 'ERR_RESPONSE_TOO_LARGE', message: `an answer over ${MAX_RESPONSE_BYTES} bytes` };
      return describeFailure(error, /^https:/i.test(request.url));
    }
  };
  return Object.assign(send, {
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
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
