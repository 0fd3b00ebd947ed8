import { afterEach, describe, expect, it } from 'vitest';
import { dialog360Provider } from '../../src/providers/360dialog/index.js';
import { cloudProvider } from '../../src/providers/cloud/index.js';
import { httpTransport } from '../../src/providers/http-transport.js';
import type { Message, Outcome, Provider } from '../../src/providers/provider.js';
import { twilioProvider } from '../../src/providers/twilio/twilio-provider.js';
import { recordingServer, type Scripted } from '../recording-server.js';
import { timeOutWhen } from '../request-timeout.js';

const TOKEN = 'EAAG-secret-token-123456';
const D360_KEY = 'd360-secret-key-abcdef';
const TWILIO_SID = `AC${'1'.repeat(32)}`;
const TWILIO_TOKEN = 'twilio-secret-token-987';

const message: Message = {
  phone: '+447400123456',
  template: {
    name: 'spring_sale',
    language: { code: 'en_GB' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana 🌸' }] }],
  },
  twilioVariables: { 1: 'Ana 🌸' },
  correlationId: 'ab12cd34-2-1',
};

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function exchange(make: (baseUrl: string) => Provider, script: Scripted[]) {
  const server = await recordingServer(script);
  servers.push(server);
  const provider = make(server.url);
  const transport = httpTransport({ timeoutMs: 5000, maxSockets: 4 });
  const outcomes: Outcome[] = [];
  for (let i = 0; i < script.length; i++) {
    const result = await transport(provider.buildRequest(message));
    outcomes.push(result.ok ? provider.parseResponse(result.response) : result.written ? { kind: 'in_doubt', code: result.code, title: result.message } : { kind: 'transient', code: result.code, title: result.message });
  }
  transport.close();
  expect(server.unused()).toEqual([]);
  return { requests: server.requests, outcomes };
}

const cloud = (url: string) => cloudProvider({ baseUrl: `${url}/`, version: 'v23.0', phoneNumberId: '1055551234', token: TOKEN });
const d360 = (url: string) => dialog360Provider({ baseUrl: url, apiKey: D360_KEY });
const twilio = (url: string) =>
  twilioProvider({
    baseUrl: url,
    accountSid: TWILIO_SID,
    authToken: TWILIO_TOKEN,
    from: 'whatsapp:+15550001111',
    messagingServiceSid: undefined,
    statusCallbackUrl: 'https://hooks.example.com/twilio/status?site=eu',
    contentSid: `HX${'a'.repeat(32)}`,
  });

const metaOk = { status: 200, body: JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: '+447400123456', wa_id: '447400123456' }], messages: [{ id: 'wamid.ABC' }] }) };
const metaError = (status: number, code: number) => ({ status, body: JSON.stringify({ error: { message: `(#${code}) x`, type: 'OAuthException', code, fbtrace_id: 'T' } }) });

describe('Cloud API requests', () => {
  it('POSTs the template to /{version}/{phone-number-id}/messages with a bearer token and the correlation id', async () => {
    const { requests, outcomes } = await exchange(cloud, [metaOk]);
    const [request] = requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/v23.0/1055551234/messages');
    expect(request!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+447400123456',
      type: 'template',
      template: message.template,
      biz_opaque_callback_data: 'ab12cd34-2-1',
    });
    expect(outcomes).toEqual([{ kind: 'accepted', messageId: 'wamid.ABC', waId: '447400123456', status: undefined }]);
  });

  it('360dialog sends the same body to /messages with D360-API-KEY', async () => {
    const { requests } = await exchange(d360, [metaOk]);
    expect(requests[0]!.url).toBe('/messages');
    expect(requests[0]!.headers['d360-api-key']).toBe(D360_KEY);
    expect(requests[0]!.headers.authorization).toBeUndefined();
    expect(JSON.parse(requests[0]!.body).biz_opaque_callback_data).toBe('ab12cd34-2-1');
  });
});

describe('Twilio requests', () => {
  it('POSTs a form with To, From, ContentSid, ContentVariables and a StatusCallback carrying the correlation id', async () => {
    const sid = `SM${'b'.repeat(32)}`;
    const { requests, outcomes } = await exchange(twilio, [{ status: 201, body: JSON.stringify({ sid, status: 'queued' }) }]);
    const [request] = requests;
    expect(request!.url).toBe(`/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`);
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`);
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      To: 'whatsapp:+447400123456',
      From: 'whatsapp:+15550001111',
      ContentSid: `HX${'a'.repeat(32)}`,
      ContentVariables: JSON.stringify({ 1: 'Ana 🌸' }),
      StatusCallback: 'https://hooks.example.com/twilio/status?site=eu&cid=ab12cd34-2-1',
    });
    expect(outcomes).toEqual([{ kind: 'accepted', messageId: sid, waId: undefined, status: 'queued' }]);
  });
});

describe('answers → outcomes', () => {
  it.each([
    ['throttled (130429, with Retry-After)', cloud, { ...metaError(400, 130429), headers: { 'retry-after': '3' } }, { kind: 'throttled', code: '130429', retryAfterMs: 3000 }],
    ['throttled (plain HTTP 429)', cloud, { status: 429, body: 'slow down' }, { kind: 'throttled', code: 'http_429' }],
    ['pair rate (131056)', cloud, metaError(400, 131056), { kind: 'pair_rate', code: '131056' }],
    ['transient (131000)', cloud, metaError(500, 131000), { kind: 'transient', code: '131000' }],
    ['transient (2)', d360, metaError(503, 2), { kind: 'transient', code: '2' }],
    ['transient (an unknown code in a 5xx provider body)', cloud, metaError(500, 987654), { kind: 'transient', code: '987654' }],
    ['stop: bad token (190)', cloud, metaError(401, 190), { kind: 'stop', code: '190' }],
    ['stop: unknown template (132001)', cloud, metaError(404, 132001), { kind: 'stop', code: '132001' }],
    ['stop: template paused (132015)', cloud, metaError(400, 132015), { kind: 'stop', code: '132015' }],
    ['stop: account locked (131031)', d360, metaError(403, 131031), { kind: 'stop', code: '131031' }],
    ['stop: payment (131042)', cloud, metaError(400, 131042), { kind: 'stop', code: '131042' }],
    ['stop: number not registered (133010)', cloud, metaError(400, 133010), { kind: 'stop', code: '133010' }],
    ['stop: 401 without a body', d360, { status: 401, body: '' }, { kind: 'stop', code: 'http_401' }],
    ['failed: invalid parameter (100)', cloud, metaError(400, 100), { kind: 'failed', code: '100', class: 'row_rejected' }],
    ['failed: not on WhatsApp (131026)', cloud, metaError(400, 131026), { kind: 'failed', code: '131026', class: 'sms_fallback' }],
    ['in doubt: 502 from a gateway', cloud, { status: 502, body: '<html>Bad gateway</html>' }, { kind: 'in_doubt', code: 'http_502' }],
    ['in doubt: 504 even with a provider body', cloud, metaError(504, 131000), { kind: 'in_doubt', code: 'http_504' }],
    ['in doubt: a 500 that is not the provider’s JSON', cloud, { status: 500, body: 'oops' }, { kind: 'in_doubt', code: 'http_500' }],
    ['in doubt: 200 without a message id', cloud, { status: 200, body: '{}' }, { kind: 'in_doubt', code: 'http_200' }],
    ['in doubt: the connection drops after the request', cloud, 'drop', { kind: 'in_doubt' }],
    ['Twilio throttled (20429)', twilio, { status: 429, body: JSON.stringify({ code: 20429, message: 'Too Many Requests', status: 429 }) }, { kind: 'throttled', code: '20429' }],
    ['Twilio stop: bad credentials (20003)', twilio, { status: 401, body: JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }) }, { kind: 'stop', code: '20003' }],
    ['Twilio failed: invalid To (21211)', twilio, { status: 400, body: JSON.stringify({ code: 21211, message: 'bad To', status: 400 }) }, { kind: 'failed', code: '21211', class: 'row_rejected' }],
    ['Twilio failed: unsubscribed (21610)', twilio, { status: 400, body: JSON.stringify({ code: 21610, message: 'unsubscribed', status: 400 }) }, { kind: 'failed', code: '21610', class: 'opted_out' }],
    ['Twilio transient: a 5xx with its body', twilio, { status: 500, body: JSON.stringify({ code: 20500, message: 'Internal', status: 500 }) }, { kind: 'transient', code: '20500' }],
  ] as const)('%s', async (_name, make, answer, expected) => {
    const { outcomes } = await exchange(make, [answer as Scripted]);
    expect(outcomes[0]).toMatchObject(expected);
  });

  it('a request to a closed port was not sent: transient, safe to retry', async () => {
    const server = await recordingServer();
    const url = server.url;
    await server.close();
    const transport = httpTransport({ timeoutMs: 2000, maxSockets: 1 });
    const result = await transport(cloud(url).buildRequest(message));
    transport.close();
    expect(result).toMatchObject({ ok: false, written: false, code: 'ECONNREFUSED' });
  });

  it('no answer in time after the request went out: in doubt; requests still waiting for a socket: not sent', async () => {
    const server = await recordingServer(['hang']);
    servers.push(server);
    const transport = httpTransport({ timeoutMs: 300, maxSockets: 1 });
    // One socket: the second request waits behind the first and never gets on the wire.
    // The timeouts fire once the first request is on the server, however long the connect took.
    const [first, second] = await timeOutWhen(300, () => server.requests.length === 1, () =>
      Promise.all([transport(cloud(server.url).buildRequest(message)), transport(cloud(server.url).buildRequest(message))]),
    );
    transport.close();
    expect(first).toMatchObject({ ok: false, written: true, code: 'ETIMEDOUT' });
    expect(second).toMatchObject({ ok: false, written: false, code: 'ETIMEDOUT' });
    expect(server.requests).toHaveLength(1);
  });

  it('an answer over 1 MiB is not a provider’s: in doubt', async () => {
    const server = await recordingServer([{ status: 200, body: 'x'.repeat((1 << 20) + 1) }]);
    servers.push(server);
    const transport = httpTransport({ timeoutMs: 2000, maxSockets: 1 });
    const result = await transport(cloud(server.url).buildRequest(message));
    transport.close();
    expect(result).toMatchObject({ ok: false, written: true, code: 'ERR_RESPONSE_TOO_LARGE' });
  });

  it('a reused keep-alive connection counts as connected: a reset on it is in doubt', async () => {
    const server = await recordingServer([metaOk, 'drop']);
    servers.push(server);
    const transport = httpTransport({ timeoutMs: 2000, maxSockets: 1 });
    expect(await transport(cloud(server.url).buildRequest(message))).toMatchObject({ ok: true });
    expect(await transport(cloud(server.url).buildRequest(message))).toMatchObject({ ok: false, written: true });
    transport.close();
  });

  it('a failure result never carries the token', async () => {
    const server = await recordingServer(['drop']);
    servers.push(server);
    const transport = httpTransport({ timeoutMs: 2000, maxSockets: 1 });
    const result = await transport(cloud(server.url).buildRequest(message));
    transport.close();
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});
