import { copyFile, readFile, readdir } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';
import { selfSignedCert } from '../self-signed-cert.js';

// `send` through the real transport (got) to servers that fail the request in two ways: nothing of
// got's error objects (which carry the request's Authorization header) may reach the ledger or the
// output, only the code and one line of message.
const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const TOKEN = 'EAAtoken-TRANSPORT-secret-91c2';
const OUTCOME_KEYS = ['at', 'cid', 'class', 'code', 'outcome', 'phone', 'title', 'type'];

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function listen(server: Server & { closeAllConnections?: () => void }, scheme: 'http' | 'https') {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  );
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function send(url: string) {
  const dir = await fixture({});
  for (const file of ['campaign.csv', 'spring-sale.yaml']) await copyFile(path.join(SAMPLES, file), path.join(dir, file));
  const ledger = path.join(dir, 'campaign.ledger.jsonl');
  const clock = new ManualClock(2);
  const env = { WA_API_URL: url, WA_TOKEN: TOKEN, WA_PHONE_NUMBER_ID: '106540352242922' };
  const result = await clock.run(run(['send', path.join(dir, 'campaign.csv'), '--template', path.join(dir, 'spring-sale.yaml'), '--ledger', ledger, '--yes', '--json', '--mps', '500'], env, dir, { clock }));
  const text = await readFile(ledger, 'utf8');
  const outcomes = text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((r) => r.type === 'outcome');
  const files = await Promise.all((await readdir(dir)).map((name) => readFile(path.join(dir, name), 'utf8')));
  for (const output of [result.stdout, result.stderr, ...files]) {
    expect(output).not.toContain(TOKEN);
    expect(output.toLowerCase()).not.toContain('authorization');
  }
  for (const outcome of outcomes) {
    expect(OUTCOME_KEYS).toEqual(expect.arrayContaining(Object.keys(outcome)));
    expect(typeof outcome.title).toBe('string');
    expect(outcome.title).not.toContain('\n');
  }
  return { result, outcomes, summary: JSON.parse(result.stdout) as { accepted: number; failed: number; in_doubt: number; errors: Record<string, number> } };
}

describe('send through got to failing servers', () => {
  it('a connection reset after every request: each send in doubt with the code, nothing else of the error stored', async () => {
    const url = await listen(
      createHttpServer((req) => {
        req.resume();
        req.on('end', () => req.socket.destroy());
      }),
      'http',
    );
    const { result, outcomes, summary } = await send(url);
    expect(result.code).toBe(0);
    expect(summary).toMatchObject({ accepted: 0, failed: 0, in_doubt: 13, errors: { ECONNRESET: 13 } });
    expect(outcomes).toHaveLength(13);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ outcome: 'in_doubt', code: 'ECONNRESET' });
  });

  it('a TLS certificate that fails verification: never sent, retried, then failed with the code', async () => {
    const { key, cert } = selfSignedCert();
    let requests = 0;
    const url = await listen(createHttpsServer({ key, cert }, () => void requests++), 'https');
    const { result, outcomes, summary } = await send(url);
    expect(result.code).toBe(0);
    expect(requests).toBe(0);
    // Three retries each (not sent, so safe to retry), then failed.
    expect(summary).toMatchObject({ accepted: 0, failed: 13, in_doubt: 0, errors: { DEPTH_ZERO_SELF_SIGNED_CERT: 52 } });
    expect(outcomes.filter((o) => o.outcome === 'failed')).toHaveLength(13);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', title: 'self-signed certificate' });
  });
});
