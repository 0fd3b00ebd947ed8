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
    expect(result.stderr).toMatch(/^wa-broadcast: stopped: the provider kept throttling for 5 min without accepting a message \(the last answer: HTTP 429 Too Many Requests\) \(http_429\): .*resume when fixed: wa-broadcast send .* --yes$/m);
    // Five minutes of capped one-minute waits: a handful of rounds, not a request storm.
    expect(hostile.requests()).toBeGreaterThanOrEqual(12);
    expect(hostile.requests()).toBeLessThanOrEqual(12 * 7);
    const last = await lastOutcomes(ledger);
    expect(last.size).toBe(12);
    expect([...last.values()].every((outcome) => outcome === 'retry')).toBe(true);

    // The resume command, against a provider that accepts: every throttled recipient is sent once.
    const emulator = await startEmulator({ port: 0, mps: 1000, credentials: { waToken: 'EAAtoken-hostile', waPhoneNumberId: '1', d360ApiKey: 'x', twilioAccountSid: 'x', twilioAuthToken: 'x' } });
    stops.push(emulator.close);
    const resumed = await run([...args, '--mps', '500'], { ...env, WA_API_URL: emulator.url }, dir);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ accepted: 12, failed: 0 });
  });
});
