import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, startEmulator } from '../../src/emulator/emulator-server.js';
import { parseScenario } from '../../src/emulator/scenario.js';
import { metaSignature } from '../../src/providers/cloud-api/meta-signature.js';
import { fixture, tempDir } from '../helpers.js';
import { runCli, serveCli } from './cli-process.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';

/*
 * Ordinary runs print nothing of Node's own on stderr: no "(node:…) MaxListenersExceededWarning"
 * (hundreds of attempts sleeping on one abort signal at 1,000 MPS used to add a listener each), no
 * other process warning. Real processes, as a user runs them.
 */
const NODE_WARNING = /\(node:\d+\)|Warning:/;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});


describe('no process warnings in ordinary runs', () => {
  it('send: 1,000 recipients at --mps 1000 through the emulator (with a 150 ms answer, so hundreds wait at once)', async () => {
    const emulator = await startEmulator({ port: 0, mps: 5000, scenario: parseScenario({ latency_ms: 150 }) });
    stops.push(emulator.close);
    const rows = Array.from({ length: 1000 }, (_, i) => `+4474007${String(i).padStart(5, '0')},yes,N${i}`).join('\n');
    const dir = await fixture({ 'c.csv': `phone,opt_in,name\n${rows}\n`, 's.yaml': SPEC });
    const env = { WA_API_URL: emulator.url, WA_TOKEN: DEFAULT_CREDENTIALS.WA_TOKEN, WA_PHONE_NUMBER_ID: DEFAULT_CREDENTIALS.WA_PHONE_NUMBER_ID };
    const exit = await runCli(['send', 'c.csv', '--template', 's.yaml', '--yes', '--json', '--mps', '1000'], { cwd: dir, env: { ...process.env, ...env } });
    expect(exit.code, exit.stderr).toBe(0);
    expect(JSON.parse(exit.stdout)).toMatchObject({ accepted: 1000 });
    expect(exit.stderr).not.toMatch(NODE_WARNING);
  }, 30_000);

  it('webhook: 400 callbacks, 200 at a time, then SIGTERM', async () => {
    const dir = await tempDir();
    const secret = 'warnings-app-secret';
    const webhook = await serveCli(['webhook', '--port', '0', '--events', path.join(dir, 'events.jsonl')], { cwd: dir, env: { ...process.env, WA_APP_SECRET: secret } });
    const { url } = webhook;
    // Two waves of 200 at once (under the receiver's 256-connection cap, which would refuse the excess).
    const statuses: number[] = [];
    for (const wave of [0, 1]) {
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => {
          const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ id: `wamid.${wave}.${i}`, status: 'delivered' }] } }] }] });
          return fetch(`${url}/webhook`, { method: 'POST', body, headers: { 'x-hub-signature-256': metaSignature(body, secret) } }).then((r) => r.status);
        }),
      );
      statuses.push(...answers);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(400);
    webhook.child.kill('SIGTERM');
    expect((await webhook.exited).code, webhook.stderr()).toBe(0);
    expect(webhook.stderr()).not.toMatch(NODE_WARNING);
  }, 30_000);
});
