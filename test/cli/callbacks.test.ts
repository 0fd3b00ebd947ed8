import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, emulatorEnv, startEmulator } from '../../src/emulator/emulator-server.js';
import { loadTemplateCatalog, SAMPLE_TEMPLATES_FILE } from '../../src/emulator/template-catalog.js';
import { parseScenario } from '../../src/emulator/scenario.js';
import { plannedStatuses, statusCallbacks } from '../../src/emulator/status-callbacks.js';
import { JsonlAppender } from '../../src/fs/jsonl-appender.js';
import type { EventRecord } from '../../src/webhook/event-record.js';
import { startWebhook } from '../../src/webhook/webhook-server.js';
import { fixture, run } from '../helpers.js';
import { seededRandom } from '../seeded-random.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const APP_SECRET = 'callbacks-app-secret';
const C = DEFAULT_CREDENTIALS;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** `random`: the shuffle's source, for a scenario that shuffles the callbacks (seeded: a run is repeatable). */
async function loop(scenarioValue: unknown, random?: () => number) {
  const dir = await fixture({});
  for (const file of ['campaign.csv', 'spring-sale.yaml']) await copyFile(path.join(SAMPLES, file), path.join(dir, file));
  const eventsFile = path.join(dir, 'events.jsonl');
  const events = await JsonlAppender.open<EventRecord>(eventsFile);
  const webhook = await startWebhook({ port: 0, events, secrets: { WA_APP_SECRET: APP_SECRET, TWILIO_AUTH_TOKEN: C.TWILIO_AUTH_TOKEN }, allowUnsigned: false, publicUrl: undefined });
  const scenario = parseScenario(scenarioValue);
  const callbacks = statusCallbacks({ webhookUrl: `${webhook.url}/webhook`, credentials: { ...C, WA_APP_SECRET: APP_SECRET }, scenario, stepMs: 5, ...(random ? { random } : {}) });
  const emulator = await startEmulator({ port: 0, scenario, onAccepted: callbacks.onAccepted, mps: 1000, templates: await loadTemplateCatalog(SAMPLE_TEMPLATES_FILE) });
  stops.push(emulator.close);
  const env = {
    ...emulatorEnv(emulator.url),
    TWILIO_STATUS_CALLBACK_URL: `${webhook.url}/twilio/status`,
  };
  const send = (provider: string) =>
    run(['send', path.join(dir, 'campaign.csv'), '--template', path.join(dir, 'spring-sale.yaml'), '--provider', provider, '--ledger', path.join(dir, `${provider}.jsonl`), '--yes', '--json', '--mps', '500'], env, dir);
  const finish = async () => {
    await callbacks.drain();
    await webhook.close();
    return (await readFile(eventsFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as EventRecord);
  };
  return { send, finish, dir };
}

const metaStatuses = (events: EventRecord[]) =>
  events.filter((e) => e.provider === 'meta').map((e) => JSON.parse(e.raw).entry[0].changes[0].value.statuses[0]);

describe('status callbacks: emulator → webhook', () => {
  it('every message of each provider reports sent, delivered and read; failures arrive in the callbacks', async () => {
    const { send, finish, dir } = await loop({ rules: [{ match: '+447400123457', outcome: 'accepted', callback: 'failed', callback_code: 131026 }] });
    for (const provider of ['cloud', '360dialog', 'twilio']) expect((await send(provider)).code).toBe(0);
    const events = await finish();
    const meta = metaStatuses(events);
    expect(meta).toHaveLength(2 * (12 * 3 + 2));
    const failed = meta.filter((s) => s.status === 'failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ errors: [{ code: 131026, title: 'Message undeliverable' }], biz_opaque_callback_data: expect.stringMatching(/-3-1$/) });
    // Mexico: the status names the WhatsApp id, which differs from the number sent to.
    expect(meta.filter((s) => s.recipient_id === '5215512345678').map((s) => s.status).sort()).toEqual(['delivered', 'delivered', 'read', 'read', 'sent', 'sent']);
    // The correlation id is the one in the ledger's intent.
    const ledger = (await readFile(path.join(dir, 'cloud.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const cids = new Set(ledger.filter((r) => r.type === 'intent').map((r) => r.cid));
    expect(meta.filter((s) => cids.has(s.biz_opaque_callback_data)).length).toBe(12 * 3 + 2);

    const twilio = events.filter((e) => e.provider === 'twilio').map((e) => Object.fromEntries(new URLSearchParams(e.raw)));
    expect(twilio).toHaveLength(12 * 3 + 2);
    expect(twilio.find((f) => f.MessageStatus === 'undelivered')).toMatchObject({ ErrorCode: '63024' });
    // Each on the message's own StatusCallback, with its idempotency token.
    expect(events.filter((e) => e.provider === 'twilio').filter((e) => !/\/twilio\/status\?cid=/.test(e.path) || !e.idempotency_token)).toEqual([]);
  }, 30_000);

  it('sends duplicates and out of order when the scenario says so', async () => {
    const { send, finish } = await loop({ duplicate_callbacks: true, shuffle_callbacks: true }, seededRandom());
    expect((await send('cloud')).code).toBe(0);
    const meta = metaStatuses(await finish());
    expect(meta).toHaveLength(13 * 3 * 2);
    // Each status of each of the 13 messages twice.
    const seen = new Map<string, number>();
    for (const s of meta) seen.set(`${s.id} ${s.status}`, (seen.get(`${s.id} ${s.status}`) ?? 0) + 1);
    expect([...seen.values()]).toEqual(Array(13 * 3).fill(2));
    // The order is not read here: through real sockets a loaded machine reorders posts 5 ms apart
    // by itself. test/emulator/status-callbacks-order.test.ts holds the shuffle on a manual clock.
  }, 30_000);

  it('plans sent → failed for a failing rule, nothing for callback: none', () => {
    const scenario = parseScenario({ rules: [{ match: '+1', outcome: 'held', callback: 'failed', callback_code: 132015 }, { match: '+2', outcome: 'accepted', callback: 'none' }] });
    expect(plannedStatuses(scenario, '+1')).toEqual([{ status: 'sent' }, { status: 'failed', code: 132015 }]);
    expect(plannedStatuses(scenario, '+2')).toEqual([]);
    expect(plannedStatuses(scenario, '+3').map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
  });
});
