import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../clock.js';
import { makeRedactor } from '../config/redact.js';
import { WriteError } from '../errors.js';
import { describeWriteError } from '../fs/describe-write-error.js';
import type { JsonlAppender } from '../fs/jsonl-appender.js';
import {
  DEFAULT_BODY_MS,
  DEFAULT_CLOSE_GRACE_MS,
  DEFAULT_HEADERS_MS,
  defaultMaxConnections,
  guardConnections,
  type ConnectionLimits,
  type GuardClose,
} from '../net/connection-guard.js';
import type { ConnectionState } from '../net/pick-eviction.js';
import { header, listen } from '../net/http-server.js';
import type { CallbackChannel, ReceiverContext } from '../providers/callback-channel.js';
import { callbackChannels } from '../providers/index.js';
import { redactPayload } from './redact-payload.js';
import { withFacts } from './with-facts.js';
import type { EventRecord } from './event-record.js';
import { plural } from '../plural.js';

export interface WebhookOptions {
  port: number;
  host?: string;
  events: JsonlAppender<EventRecord>;
  /**
   * The channels' secrets by environment variable (WA_APP_SECRET, WA_VERIFY_TOKEN,
   * TWILIO_AUTH_TOKEN): each provider's channel says which it uses and what it does without them.
   */
  secrets: Readonly<Record<string, string | undefined>>;
  /** Accept JSON callbacks without a signature (360dialog does not sign). */
  allowUnsigned: boolean;
  /** The URL providers call (scheme, host, port), when a proxy sits in front: a signature over the URL (Twilio's) covers it. */
  publicUrl: string | undefined;
  /** Connection cap and deadlines (defaults: connection-guard.ts, which says why). */
  limits?: Partial<ConnectionLimits>;
  /**
   * The clock the deadlines run on and events are stamped by (default: the system's, the
   * guard's timers unref'd; tests: a manual one).
   */
  clock?: Clock;
  /**
   * Removes secrets from everything stored or logged that came from outside (default: the
   * `secrets` above; the command passes every secret in its environment).
   */
  redact?: (text: string) => string;
  log?: (line: string) => void;
}

export interface RunningWebhook {
  url: string;
  port: number;
  /** Connections open now: waiting for a request, sending a body, being answered. */
  connections(): Record<ConnectionState, number>;
  /**
   * Stops accepting, closes idle and slow connections, lets requests being answered finish (within
   * the close grace), then flushes the events file. Rejects with a WriteError when the events
   * file's last write failed (a disk still full): what was not saved; or when its lock was lost
   * (every callback since was answered 503).
   */
  close(): Promise<void>;
}

/** Callbacks larger than this are refused (413) without being read to the end. */
export const MAX_CALLBACK_BYTES = 1024 * 1024;

/** The log says how many connections were closed for being slow or in excess at most this often. */
const CLOSE_REPORT_MS = 10_000;

/**
 * The status-callback receiver (SPEC.md "Webhook receiver"). A 200 means the event is on disk:
 * the answer waits for the events file's fsync, which concurrent callbacks share.
 */
export async function startWebhook(options: WebhookOptions): Promise<RunningWebhook> {
  const redact = options.redact ?? makeRedactor(Object.values(options.secrets));
  const context: ReceiverContext = { secrets: options.secrets, allowUnsigned: options.allowUnsigned };
  // The paths are fixed (SPEC "Webhook receiver"): each provider's channel names its own.
  const channels = new Map<string, CallbackChannel>(callbackChannels().map((channel) => [channel.path, channel]));
  const writeLog = options.log ?? (() => undefined);
  const log = (line: string) => writeLog(redact(line));
  const limits: ConnectionLimits = {
    maxConnections: defaultMaxConnections(),
    headersMs: DEFAULT_HEADERS_MS,
    bodyMs: DEFAULT_BODY_MS,
    closeGraceMs: DEFAULT_CLOSE_GRACE_MS,
    ...options.limits,
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`webhook: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://receiver');
    const channel = channels.get(url.pathname);
    if (channel && req.method === 'GET' && channel.handshake) return handshake(channel, url, res);
    if (channel && req.method === 'POST') return callback(channel, req, res);
    return answer(res, 404, 'not found');
  }

  function handshake(channel: CallbackChannel, url: URL, res: ServerResponse): void {
    const reply = channel.handshake!(url.searchParams, context);
    if (reply.log) log(`webhook: ${reply.log}`);
    return answer(res, reply.status, reply.body);
  }

  async function callback(channel: CallbackChannel, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = channel.refuseAll?.(context);
    if (refusal) {
      req.resume();
      return refuse(res, refusal.status, refusal.reason);
    }
    const body = await readBody(req, res);
    if (!body) return;
    const verdict = channel.accept(
      { body, header: (name) => header(req, name), url: req.url ?? channel.path, publicUrl: publicUrlOf(req, options.publicUrl) },
      context,
    );
    if (!verdict.ok) return refuse(res, verdict.status, verdict.reason, verdict.detail);
    return save(res, withFacts(channel, {
      type: 'event',
      received_at: (options.clock ?? systemClock).date().toISOString(),
      provider: verdict.tag,
      path: redact(verdict.path),
      raw: redactPayload(body.toString('utf8'), channel.format, redact),
      ...(verdict.idempotencyToken ? { idempotency_token: redact(verdict.idempotencyToken) } : {}),
    }));
  }

  /**
   * 200 once the event is wholly on disk; 503 when it cannot be (a full disk, an I/O error), so
   * the provider sends it again. The writer cuts back any partial line and tries the next event
   * afresh, so the receiver recovers by itself when the disk does.
   */
  async function save(res: ServerResponse, record: EventRecord): Promise<void> {
    // The events file's lock lost (removed, or taken over by a receiver that thought us dead):
    // another process may be appending to the file, and its writer cuts the file back to what it
    // wrote itself when a write fails. A 200 would promise what neither process can keep, so
    // every callback from then on is 503 (the provider sends it again, to whichever receiver
    // runs), also one whose append was under way when the loss was noticed.
    if (options.events.lockLost !== undefined) return refuseLockLost(res);
    try {
      await options.events.append(record);
    } catch (error) {
      // A full disk fails every callback: one line, then a count at most every CLOSE_REPORT_MS.
      unsaved.count++;
      unsaved.last = (error as Error).message;
      if (clockNow() - unsaved.reportedAt >= CLOSE_REPORT_MS) reportUnsaved();
      return answer(res, 503, 'the event could not be saved; retry later');
    }
    if (options.events.lockLost !== undefined) return refuseLockLost(res);
    if (unsaved.count > 0) reportUnsaved();
    return answer(res, 200, 'ok');
  }

  let refusedLockLost = 0;
  function refuseLockLost(res: ServerResponse): void {
    refusedLockLost++;
    answer(res, 503, 'the events file is no longer this receiver’s; retry later');
  }

  const unsaved = { count: 0, last: '', reportedAt: -Infinity };
  function reportUnsaved(): void {
    if (unsaved.count === 0) return;
    log(`webhook: 503 ${unsaved.count === 1 ? 'an event' : `${unsaved.count} events`} could not be saved: ${unsaved.last}`);
    unsaved.count = 0;
    unsaved.reportedAt = clockNow();
  }

  function refuse(res: ServerResponse, status: number, reason: string, detail?: string): void {
    log(`webhook: ${status} ${reason}${detail ? ` (${detail})` : ''}`);
    answer(res, status, reason);
  }

  // Connections closed for being slow or in excess: counted, and said in one line at most every
  // CLOSE_REPORT_MS (a crowd of slow clients must not flood the log).
  const closes: Record<GuardClose, number> = { 'headers-timeout': 0, 'body-timeout': 0, evicted: 0, refused: 0 };
  const clock = options.clock;
  const clockNow = () => (clock ?? systemClock).now();
  let lastReport = -Infinity;
  function reportCloses(): void {
    const parts = [
      closes['headers-timeout'] && `${closes['headers-timeout']} sent no complete headers within ${limits.headersMs / 1000} s`,
      closes['body-timeout'] && `${closes['body-timeout']} sent no complete body within ${limits.bodyMs / 1000} s`,
      closes.evicted && `${closes.evicted} evicted at the ${limits.maxConnections}-connection cap (the one stuck longest)`,
      closes.refused && `${closes.refused} refused at the cap (every connection being answered)`,
    ].filter(Boolean);
    if (parts.length === 0) return;
    log(`webhook: closed connections: ${parts.join(', ')}`);
    for (const key of Object.keys(closes) as GuardClose[]) closes[key] = 0;
    lastReport = clockNow();
  }
  const guard = guardConnections(server, limits, {
    ...(clock ? { clock } : {}),
    onClose: (why) => {
      closes[why]++;
      if (clockNow() - lastReport >= CLOSE_REPORT_MS) reportCloses();
    },
  });

  const { url, port } = await listen(server, options.port, options.host);
  return {
    url,
    port,
    connections: () => guard.counts(),
    close: async () => {
      await guard.close();
      reportCloses();
      reportUnsaved();
      await options.events.close();
      const lost = options.events.lockLost;
      if (lost !== undefined) {
        throw new WriteError(
          `stopped: ${lost}: another receiver may be writing this events file; ${refusedLockLost} callback(s) since were answered 503, so the provider sends them again; run one receiver per events file, then start it again`,
          { file: options.events.file },
        );
      }
      const failure = options.events.failed;
      if (failure) {
        const count = options.events.unsaved;
        throw new WriteError(
          `not flushed: the last write failed with ${describeWriteError(failure.cause ?? failure)}; ${plural(count, 'callback')} since the last saved one ${count === 1 ? 'was' : 'were'} answered 503 and not saved, so the provider sends them again`,
          { file: options.events.file },
        );
      }
    },
  };
}

/** The URL the sender called (and signed, where it signs the URL): `--public-url` (scheme and authority) with the request's path and query. */
function publicUrlOf(req: IncomingMessage, publicUrl: string | undefined): string {
  const base = publicUrl ?? `http://${req.headers.host ?? 'localhost'}`;
  return new URL(req.url ?? '/', base.replace(/\/+$/, '')).toString();
}

/**
 * Reads at most MAX_CALLBACK_BYTES; answers 413 and returns undefined past that. Also undefined
 * when the connection goes away first (the client left, or the guard closed it for being slow):
 * nobody is left to answer.
 */
async function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_CALLBACK_BYTES) {
    tooLarge(req, res);
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_CALLBACK_BYTES) {
        tooLarge(req, res);
        return undefined;
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (req.destroyed || res.headersSent) return undefined;
    throw error;
  }
  // The guard may have answered 408 while the rest was still arriving: then nobody waits for this one.
  return req.complete && !res.headersSent ? Buffer.concat(chunks) : undefined;
}

function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(413, { connection: 'close', 'content-type': 'text/plain' }).end('payload too large');
  // Stop reading the rest: the connection is closed once the answer is out.
  res.on('finish', () => req.destroy());
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
