import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { lookupCode } from '../codes/error-codes.js';
import { header, listen } from '../net/http-server.js';
import { safeEqual } from '../webhook/signatures.js';
import { DEFAULT_SCENARIO, ruleFor, type Scenario } from './scenario.js';

/** The credentials the emulator accepts; the same variables `send` reads, with defaults for demos. */
export interface EmulatorCredentials {
  waToken: string;
  waPhoneNumberId: string;
  d360ApiKey: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
}

export const DEFAULT_CREDENTIALS: EmulatorCredentials = {
  waToken: 'emulator-token',
  waPhoneNumberId: '100000000000001',
  d360ApiKey: 'emulator-360dialog-key',
  twilioAccountSid: `AC${'0'.repeat(32)}`,
  twilioAuthToken: 'emulator-twilio-token',
};

/** Credentials from the environment where set (WA_TOKEN, …), else the defaults. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): EmulatorCredentials {
  return {
    waToken: env.WA_TOKEN || DEFAULT_CREDENTIALS.waToken,
    waPhoneNumberId: env.WA_PHONE_NUMBER_ID || DEFAULT_CREDENTIALS.waPhoneNumberId,
    d360ApiKey: env.D360_API_KEY || DEFAULT_CREDENTIALS.d360ApiKey,
    twilioAccountSid: env.TWILIO_ACCOUNT_SID || DEFAULT_CREDENTIALS.twilioAccountSid,
    twilioAuthToken: env.TWILIO_AUTH_TOKEN || DEFAULT_CREDENTIALS.twilioAuthToken,
  };
}

export type EmulatedProvider = 'cloud' | '360dialog' | 'twilio';

/** One line of the emulator's request log. Never holds a credential. */
export interface EmulatorLogEntry {
  at: string;
  provider: EmulatedProvider | 'unknown';
  path: string;
  status: number;
  outcome: 'accepted' | 'held' | 'dropped' | 'error' | 'throttled' | 'refused';
  to?: string;
  code?: number;
  message_id?: string;
  cid?: string;
}

/** A message the emulator accepted (answered or dropped), for status callbacks. */
export interface AcceptedMessage {
  provider: EmulatedProvider;
  messageId: string;
  to: string;
  waId: string;
  correlationId: string | undefined;
  statusCallback: string | undefined;
}

export interface EmulatorOptions {
  port: number;
  host?: string;
  credentials?: EmulatorCredentials;
  scenario?: Scenario;
  /** Per-sender throughput before 130429 / 20429. */
  mps?: number;
  log?: (entry: EmulatorLogEntry) => void;
  onAccepted?: (message: AcceptedMessage) => void;
  now?: () => number;
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const PAIR_GAP_MS = 6_000;

/**
 * A local stand-in for the three providers' send APIs: the same paths, auth checks and answer
 * shapes (Cloud API JSON with `code` and `fbtrace_id`; Twilio's 201 message resource and error
 * bodies), a per-sender rate limit, Meta's pair rate limit, and outcomes chosen by a scenario.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  const scenario = options.scenario ?? DEFAULT_SCENARIO;
  const mps = options.mps ?? 80;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const sendTimes = new Map<string, number[]>();
  const lastSendTo = new Map<string, number>();
  const transientSeen = new Map<string, number>();

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Limits and the log go by arrival, as the platform's would.
    const arrived = now();
    const iso = () => new Date(arrived).toISOString();
    const path = (req.url ?? '/').split('?')[0]!;
    const body = await readBody(req);
    if (body === undefined) return json(res, 413, { error: { message: 'Request entity too large', code: 100 } });
    const cloud = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(path);
    const twilio = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (req.method === 'POST' && cloud) return meta(req, res, 'cloud', path, body, cloud[2]!, arrived);
    if (req.method === 'POST' && path === '/messages') return meta(req, res, '360dialog', path, body, undefined, arrived);
    if (req.method === 'POST' && twilio) return twilioSend(req, res, path, body, twilio[1]!, arrived);
    log({ at: iso(), provider: 'unknown', path, status: 404, outcome: 'refused' });
    return json(res, 404, { error: { message: `Unknown path components: ${path}`, type: 'OAuthException', code: 2500, fbtrace_id: traceId() } });
  }

  async function meta(req: IncomingMessage, res: ServerResponse, provider: 'cloud' | '360dialog', path: string, body: string, phoneNumberId: string | undefined, arrived: number) {
    const iso = () => new Date(arrived).toISOString();
    const refuse = (status: number, code: number, message: string) => {
      log({ at: iso(), provider, path, status, outcome: 'refused', code });
      return json(res, status, metaError(code, message));
    };
    if (provider === 'cloud') {
      if (!safeEqual(req.headers.authorization ?? '', `Bearer ${credentials.waToken}`)) return refuse(401, 190, 'Invalid OAuth access token - Cannot parse access token');
      if (phoneNumberId !== credentials.waPhoneNumberId) return refuse(400, 100, `Unsupported post request. Object with ID '${phoneNumberId}' does not exist`);
    } else if (!safeEqual(header(req, 'd360-api-key') ?? '', credentials.d360ApiKey)) {
      return refuse(401, 0, 'Invalid api_key');
    }
    const message = parseJsonBody(body) as { messaging_product?: unknown; to?: unknown; type?: unknown; template?: { name?: unknown; language?: { code?: unknown } }; biz_opaque_callback_data?: unknown } | undefined;
    if (!message || message.messaging_product !== 'whatsapp' || typeof message.to !== 'string' || message.type !== 'template' || typeof message.template?.name !== 'string' || typeof message.template.language?.code !== 'string') {
      return refuse(400, 100, 'Invalid parameter');
    }
    const to = normaliseTo(message.to);
    const cid = typeof message.biz_opaque_callback_data === 'string' ? message.biz_opaque_callback_data : undefined;
    const sender = provider === 'cloud' ? `cloud:${phoneNumberId}` : '360dialog';
    const entry = { provider, path, to, ...(cid ? { cid } : {}) };
    if (overRate(sender, arrived)) {
      log({ at: iso(), ...entry, status: 400, outcome: 'throttled', code: 130429 });
      return json(res, 400, metaError(130429, 'Rate limit hit', 'Cloud API message throughput has been reached.'));
    }
    if (overPairRate(`${sender}|${to}`, arrived)) {
      log({ at: iso(), ...entry, status: 400, outcome: 'throttled', code: 131056 });
      return json(res, 400, metaError(131056, '(Business Account, Consumer Account) pair rate limit hit'));
    }
    const decision = decide(to, 131000);
    await delay(decision.latencyMs);
    if (decision.kind === 'error') {
      const status = metaHttpStatus(decision.code);
      log({ at: iso(), ...entry, status, outcome: 'error', code: decision.code });
      return json(res, status, metaError(decision.code, lookupCode('meta', decision.code)?.title ?? 'Error'));
    }
    const messageId = `wamid.${randomBytes(24).toString('base64url')}`;
    const waId = whatsAppId(to);
    notePairSend(`${sender}|${to}`, arrived);
    options.onAccepted?.({ provider, messageId, to, waId, correlationId: cid, statusCallback: undefined });
    if (decision.kind === 'drop') {
      log({ at: iso(), ...entry, status: 0, outcome: 'dropped', message_id: messageId });
      req.socket.destroy();
      return;
    }
    const held = decision.kind === 'held';
    log({ at: iso(), ...entry, status: 200, outcome: held ? 'held' : 'accepted', message_id: messageId });
    return json(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: message.to, wa_id: waId }],
      messages: [{ id: messageId, message_status: held ? 'held_for_quality_assessment' : 'accepted' }],
    });
  }

  async function twilioSend(req: IncomingMessage, res: ServerResponse, path: string, body: string, accountSid: string, arrived: number) {
    const iso = () => new Date(arrived).toISOString();
    const refuse = (status: number, code: number, message: string) => {
      log({ at: iso(), provider: 'twilio', path, status, outcome: 'refused', code });
      return json(res, status, twilioError(code, message, status));
    };
    const expected = `Basic ${Buffer.from(`${credentials.twilioAccountSid}:${credentials.twilioAuthToken}`).toString('base64')}`;
    if (!safeEqual(req.headers.authorization ?? '', expected) || accountSid !== credentials.twilioAccountSid) return refuse(401, 20003, 'Authenticate');
    const form = new URLSearchParams(body);
    const toField = form.get('To') ?? '';
    if (!/^whatsapp:\+\d{6,15}$/.test(toField)) return refuse(400, 21211, `The 'To' number ${toField} is not a valid phone number.`);
    if (!form.get('From') && !form.get('MessagingServiceSid')) return refuse(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message");
    if (!/^HX[0-9a-fA-F]{32}$/.test(form.get('ContentSid') ?? '')) return refuse(400, 21619, 'A text message body, media URL or content SID is required');
    const to = toField.slice('whatsapp:'.length);
    const statusCallback = form.get('StatusCallback') ?? undefined;
    const cid = statusCallback ? (new URL(statusCallback).searchParams.get('cid') ?? undefined) : undefined;
    const entry = { provider: 'twilio' as const, path, to, ...(cid ? { cid } : {}) };
    if (overRate(`twilio:${form.get('From') ?? form.get('MessagingServiceSid')}`, arrived)) {
      log({ at: iso(), ...entry, status: 429, outcome: 'throttled', code: 20429 });
      return json(res, 429, twilioError(20429, 'Too Many Requests', 429));
    }
    // Twilio has no documented code for its own 5xx; 20500 is its generic internal error.
    const decision = decide(to, 20500);
    await delay(decision.latencyMs);
    if (decision.kind === 'error') {
      const status = decision.code === 20003 ? 401 : decision.code === 20429 ? 429 : decision.code >= 20500 && decision.code < 20600 ? 500 : 400;
      log({ at: iso(), ...entry, status, outcome: 'error', code: decision.code });
      return json(res, status, twilioError(decision.code, lookupCode('twilio', decision.code)?.title ?? 'Error', status));
    }
    const sid = `SM${randomBytes(16).toString('hex')}`;
    options.onAccepted?.({ provider: 'twilio', messageId: sid, to, waId: whatsAppId(to), correlationId: cid, statusCallback });
    if (decision.kind === 'drop') {
      log({ at: iso(), ...entry, status: 0, outcome: 'dropped', message_id: sid });
      req.socket.destroy();
      return;
    }
    log({ at: iso(), ...entry, status: 201, outcome: 'accepted', message_id: sid });
    const date = new Date(now()).toUTCString().replace('GMT', '+0000');
    const service = form.get('MessagingServiceSid');
    return json(res, 201, {
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: '',
      date_created: date,
      date_sent: null,
      date_updated: date,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: form.get('From'),
      messaging_service_sid: service,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: null,
      sid,
      status: service ? 'accepted' : 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      to: toField,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  }

  type Decision = { kind: 'accept' | 'held' | 'drop'; latencyMs: number } | { kind: 'error'; code: number; latencyMs: number };

  function decide(to: string, transientCode: number): Decision {
    const rule = ruleFor(scenario, to);
    const latencyMs = rule?.latencyMs ?? scenario.latencyMs;
    if (!rule || rule.outcome === 'accepted') return { kind: 'accept', latencyMs };
    if (rule.outcome === 'held') return { kind: 'held', latencyMs };
    if (rule.outcome === 'drop') return { kind: 'drop', latencyMs };
    if (rule.outcome === 'error') return { kind: 'error', code: rule.code!, latencyMs };
    const seen = (transientSeen.get(to) ?? 0) + 1;
    transientSeen.set(to, seen);
    if (seen <= (rule.times ?? 1)) return { kind: 'error', code: rule.code ?? transientCode, latencyMs };
    return { kind: 'accept', latencyMs };
  }

  /** Sliding one-second window per sender, like the platform's throughput limit. */
  function overRate(sender: string, t: number): boolean {
    let times = sendTimes.get(sender);
    if (!times) sendTimes.set(sender, (times = []));
    while (times.length > 0 && times[0]! <= t - 1000) times.shift();
    if (times.length >= mps) return true;
    times.push(t);
    return false;
  }

  /** Meta's pair rate is per (business number, user): `pair` is `sender|recipient`. */
  function overPairRate(pair: string, t: number): boolean {
    const last = lastSendTo.get(pair);
    return last !== undefined && t - last < PAIR_GAP_MS;
  }

  /** Only messages that went out count toward the pair rate. */
  function notePairSend(pair: string, t: number): void {
    lastSendTo.delete(pair);
    lastSendTo.set(pair, t);
    // Entries are in time order: forget those past the gap so memory stays flat on long runs.
    for (const [phone, at] of lastSendTo) {
      if (t - at < PAIR_GAP_MS) break;
      lastSendTo.delete(phone);
    }
  }

  const { url, port } = await listen(server, options.port, options.host);
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function metaError(code: number, title: string, details?: string) {
  return {
    error: {
      message: `(#${code}) ${title}`,
      type: 'OAuthException',
      code,
      error_data: { messaging_product: 'whatsapp', details: details ?? title },
      fbtrace_id: traceId(),
    },
  };
}

function twilioError(code: number, message: string, status: number) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/** HTTP status per Meta's error-code page (Dec 2025); throttling codes are 400 there. */
function metaHttpStatus(code: number): number {
  if (code === 0 || code === 190) return 401;
  if (code === 10 || (code >= 200 && code <= 299) || code === 368 || code === 131005 || code === 131031) return 403;
  if (code === 132001) return 404;
  if (code === 2) return 503;
  if (code === 1 || code === 131000 || code === 131016 || code === 131045 || code === 131057) return 500;
  return 400;
}

/** WhatsApp ids of Mexican mobiles carry a 1 after 52 (api-facts.md §6); others are the digits. */
export function whatsAppId(e164: string): string {
  const digits = e164.replace(/^\+/, '');
  return /^52\d{10}$/.test(digits) ? `521${digits.slice(2)}` : digits;
}

function normaliseTo(to: string): string {
  return to.startsWith('+') ? to : `+${to}`;
}

function traceId(): string {
  return randomBytes(12).toString('base64url');
}



function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
