import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../clock.js';
import { listen } from '../net/http-server.js';
import type { EmulatedMessage, EmulatedTemplate, EmulatorAnswer, EmulatorRoute } from '../providers/emulator-route.js';
import { PROVIDER_MODULES, type ProviderName } from '../providers/index.js';
import { accountOf, DEFAULT_SCENARIO, ruleFor, type Scenario } from './scenario.js';

/**
 * The credentials the emulator accepts, by environment variable (WA_TOKEN, TWILIO_AUTH_TOKEN…):
 * the same variables `send` reads. Each provider's emulator route names its own, with demo values.
 */
export type EmulatorCredentials = Readonly<Record<string, string>>;

/** Every provider's demo credentials (and the demo secrets callbacks are signed with). */
export const DEFAULT_CREDENTIALS: EmulatorCredentials = Object.freeze(Object.assign({}, ...PROVIDER_MODULES.map((module) => module.emulator.credentials)));

/** Credentials from the environment where set, else the demo ones. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): EmulatorCredentials {
  return Object.fromEntries(Object.entries(DEFAULT_CREDENTIALS).map(([name, value]) => [name, env[name] || value]));
}

/** The environment that points `send` at an emulator at `url`, for every provider. */
export function emulatorEnv(url: string, credentials: EmulatorCredentials = DEFAULT_CREDENTIALS): Record<string, string> {
  return Object.assign({}, ...PROVIDER_MODULES.map((module) => module.emulator.env(url, credentials)));
}

/** One line of the emulator's request log. Never holds a credential. */
export interface EmulatorLogEntry {
  at: string;
  provider: ProviderName | 'unknown';
  path: string;
  status: number;
  outcome: 'accepted' | 'held' | 'dropped' | 'error' | 'throttled' | 'refused' | 'served' | 'looked_up';
  to?: string;
  code?: number;
  message_id?: string;
  cid?: string;
}

/** A message the emulator accepted (answered or dropped), for status callbacks. */
export type AcceptedMessage = EmulatedMessage;

export interface EmulatorOptions {
  port: number;
  host?: string;
  credentials?: EmulatorCredentials;
  scenario?: Scenario;
  /** Per-sender throughput before each provider's throttling answer (130429, 20429). */
  mps?: number;
  log?: (entry: EmulatorLogEntry) => void;
  onAccepted?: (message: AcceptedMessage) => void;
  /** The clock its rate limits, latency and log go by (default: the system's; tests: a manual one). */
  clock?: Clock;
  /**
   * The emulated account's templates (`loadTemplateCatalog`): served on the three providers'
   * look-up paths, and sends of templates it lacks, or with parameters that do not fit, refused
   * with the platforms' codes. Without it, no look-up is served and any template is accepted.
   */
  templates?: readonly EmulatedTemplate[];
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const PAIR_GAP_MS = 6_000;

/**
 * A local stand-in for the providers' send APIs. Each provider's route (its folder's
 * `emulator`) gives the paths, auth checks and answer shapes; here is what the platforms do
 * alike: a per-sender rate limit, the pair rate limit for a platform that has one, outcomes chosen
 * by a scenario, and the request log.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  const scenario = options.scenario ?? DEFAULT_SCENARIO;
  const mps = options.mps ?? 80;
  const clock = options.clock ?? systemClock;
  // The log's times and the answers' dates are the platform's, and the limits go by them. On the real
  // clock, arrivals to the microsecond: a limiter counting whole milliseconds lets a request a fraction
  // of a millisecond early through, and the pacing tests hold the sender to the exact second.
  const now = options.clock ? () => clock.date().getTime() : () => performance.timeOrigin + performance.now();
  const log = options.log ?? (() => undefined);
  const sendTimes = new Map<string, number[]>();
  const lastSendTo = new Map<string, number>();
  const transientSeen = new Map<string, number>();
  const account = accountOf(scenario, options.templates);

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Limits and the log go by arrival, as the platform's would.
    const arrived = now();
    const [path, search] = splitUrl(req.url ?? '/');
    const body = await readBody(req);
    if (body === undefined) return json(res, 413, { error: { message: 'Request entity too large' } });
    const method = req.method ?? 'GET';
    const query = new URLSearchParams(search);
    // Requests that are not sends: the WABA's onboarding field, then the template look-ups.
    for (const candidate of PROVIDER_MODULES) {
      const served = candidate.emulator.serve?.({ method, path, headers: req.headers, body, query }, credentials, account);
      if (served) {
        log({ at: new Date(arrived).toISOString(), provider: candidate.name, path, status: served.status, outcome: served.status === 200 ? 'served' : 'refused' });
        return answer(res, served);
      }
    }
    if (method === 'GET' && options.templates) {
      const request = { path, query, headers: req.headers };
      for (const module of PROVIDER_MODULES) {
        const looked = module.emulator.lookup?.(request, credentials, options.templates);
        if (!looked) continue;
        log({ at: new Date(arrived).toISOString(), provider: module.name, path, status: looked.status, outcome: looked.status === 200 ? 'looked_up' : 'refused' });
        return answer(res, looked);
      }
    }
    const module = PROVIDER_MODULES.find((candidate) => candidate.emulator.matches(method, path));
    if (!module) {
      log({ at: new Date(arrived).toISOString(), provider: 'unknown', path, status: 404, outcome: 'refused' });
      return json(res, 404, { error: { message: `no emulated API at ${path}` } });
    }
    return send(module.name, module.emulator, { method, path, headers: req.headers, body }, arrived, req, res);
  }

  async function send(provider: ProviderName, route: EmulatorRoute, request: Parameters<EmulatorRoute['read']>[0], arrived: number, req: IncomingMessage, res: ServerResponse) {
    const at = new Date(arrived).toISOString();
    const { path } = request;
    const read = route.read(request, credentials, account);
    if (!read.ok) {
      log({ at, provider, path, status: read.answer.status, outcome: 'refused', code: read.code });
      return answer(res, read.answer);
    }
    const { to, correlationId: cid } = read;
    const entry = { at, provider, path, to, ...(cid ? { cid } : {}) };
    if (overRate(`${provider}|${read.sender}`, arrived)) {
      const throttled = route.throttled();
      log({ ...entry, status: throttled.answer.status, outcome: 'throttled', code: throttled.code });
      return answer(res, throttled.answer);
    }
    const pair = `${provider}|${read.sender}|${to}`;
    if (route.pairRateLimited && overPairRate(pair, arrived)) {
      const limited = route.pairRateLimited();
      log({ ...entry, status: limited.answer.status, outcome: 'throttled', code: limited.code });
      return answer(res, limited.answer);
    }
    const decision = decide(to, route.transientCode);
    await clock.sleep(decision.latencyMs);
    if (decision.kind === 'error') {
      const error = route.error(decision.code);
      log({ ...entry, status: error.status, outcome: 'error', code: decision.code });
      return answer(res, error);
    }
    const messageId = route.newMessageId();
    const waId = whatsAppId(to);
    if (route.pairRateLimited) notePairSend(pair, arrived);
    options.onAccepted?.({ provider, messageId, to, waId, correlationId: cid, statusCallback: read.statusCallback, ...(read.pricingCategory ? { pricingCategory: read.pricingCategory } : {}) });
    if (decision.kind === 'drop') {
      log({ ...entry, status: 0, outcome: 'dropped', message_id: messageId });
      req.socket.destroy();
      return;
    }
    const held = decision.kind === 'held' && route.holds;
    const accepted = read.answer({ messageId, waId, held, now: now() });
    log({ ...entry, status: accepted.status, outcome: held ? 'held' : 'accepted', message_id: messageId });
    return answer(res, accepted);
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

  /** The pair rate is per (business number, user): `pair` is `provider|sender|recipient`. */
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

/** WhatsApp ids of Mexican mobiles carry a 1 after 52 (api-facts.md §6); others are the digits. */
export function whatsAppId(e164: string): string {
  const digits = e164.replace(/^\+/, '');
  return /^52\d{10}$/.test(digits) ? `521${digits.slice(2)}` : digits;
}

function splitUrl(url: string): [string, string] {
  const at = url.indexOf('?');
  return at < 0 ? [url, ''] : [url.slice(0, at), url.slice(at + 1)];
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

function answer(res: ServerResponse, { status, body }: EmulatorAnswer): void {
  json(res, status, body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
