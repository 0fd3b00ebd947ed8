import { copyFile, readFile, readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/emulator-server.js';
import { fixture, run } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';

// Providers that misbehave, on loopback port 0, driven through `send` on a manual clock (so five
// minutes of throttling and the retries' backoff take no real time).
const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function hostileServer(handler: Handler) {
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests++;
      handler(req, Buffer.concat(chunks).toString('utf8'), res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  stops.push(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

async function samples() {
  const dir = await fixture({});
  for (const file of ['campaign.csv', 'spring-sale.yaml', 'suppress.csv']) await copyFile(path.join(SAMPLES, file), path.join(dir, file));
  return dir;
}

const ledgerRecords = async (file: string) =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; phone?: string; outcome?: string; title?: string });

/** Each recipient's last outcome in the ledger. */
async function lastOutcomes(file: string): Promise<Map<string, string>> {
  const last = new Map<string, string>();
  for (const record of await ledgerRecords(file)) if (record.type === 'outcome') last.set(record.phone!, record.outcome!);
  return last;
}

describe('a provider that throttles for ever', () => {
  it('429 with Retry-After: 99999 on every request: send stops with exit 3 after 5 minutes, says so, and a resume sends everyone', async () => {
    const hostile = await hostileServer((_req, _body, res) => {
      res.writeHead(429, { 'retry-after': '99999', 'content-type': 'text/plain' }).end('slow down');
    });
    const dir = await samples();
    const ledger = path.join(dir, 'campaign.ledger.jsonl');
    const args = ['send', path.join(dir, 'campaign.csv'), '--template', path.join(dir, 'spring-sale.yaml'), '--suppress', path.join(dir, 'suppress.csv'), '--yes', '--json'];
    const env = { WA_API_URL: hostile.url, WA_TOKEN: 'EAAtoken-hostile', WA_PHONE_NUMBER_ID: '1' };
    const clock = new ManualClock(2);
    const result = await clock.run(run(args, env, dir, { clock }));

    expect(result.code).toBe(3);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ accepted: 0, failed: 0, in_doubt: 0, stopped: { code: 'http_429', title: expect.stringMatching(/^the provider kept throttling for 5 min/) } });
    expect(result.stderr).toContain('throttled: the provider asked to wait 27h46m; waiting 1m00s (the longest wait), then trying again');
    expect(result.stderr).toMatch(/^wa-broadcast: stopped: the provider kept throttling for 5 min without accepting a message \(the last answer: HTTP 429 Too Many Requests\) \(http_429\): .*resume when fixed: wa-broadcast send .* --yes --json$/m);
    // Five minutes of capped one-minute waits: after the first answer the pacer is down to what the
    // provider accepted (nothing: one a second) and each throttling answer pauses it a minute, so
    // about one request a minute after the first round, the throttled recipient first: no request storm.
    expect(hostile.requests()).toBeGreaterThanOrEqual(5);
    expect(hostile.requests()).toBeLessThanOrEqual(12 + 6);
    const last = await lastOutcomes(ledger);
    // Not every recipient was tried (the pacer held the rest back): those tried last had a retry.
    expect(new Set(last.values())).toEqual(new Set(['retry']));

    // The resume command, against a provider that accepts: every throttled recipient is sent once.
    const emulator = await startEmulator({ port: 0, mps: 1000, credentials: { WA_TOKEN: 'EAAtoken-hostile', WA_PHONE_NUMBER_ID: '1', D360_API_KEY: 'x', TWILIO_ACCOUNT_SID: 'x', TWILIO_AUTH_TOKEN: 'x' } });
    stops.push(emulator.close);
    const resumed = await run([...args, '--mps', '500'], { ...env, WA_API_URL: emulator.url }, dir);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ accepted: 12, failed: 0 });
  });
});

// Distinctive secrets with the characters that encodings treat differently (/ + =).
const SID = `AC${'7'.repeat(32)}`;
const SECRETS = {
  cloud: 'EAAG/hostile+SECRET=cloud-token-1',
  '360dialog': 'd360/hostile+SECRET=key-2',
  twilio: 'tw/hostile+SECRET=auth-3',
};

/** Every way a framework might write a credential header back into an error message. */
function echoes(header: string, secret: string): string[] {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const jsonEscaped = (text: string) => JSON.stringify(text).slice(1, -1).replaceAll('/', '\\/');
  return [
    header,
    secret,
    b64(header),
    b64(secret),
    Buffer.from(secret).toString('base64url'),
    b64(`${SID}:${secret}`),
    encodeURIComponent(header),
    encodeURIComponent(secret),
    encodeURIComponent(b64(`${SID}:${secret}`)),
    new URLSearchParams({ h: header }).toString().slice(2),
    encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    jsonEscaped(header),
    jsonEscaped(secret),
  ];
}

/** The texts that must never be stored or printed: every echo that carries the secret. */
const forbidden = (provider: keyof typeof SECRETS) => {
  const secret = SECRETS[provider];
  const header = provider === 'cloud' ? `Bearer ${secret}` : provider === 'twilio' ? `Basic ${Buffer.from(`${SID}:${secret}`).toString('base64')}` : secret;
  return [...new Set([...echoes(header, secret), 'hostile+SECRET', 'hostile%2BSECRET'])];
};

/**
 * Answers every request with the caller's credentials echoed back, in every encoding, through
 * each kind of answer the pipeline stores: a refused row, a transient error (retried, then
 * failed), throttling, a pair-rate refusal, and acceptances whose message id, WhatsApp id and
 * status carry the echo too; `stop`: a bad-token answer.
 */
function echoingProvider(provider: keyof typeof SECRETS, stop = false): Handler {
  const kinds = new Map<string, number>();
  const seen = new Map<string, number>();
  return (req, body, res) => {
    const header = (provider === '360dialog' ? req.headers['d360-api-key'] : req.headers.authorization) as string;
    const secret = provider === 'twilio' ? Buffer.from(header.slice('Basic '.length), 'base64').toString().split(':')[1]! : header.replace(/^Bearer /, '');
    const echo = `refused: ${echoes(header, secret).join(' | ')}`;
    const to = provider === 'twilio' ? new URLSearchParams(body).get('To')! : (JSON.parse(body) as { to: string }).to;
    if (!kinds.has(to)) kinds.set(to, kinds.size % 4);
    const attempt = (seen.get(to) ?? 0) + 1;
    seen.set(to, attempt);
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json));
    const error = (status: number, metaCode: number, twilioCode: number, headers?: Record<string, string>) =>
      provider === 'twilio' ? answer(status, { code: twilioCode, message: echo, status }, headers) : answer(status, { error: { code: metaCode, message: echo, type: 'OAuthException' } }, headers);
    if (stop) return error(401, 190, 20003);
    const kind = kinds.get(to)!;
    if (kind === 0) return error(400, 100, 21211);
    if (kind === 1) return error(500, 131000, 20500);
    if (kind === 3 && provider !== 'twilio' && attempt === 1) return error(400, 131056, 0);
    if (kind === 2 && attempt === 1) return error(429, 130429, 20429, { 'retry-after': '1' });
    // One id per recipient (a provider repeating an id is another test's hostile case).
    const id = `${to.slice(1)}-${Buffer.from(`${SID}:${secret}`).toString('base64')}-${secret}`;
    if (provider === 'twilio') return answer(201, { sid: `SM${id}`, status: echo });
    return answer(200, { contacts: [{ wa_id: secret }], messages: [{ id: `wamid.${id}`, message_status: echo }] });
  };
}

describe('a provider that echoes the credentials back', () => {
  it.each(['cloud', '360dialog', 'twilio'] as const)('%s: no ledger, dry-run file, stdout or stderr holds them, in any encoding', async (provider) => {
    const dir = await samples();
    const csv = path.join(dir, 'campaign.csv');
    // The hostile server answers sends only: the template look-up is the preflight's test (test/cli/templates.test.ts).
    const common = ['--template', path.join(dir, 'spring-sale.yaml'), '--suppress', path.join(dir, 'suppress.csv'), '--provider', provider, '--json', '--no-preflight'];
    const envFor = (url: string) => ({
      WA_API_URL: url,
      WA_TOKEN: SECRETS.cloud,
      WA_PHONE_NUMBER_ID: '106540352242922',
      D360_API_URL: url,
      D360_API_KEY: SECRETS['360dialog'],
      TWILIO_API_URL: url,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: SECRETS.twilio,
      TWILIO_FROM: '+15550001111',
    });
    const outputs: string[] = [];
    const send = async (handler: Handler, ledger: string, ...extra: string[]) => {
      const server = await hostileServer(handler);
      const clock = new ManualClock(2);
      const result = await clock.run(run(['send', csv, ...common, '--ledger', path.join(dir, ledger), ...extra], envFor(server.url), dir, { clock }));
      outputs.push(result.stdout, result.stderr);
      return result;
    };

    const mixed = await send(echoingProvider(provider), 'mixed.ledger.jsonl', '--yes');
    expect(mixed.code).toBe(0);
    const stopped = await send(echoingProvider(provider, true), 'stopped.ledger.jsonl', '--yes');
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toContain('[redacted]');
    const dryRun = await send(() => undefined, 'dry.ledger.jsonl', `--dry-run=${path.join(dir, 'requests.jsonl')}`);
    expect(dryRun.code).toBe(0);

    // The echoes did reach the ledger, as redacted text: the test is not passing by storing nothing.
    const titles = (await ledgerRecords(path.join(dir, 'mixed.ledger.jsonl'))).map((r) => r.title).filter(Boolean);
    expect(titles.length).toBeGreaterThan(5);
    expect(titles.filter((title) => !title!.startsWith('refused: ') || !title!.includes('[redacted]'))).toEqual([]);

    const files = await Promise.all((await readdir(dir)).map((name) => readFile(path.join(dir, name), 'utf8')));
    for (const text of [...outputs, ...files]) {
      for (const secret of forbidden(provider)) expect(text).not.toContain(secret);
    }
  });
});
