import { readFile, stat } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRedactor } from '../../src/config/redact.js';
import { JsonlAppender } from '../../src/fs/jsonl-appender.js';
import { metaSignature } from '../../src/providers/cloud-api/meta-signature.js';
import { twilioSignature } from '../../src/providers/twilio/twilio-signature.js';
import type { EventRecord } from '../../src/webhook/event-record.js';
import { MAX_CALLBACK_BYTES, startWebhook, type WebhookOptions } from '../../src/webhook/webhook-server.js';
import { run, tempDir } from '../helpers.js';

const SECRET = 'app-secret-for-tests';
const TWILIO_TOKEN = 'twilio-token-for-tests';
const SECRETS = { WA_APP_SECRET: SECRET, WA_VERIFY_TOKEN: 'verify-me', TWILIO_AUTH_TOKEN: TWILIO_TOKEN };
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function receiver(options: Partial<WebhookOptions> = {}) {
  const file = path.join(await tempDir(), 'events.jsonl');
  const events = await JsonlAppender.open<EventRecord>(file);
  const webhook = await startWebhook({ port: 0, events, secrets: SECRETS, allowUnsigned: false, publicUrl: undefined, ...options });
  let closed = false;
  const close = async () => {
    if (!closed) await webhook.close();
    closed = true;
  };
  stops.push(close);
  const lines = async () => {
    await close();
    const text = await readFile(file, 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EventRecord);
  };
  return { url: webhook.url, file, lines };
}

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, text: await res.text() };
}

const STATUS = JSON.stringify({
  object: 'whatsapp_business_account',
  entry: [{ id: '1', changes: [{ field: 'messages', value: { statuses: [{ id: 'wamid.A', status: 'read', recipient_id: '5215512345678', biz_opaque_callback_data: 'r-2-1', note: 'Chloé 🌸 ünïcode' }] } }] }],
});

describe('webhook: Meta subscription handshake', () => {
  it('answers the challenge for the right verify token, 403 otherwise', async () => {
    const { url } = await receiver();
    const ok = await fetch(`${url}/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444`);
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    expect((await fetch(`${url}/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status).toBe(403);
    const { url: noToken } = await receiver({ secrets: { ...SECRETS, WA_VERIFY_TOKEN: undefined } });
    expect((await fetch(`${noToken}/webhook?hub.mode=subscribe&hub.verify_token=&hub.challenge=1`)).status).toBe(403);
  });
});

describe('webhook: POST /webhook', () => {
  it('appends a signed callback with emoji and accents, raw bytes kept, before answering 200', async () => {
    const { url, lines, file } = await receiver();
    const res = await post(`${url}/webhook`, STATUS, { 'x-hub-signature-256': metaSignature(STATUS, SECRET) });
    expect(res.status).toBe(200);
    const events = await lines();
    // Beside the raw payload, what reconcile reads from it (no timestamp in it: the receive time).
    const at = Date.parse(events[0]!.received_at);
    const facts = { v: 1, facts: [{ status: 'read', id: 'wamid.A', cid: 'r-2-1', at }] };
    expect(events).toEqual([{ type: 'event', received_at: expect.any(String), provider: 'meta', path: '/webhook', facts, raw: STATUS }]);
    expect(Object.keys(events[0]!)).toEqual(['type', 'received_at', 'provider', 'path', 'facts', 'raw']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['missing', {}, 401],
    ['wrong', { 'x-hub-signature-256': metaSignature(STATUS, 'other-secret') }, 403],
    ['truncated', { 'x-hub-signature-256': metaSignature(STATUS, SECRET).slice(0, -2) }, 403],
  ])('refuses a %s signature with %s… and appends nothing', async (_name, headers, status) => {
    const { url, lines } = await receiver();
    expect((await post(`${url}/webhook`, STATUS, headers as Record<string, string>)).status).toBe(status);
    expect(await lines()).toEqual([]);
  });

  it('answers 400 to a validly signed body that is not JSON, and appends nothing', async () => {
    const { url, lines } = await receiver();
    const body = 'not json {';
    expect((await post(`${url}/webhook`, body, { 'x-hub-signature-256': metaSignature(body, SECRET) })).status).toBe(400);
    expect(await lines()).toEqual([]);
  });

  it('answers 413 over 1 MiB without reading it all, and appends nothing', async () => {
    const { url, lines } = await receiver();
    const big = Buffer.alloc(MAX_CALLBACK_BYTES + 1, 'a');
    expect((await post(`${url}/webhook`, big, { 'x-hub-signature-256': metaSignature(big, SECRET) })).status).toBe(413);
    // Without a Content-Length (chunked), the cap still holds.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/webhook`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => resolve(res.statusCode!));
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(64 * 1024, 'b'));
      req.end();
    });
    expect(status).toBe(413);
    expect(await lines()).toEqual([]);
  });

  it('accepts unsigned JSON only when told to (360dialog)', async () => {
    const { url, lines } = await receiver({ allowUnsigned: true });
    expect((await post(`${url}/webhook`, STATUS)).status).toBe(200);
    expect((await lines())[0]).toMatchObject({ provider: 'unsigned', raw: STATUS });
  });
});

describe('webhook: POST /twilio/status', () => {
  const form = new URLSearchParams({ MessageSid: `SM${'a'.repeat(32)}`, MessageStatus: 'delivered', To: 'whatsapp:+447400123456', ErrorCode: '' });

  it('appends a callback signed over the public URL with its query string, keeping the idempotency token', async () => {
    const { url, lines } = await receiver({ publicUrl: 'https://hooks.example.com' });
    const signed = twilioSignature('https://hooks.example.com/twilio/status?cid=r-2-1&site=eu', form, TWILIO_TOKEN);
    const res = await post(`${url}/twilio/status?cid=r-2-1&site=eu`, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signed,
      'i-twilio-idempotency-token': 'idem-1',
    });
    expect(res.status).toBe(200);
    const events = await lines();
    const facts = { v: 1, facts: [{ status: 'delivered', id: `SM${'a'.repeat(32)}`, cid: 'r-2-1', at: Date.parse(events[0]!.received_at) }] };
    expect(events).toEqual([{ type: 'event', received_at: expect.any(String), provider: 'twilio', path: '/twilio/status?cid=r-2-1&site=eu', facts, raw: form.toString(), idempotency_token: 'idem-1' }]);
  });

  it('refuses a missing or wrong signature, and everything when TWILIO_AUTH_TOKEN is not set', async () => {
    const { url, lines } = await receiver({ publicUrl: 'https://hooks.example.com' });
    expect((await post(`${url}/twilio/status`, form.toString())).status).toBe(401);
    const wrong = twilioSignature('https://hooks.example.com/twilio/status', form, 'other');
    expect((await post(`${url}/twilio/status`, form.toString(), { 'x-twilio-signature': wrong })).status).toBe(403);
    expect(await lines()).toEqual([]);
    const { url: noToken } = await receiver({ secrets: { ...SECRETS, TWILIO_AUTH_TOKEN: undefined } });
    expect((await post(`${noToken}/twilio/status`, form.toString())).status).toBe(403);
  });
});

describe('webhook: our secrets in what is stored and logged', () => {
  const VERIFY = 'verify-me';
  const forms = (secret: string) => [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];

  it('stores a signed payload that echoes our secrets with them redacted, in every encoding, still JSON', async () => {
    const { url, lines } = await receiver();
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ value: { statuses: [{ id: 'wamid.ECHO', status: 'failed', errors: [{ title: `bad token ${SECRET}`, href: `https://x.example/?t=${encodeURIComponent(TWILIO_TOKEN)}`, basic: Buffer.from(VERIFY).toString('base64') }] }] } }] }],
    });
    expect((await post(`${url}/webhook`, body, { 'x-hub-signature-256': metaSignature(body, SECRET) })).status).toBe(200);
    const [event] = await lines();
    const stored = JSON.stringify(event);
    for (const secret of [SECRET, TWILIO_TOKEN, VERIFY]) for (const form of forms(secret)) expect(stored).not.toContain(form);
    const status = JSON.parse(event!.raw).entry[0].changes[0].value.statuses[0];
    expect(status).toMatchObject({ id: 'wamid.ECHO', errors: [{ title: 'bad token [redacted]', href: 'https://x.example/?t=[redacted]', basic: '[redacted]' }] });
  });

  it('redacts a Twilio callback\'s path, idempotency token and form, and the log line naming the URL a bad signature was checked against', async () => {
    const logs: string[] = [];
    const { url, lines } = await receiver({ publicUrl: 'https://hooks.example.com', log: (line) => logs.push(line) });
    const form = new URLSearchParams({ MessageSid: 'SMecho', MessageStatus: 'failed', ErrorMessage: `auth ${TWILIO_TOKEN}` });
    const pathAndQuery = `/twilio/status?cid=r-2-1&echo=${encodeURIComponent(VERIFY)}`;
    const res = await post(`${url}${pathAndQuery}`, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(`https://hooks.example.com${pathAndQuery}`, form, TWILIO_TOKEN),
      'i-twilio-idempotency-token': `idem-${SECRET}`,
    });
    expect(res.status).toBe(200);
    expect((await post(`${url}/twilio/status?token=${SECRET}`, form.toString(), { 'x-twilio-signature': 'bm9wZQ==' })).status).toBe(403);
    const [event] = await lines();
    expect(event).toMatchObject({ path: '/twilio/status?cid=r-2-1&echo=[redacted]', idempotency_token: 'idem-[redacted]' });
    expect(new URLSearchParams(event!.raw).get('ErrorMessage')).toBe('auth [redacted]');
    expect(logs).toContain('webhook: 403 bad X-Twilio-Signature (checked against https://hooks.example.com/twilio/status?token=[redacted]; behind a proxy, pass --public-url)');
    const redact = makeRedactor([SECRET, TWILIO_TOKEN, VERIFY]);
    for (const text of [JSON.stringify(event), ...logs]) expect(redact(text)).toBe(text);
  });
});

describe('webhook: load', () => {
  it('answers 640 signed callbacks, 64 at a time, every one 200 and every one on disk', async () => {
    const { url, lines } = await receiver();
    // Ten rounds of 64 concurrent requests: enough for batched writes to overlap the answers (what
    // this proves); 3,000 took six seconds and proved nothing more.
    const total = 640;
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < total) {
          const body = STATUS.replace('wamid.A', `wamid.${next++}`);
          statuses.push((await post(`${url}/webhook`, body, { 'x-hub-signature-256': metaSignature(body, SECRET) })).status);
        }
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(total);
    const events = await lines();
    expect(events).toHaveLength(total);
    expect(new Set(events.map((e) => JSON.parse(e.raw).entry[0].changes[0].value.statuses[0].id)).size).toBe(total);
  }, 60_000);
});

describe('webhook command', () => {
  it('refuses to start without WA_APP_SECRET unless --allow-unsigned', async () => {
    const dir = await tempDir();
    const result = await run(['webhook', '--port', '0', '--events', path.join(dir, 'e.jsonl')], {}, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('webhook needs WA_APP_SECRET');
  });
});
