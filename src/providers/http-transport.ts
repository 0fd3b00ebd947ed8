import http from 'node:http';
import https from 'node:https';
import got, { RequestError, type Response } from 'got';
import type { HttpRequest, HttpResponse } from './provider.js';

/**
 * What happened to one HTTP request: an answer, or a failure that says whether the request may
 * have reached the provider. A failure is never the client's error object: that carries the
 * request headers, Authorization included.
 */
export type TransportResult =
  | { ok: true; response: HttpResponse }
  | { ok: false; written: boolean; code: string; message: string };

export type Transport = (request: HttpRequest) => Promise<TransportResult>;

// Failures that happen before a byte of the request can reach the provider: safe to send again.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const NOT_SENT_TIMEOUTS = new Set(['lookup', 'connect', 'secureConnect']);

export interface TransportOptions {
  /** Longest wait for a whole request, in milliseconds. */
  timeoutMs: number;
  /** Sockets kept open per host; matches the in-flight cap. */
  maxSockets: number;
}

/**
 * got with keep-alive agents, no retries of its own (the pipeline decides retries: a silent retry
 * after a timeout could send a message twice), no redirects and no throwing on HTTP errors.
 */
export function httpTransport(options: TransportOptions): Transport & { close(): void } {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  const agent = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const client = got.extend({
    agent,
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    timeout: { request: options.timeoutMs },
    responseType: 'text',
  });
  const send = async (request: HttpRequest): Promise<TransportResult> => {
    try {
      const response = (await client(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      })) as Response<string>;
      return { ok: true, response: { status: response.statusCode, headers: response.headers, body: response.body } };
    } catch (error) {
      return describeFailure(error);
    }
  };
  return Object.assign(send, {
    close: () => {
      agent.http.destroy();
      agent.https.destroy();
    },
  });
}

/** Maps a client error to where it happened; every other failure degrades to "may have been sent". */
export function describeFailure(error: unknown): TransportResult {
  const code = (error as { code?: string }).code ?? 'ERR_UNKNOWN';
  const message = firstLine(error instanceof Error ? error.message : String(error));
  if (error instanceof RequestError) {
    const timeoutEvent = (error as { event?: string }).event;
    // A certificate or protocol error ends the TLS handshake, before any request byte is sent.
    const tlsHandshake = /^ERR_(TLS|SSL)_|CERT|^EPROTO$/.test(code) && error.timings?.upload === undefined;
    if (NOT_SENT.has(code) || (timeoutEvent !== undefined && NOT_SENT_TIMEOUTS.has(timeoutEvent)) || tlsHandshake) {
      return { ok: false, written: false, code, message };
    }
  }
  return { ok: false, written: true, code, message };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 300);
}
