import { afterEach, describe, expect, it } from 'vitest';
import { readOnboarding } from '../../../src/providers/cloud/read-onboarding.js';
import { recordingServer, type Scripted } from '../../recording-server.js';
import { timeOutWhen } from '../../request-timeout.js';

const TOKEN = 'EAAG-onboarding-token';
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function read(script: Scripted[], wabaId = '102290129340398', timeoutMs?: number) {
  const server = await recordingServer(script);
  servers.push(server);
  const result = await readOnboarding({ baseUrl: `${server.url}//`, version: 'v23.0', wabaId, token: TOKEN, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  expect(server.unused()).toEqual([]);
  return { result, requests: server.requests };
}

describe('readOnboarding', () => {
  it('GETs the onboarding status of the WABA with the bearer token, and gives it', async () => {
    const { result, requests } = await read([{ status: 200, body: JSON.stringify({ marketing_messages_onboarding_status: 'ONBOARDED', id: '102290129340398' }) }]);
    expect(result).toEqual({ ok: true, status: 'ONBOARDED' });
    expect(requests.map(({ method, url, headers }) => ({ method, url, authorization: headers.authorization }))).toEqual([
      { method: 'GET', url: '/v23.0/102290129340398?fields=marketing_messages_onboarding_status', authorization: `Bearer ${TOKEN}` },
    ]);
  });

  it('encodes the WABA id into the path', async () => {
    const { requests } = await read([{ status: 200, body: '{"marketing_messages_onboarding_status":"ELIGIBLE"}' }], '12/3');
    expect(requests[0]!.url).toBe('/v23.0/12%2F3?fields=marketing_messages_onboarding_status');
  });

  it("gives a failed answer's status with Meta's code and message, at most 200 characters of it", async () => {
    const message = `(#100) ${'x'.repeat(300)}`;
    const { result } = await read([{ status: 400, body: JSON.stringify({ error: { message, type: 'OAuthException', code: 100 } }) }]);
    expect(result).toEqual({ ok: false, why: `HTTP 400, error 100: ${message.slice(0, 200)}` });
  });

  it('gives the status alone for a failure without an error body, and does not retry or follow a redirect', async () => {
    expect((await read([{ status: 503, body: 'Service Unavailable' }])).result).toEqual({ ok: false, why: 'HTTP 503' });
    expect((await read([{ status: 500, body: '{"detail":"x"}' }])).result).toEqual({ ok: false, why: 'HTTP 500' });
    const { result, requests } = await read([{ status: 302, body: '', headers: { location: '/elsewhere' } }]);
    expect(result).toEqual({ ok: false, why: 'HTTP 302' });
    expect(requests).toHaveLength(1);
  });

  it('is a failure when the answer has no status of capitals and underscores', async () => {
    const why = { ok: false, why: 'the answer has no marketing_messages_onboarding_status' };
    for (const body of ['{}', 'not json', '{"marketing_messages_onboarding_status":42}', '{"marketing_messages_onboarding_status":""}', '{"marketing_messages_onboarding_status":"onboarded"}', '{"marketing_messages_onboarding_status":"XONBOARDED1"}', '{"marketing_messages_onboarding_status":"1ONBOARDED"}', JSON.stringify({ marketing_messages_onboarding_status: 'A'.repeat(65) })]) {
      expect((await read([{ status: 200, body }])).result).toEqual(why);
    }
    expect((await read([{ status: 200, body: JSON.stringify({ marketing_messages_onboarding_status: `PENDING_${'A'.repeat(56)}` }) }])).result).toEqual({ ok: true, status: `PENDING_${'A'.repeat(56)}` });
  });

  it('gives the error code of a request that failed, never the token', async () => {
    const server = await recordingServer();
    const url = server.url;
    await server.close();
    const result = await readOnboarding({ baseUrl: url, version: 'v23.0', wabaId: '1', token: TOKEN });
    expect(result).toEqual({ ok: false, why: 'ECONNREFUSED' });
  });

  it('gives up after its time limit, 15 s unless told, once the request is on the server', async () => {
    for (const [timeoutMs, wait] of [[300, 300], [undefined, 15_000]] as const) {
      const server = await recordingServer(['hang']);
      servers.push(server);
      const query = { baseUrl: server.url, version: 'v23.0', wabaId: '1', token: TOKEN, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
      const result = await timeOutWhen(wait, () => server.requests.length === 1, () => readOnboarding(query));
      expect(result).toEqual({ ok: false, why: 'ETIMEDOUT' });
    }
  });
});
