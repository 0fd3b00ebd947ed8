import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackClass, codesOfClass, equivalentCode, lookupCode, type ErrorClass } from '../../src/codes/error-codes.js';
import { DEFAULT_CREDENTIALS, startEmulator, type EmulatorLogEntry, type RunningEmulator } from '../../src/emulator/emulator-server.js';
import type { EmulatedMessage, PlannedStatus } from '../../src/providers/emulator-route.js';
import { httpTransport } from '../../src/providers/http-transport.js';
import { environmentRedactor, PROVIDER_MODULES, providerFromEnv } from '../../src/providers/index.js';
import type { HttpRequest, HttpResponse, Message, Outcome } from '../../src/providers/provider.js';
import type { ProviderModule } from '../../src/providers/provider-module.js';
import { parseEventLine } from '../../src/reconcile/parse-event.js';
import { loadTemplateSpec } from '../../src/template/load-template-spec.js';
import type { TemplateSpec } from '../../src/template/template-spec.js';

/*
 * One contract for every registered provider, generated from the registry: a provider added to
 * src/providers/index.ts is run through the same table of answers and callbacks without a line
 * here. What differs between providers (their body shapes, codes, signatures) comes from the
 * provider's own module: its emulator route writes the answers and callbacks the platform would,
 * and its provider and callback channel must read them back as the pipeline and reconcile expect.
 */

const SAMPLE_SPEC = fileURLToPath(new URL('../../samples/spring-sale.yaml', import.meta.url));
const HOOKS = 'https://hooks.example.com';
const C = DEFAULT_CREDENTIALS;
let spec: TemplateSpec;
beforeAll(async () => {
  spec = await loadTemplateSpec(SAMPLE_SPEC);
});

const message = (correlationId = 'r1-2-1'): Message => ({
  phone: '+447400123456',
  template: { name: 'spring_sale', language: { code: 'en_GB' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] },
  twilioVariables: { 1: 'Ana' },
  correlationId,
});

/** The provider configured against `url` with the emulator's demo credentials, its callbacks to the receiver's path. */
function setup(module: ProviderModule, url = 'http://127.0.0.1:9') {
  const env = module.emulator.env(url, C);
  return { env, ...providerFromEnv(module.name as never, env, spec, { allowInsecureHttp: false, statusCallbackUrl: `${HOOKS}${module.callbacks.path}`, placeholders: false }) };
}

/** What the emulated platform reads from the request we build. */
function readBack(module: ProviderModule, request: HttpRequest) {
  const url = new URL(request.url);
  const read = module.emulator.read({ method: request.method, path: url.pathname, headers: request.headers, body: request.body }, C);
  if (!read.ok) throw new Error(`the emulator refused our own request: ${JSON.stringify(read.answer)}`);
  return read;
}

const asResponse = ({ status, body }: { status: number; body: unknown }): HttpResponse => ({ status, headers: {}, body: JSON.stringify(body) });

/** What each class of code must become, the same for every provider. */
const EXPECTED: [ErrorClass, (code: number, module: ProviderModule) => Partial<Outcome>][] = [
  ['throttle', (code) => ({ kind: 'throttled', code: String(code) })],
  ['pair_rate', (code) => ({ kind: 'pair_rate', code: String(code) })],
  ['transient', (code) => ({ kind: 'transient', code: String(code) })],
  ['stop_campaign', (code, module) => ({ kind: 'stop', code: String(code), fix: lookupCode(module.family, code)!.fix! })],
  ['row_rejected', (code) => ({ kind: 'failed', code: String(code), class: 'row_rejected' })],
  ['retry_later', (code) => ({ kind: 'failed', code: String(code), class: 'retry_later' })],
  ['sms_fallback', (code) => ({ kind: 'failed', code: String(code), class: 'sms_fallback' })],
  ['opted_out', (code) => ({ kind: 'failed', code: String(code), class: 'opted_out' })],
];

/** Every row of the answer table for a provider: each code of each class in its family's table, and the emulator's own throttling answers. */
function answerRows(module: ProviderModule): [string, HttpResponse, Partial<Outcome>][] {
  const rows: [string, HttpResponse, Partial<Outcome>][] = [];
  for (const [errorClass, expected] of EXPECTED) {
    const codes = codesOfClass(module.family, errorClass);
    // A transient failure the table does not name (Twilio's own 5xx) is transient too.
    if (errorClass === 'transient') codes.push(module.emulator.transientCode);
    for (const code of codes) rows.push([`${errorClass} ${code}`, asResponse(module.emulator.error(code)), expected(code, module)]);
  }
  const throttled = module.emulator.throttled();
  rows.push([`the throughput limit's answer (${throttled.code})`, asResponse(throttled.answer), { kind: 'throttled', code: String(throttled.code) }]);
  const pair = module.emulator.pairRateLimited?.();
  if (pair) rows.push([`the pair rate limit's answer (${pair.code})`, asResponse(pair.answer), { kind: 'pair_rate', code: String(pair.code) }]);
  return rows;
}

/** Answers no provider writes: what a proxy, a gateway or a broken provider answers instead. */
const FOREIGN_ANSWERS: [string, (module: ProviderModule) => HttpResponse, Partial<Outcome>][] = [
  ['a 5xx that is not the provider’s JSON: in doubt', () => ({ status: 500, headers: {}, body: '<html>Internal Server Error</html>' }), { kind: 'in_doubt', code: 'http_500' }],
  ['a 502 from a gateway, even with a provider body: in doubt', (m) => ({ ...asResponse(m.emulator.error(m.emulator.transientCode)), status: 502 }), { kind: 'in_doubt', code: 'http_502' }],
  ['a 504 from a gateway: in doubt', () => ({ status: 504, headers: {}, body: '' }), { kind: 'in_doubt', code: 'http_504' }],
  ['a 200 without a message id: in doubt', () => ({ status: 200, headers: {}, body: '{}' }), { kind: 'in_doubt', code: 'http_200' }],
  ['a 201 without a message id: in doubt', () => ({ status: 201, headers: {}, body: '{"status":"queued"}' }), { kind: 'in_doubt', code: 'http_201' }],
  ['a plain 429 with Retry-After: throttled', () => ({ status: 429, headers: { 'retry-after': '2' }, body: 'slow down' }), { kind: 'throttled', code: 'http_429', retryAfterMs: 2000 }],
  ['a 401 without a body: stop', () => ({ status: 401, headers: {}, body: '' }), { kind: 'stop', code: 'http_401' }],
];

const STATUSES: [PlannedStatus, { rank: number; failed: boolean }][] = [
  [{ status: 'sent' }, { rank: 1, failed: false }],
  [{ status: 'delivered' }, { rank: 2, failed: false }],
  [{ status: 'read' }, { rank: 3, failed: false }],
  [{ status: 'failed', code: 131026 }, { rank: 0, failed: true }],
];

describe.each(PROVIDER_MODULES.map((module) => [module.name, module as ProviderModule] as const))('provider contract: %s', (name, module) => {
  it('is registered under a unique name, with a family, a callback path and emulator credentials', () => {
    expect(PROVIDER_MODULES.filter((other) => other.name === name)).toHaveLength(1);
    expect(module.callbacks.path).toMatch(/^\/[a-z/]+$/);
    expect(Object.keys(module.emulator.credentials).length).toBeGreaterThan(0);
  });

  it('its family’s table has codes of every class the pipeline acts on (pair rate only where the platform has one)', () => {
    for (const errorClass of ['throttle', 'stop_campaign', 'row_rejected', 'retry_later', 'sms_fallback', 'opted_out'] as const) {
      expect(codesOfClass(module.family, errorClass), errorClass).not.toEqual([]);
    }
    expect(codesOfClass(module.family, 'pair_rate').length > 0).toBe(module.emulator.pairRateLimited !== undefined);
  });

  it('builds a request its platform reads back: the recipient and our correlation id', () => {
    const { provider } = setup(module);
    const read = readBack(module, provider.buildRequest(message('r1-7-2')));
    expect(read.to).toBe('+447400123456');
    expect(read.correlationId).toBe('r1-7-2');
  });

  it('reads its platform’s success answer as accepted, with the message id', () => {
    const { provider } = setup(module);
    const read = readBack(module, provider.buildRequest(message()));
    const messageId = module.emulator.newMessageId();
    expect(provider.parseResponse(asResponse(read.answer({ messageId, waId: '447400123456', held: false, now: Date.now() })))).toMatchObject({ kind: 'accepted', messageId });
  });

  it.each(answerRows(module))('reads %s as the pipeline expects', (_row, response, expected) => {
    expect(setup(module).provider.parseResponse(response)).toMatchObject(expected);
  });

  it.each(FOREIGN_ANSWERS)('reads %s', (_row, response, expected) => {
    expect(setup(module).provider.parseResponse(response(module))).toMatchObject(expected);
  });

  it('refuses to start without its credentials, naming the variables', () => {
    const required = Object.entries(module.emulator.env('http://127.0.0.1:9', C)).filter(([variable]) => !variable.endsWith('_URL'));
    const [variable] = required[0]!;
    const env = Object.fromEntries(required.filter(([other]) => other !== variable));
    expect(() => providerFromEnv(module.name as never, env, spec, { allowInsecureHttp: false, statusCallbackUrl: undefined, placeholders: false })).toThrow(variable);
  });

  it('refuses a plain http:// base URL to another machine', () => {
    const env = Object.fromEntries(Object.entries(module.emulator.env('http://provider.example.com', C)));
    expect(() => providerFromEnv(module.name as never, env, spec, { allowInsecureHttp: false, statusCallbackUrl: undefined, placeholders: false })).toThrow('plain http://');
  });

  it('its redactors remove every credential it puts on the wire', () => {
    const { provider, redact, env } = setup(module);
    const request = JSON.stringify(provider.buildRequest(message()));
    const secrets = module.secrets.variables.map((variable) => env[variable]!);
    expect(secrets.length).toBeGreaterThan(0);
    // The credentials travel (as is, or inside HTTP Basic): they are what is redacted.
    const basic = (module.secrets.basicPairs ?? []).map(([user, secret]) => Buffer.from(`${env[user]}:${env[secret]}`).toString('base64'));
    expect([...secrets, ...basic].some((secret) => request.includes(secret))).toBe(true);
    for (const clean of [redact(request), environmentRedactor(env)(request)]) {
      for (const secret of [...secrets, ...basic]) expect(clean).not.toContain(secret);
    }
  });

  describe('status callbacks', () => {
    const secrets = () => Object.fromEntries(module.callbacks.secrets.variables.map((variable) => [variable, C[variable]]));
    const context = () => ({ secrets: secrets(), allowUnsigned: false });

    /** Our request, as its platform reads it, accepted: the message its callbacks are about. */
    function accepted(): EmulatedMessage {
      const { provider } = setup(module);
      const read = readBack(module, provider.buildRequest(message('r9-3-1')));
      return { provider: name, messageId: module.emulator.newMessageId(), to: read.to, waId: '447400123456', correlationId: read.correlationId, statusCallback: read.statusCallback };
    }

    function callback(planned: PlannedStatus) {
      const sent = module.emulator.statusCallback(accepted(), planned, { webhookUrl: `${HOOKS}${module.callbacks.path}`, credentials: C, at: Date.parse('2026-11-17T08:05:00Z') });
      if (!sent) throw new Error('no callback for an accepted message');
      const url = new URL(sent.url);
      const request = (body: string, headers = sent.headers) => ({
        body: Buffer.from(body),
        header: (header: string) => headers[header],
        url: `${url.pathname}${url.search}`,
        publicUrl: sent.url,
      });
      return { sent, url, request };
    }

    it.each(STATUSES)('a signed %o callback reaches the receiver’s path, is verified and reads back as the status, by message id and correlation id', (planned, expected) => {
      const { sent, url, request } = callback(planned);
      expect(url.pathname).toBe(module.callbacks.path);
      const verdict = module.callbacks.accept(request(sent.body), context());
      if (!verdict.ok) throw new Error(`refused: ${verdict.status} ${verdict.reason}`);
      const line = JSON.stringify({ type: 'event', received_at: '2026-11-17T08:05:01.000Z', provider: verdict.tag, path: verdict.path, raw: sent.body });
      const parsed = parseEventLine(line, new Set());
      const code = planned.code === undefined ? -1 : equivalentCode('meta', planned.code, module.family);
      expect(parsed).toEqual({ ok: true, signals: [expect.objectContaining({ kind: 'status', family: module.family, cid: 'r9-3-1', messageId: expect.stringMatching(/./), code, ...expected })] });
      if (planned.code !== undefined) expect(callbackClass(module.family, code)).toBe('sms_fallback');
    });

    it('refuses a callback changed after signing, or without its signature, and one signed with another secret', () => {
      const { sent, request } = callback({ status: 'delivered' });
      expect(module.callbacks.accept(request(sent.body), context())).toMatchObject({ ok: true });
      const tampered = sent.body.replace('delivered', 'read');
      expect(tampered).not.toBe(sent.body);
      expect(module.callbacks.accept(request(tampered), context())).toMatchObject({ ok: false, status: 403 });
      const unsigned = Object.fromEntries(Object.entries(sent.headers).filter(([header]) => header === 'content-type'));
      expect(module.callbacks.accept(request(sent.body, unsigned), context())).toMatchObject({ ok: false, status: 401 });
      const otherSecrets = Object.fromEntries(Object.keys(secrets()).map((variable) => [variable, 'another-secret-entirely']));
      expect(module.callbacks.accept(request(sent.body), { secrets: otherSecrets, allowUnsigned: false })).toMatchObject({ ok: false, status: 403 });
    });
  });

  describe('through the emulator, over HTTP', () => {
    let emulator: RunningEmulator;
    const log: EmulatorLogEntry[] = [];
    beforeAll(async () => {
      emulator = await startEmulator({ port: 0, log: (entry) => log.push(entry), mps: 1000 });
    });
    afterAll(() => emulator.close());

    it('a send is accepted, logged under the provider’s name with our correlation id', async () => {
      const { provider } = setup(module, emulator.url);
      const transport = httpTransport({ timeoutMs: 5000, maxSockets: 1 });
      const result = await transport(provider.buildRequest(message('r5-2-1')));
      transport.close();
      if (!result.ok) throw new Error(result.message);
      const outcome = provider.parseResponse(result.response);
      expect(outcome).toMatchObject({ kind: 'accepted' });
      expect(log).toEqual([expect.objectContaining({ provider: name, outcome: 'accepted', cid: 'r5-2-1', to: '+447400123456', message_id: (outcome as { messageId: string }).messageId })]);
    });
  });
});
