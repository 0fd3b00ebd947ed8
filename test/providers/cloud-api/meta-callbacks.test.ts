import { describe, expect, it } from 'vitest';
import type { CallbackRequest, ReceiverContext } from '../../../src/providers/callback-channel.js';
import { metaCallbacks } from '../../../src/providers/cloud-api/meta-callbacks.js';
import { metaSignature } from '../../../src/providers/cloud-api/meta-signature.js';

const SECRET = 'meta-app-secret';
const context = (secrets: ReceiverContext['secrets'], allowUnsigned = false): ReceiverContext => ({ secrets, allowUnsigned });
const BODY = '{"object":"whatsapp_business_account","entry":[]}';

function request(body: string, headers: Record<string, string>): CallbackRequest {
  return { body: Buffer.from(body), header: (name) => headers[name], url: '/webhook?x=1', publicUrl: 'https://hooks.example.test/webhook?x=1' };
}

describe('metaCallbacks: start-up', () => {
  it('needs WA_APP_SECRET, or --allow-unsigned', () => {
    expect(metaCallbacks.startupProblem?.(context({ WA_APP_SECRET: SECRET }))).toBe(undefined);
    expect(metaCallbacks.startupProblem?.(context({}, true))).toBe(undefined);
    expect(metaCallbacks.startupProblem?.(context({ WA_APP_SECRET: '' }))).toBe(
      'webhook needs WA_APP_SECRET to verify X-Hub-Signature-256; to accept unsigned JSON callbacks (360dialog), pass --allow-unsigned',
    );
  });

  it('says the handshake is refused without WA_VERIFY_TOKEN', () => {
    expect(metaCallbacks.describe(context({ WA_VERIFY_TOKEN: 'v' }))).toEqual({ accepting: true });
    expect(metaCallbacks.describe(context({}))).toEqual({ accepting: true, note: 'subscription handshake refused: WA_VERIFY_TOKEN is not set' });
  });
});

describe('metaCallbacks.handshake', () => {
  const refused = { status: 403, body: 'forbidden', log: 'subscription handshake refused (wrong hub.verify_token)' };
  const query = (fields: Record<string, string>) => new URLSearchParams(fields);

  it('answers the challenge to a subscribe with the verify token', () => {
    expect(metaCallbacks.handshake?.(query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'v-token', 'hub.challenge': '1158201444' }), context({ WA_VERIFY_TOKEN: 'v-token' }))).toEqual({ status: 200, body: '1158201444' });
    expect(metaCallbacks.handshake?.(query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'v-token' }), context({ WA_VERIFY_TOKEN: 'v-token' }))).toEqual({ status: 200, body: '' });
  });

  it('refuses a wrong token, another mode, or any token when none is set', () => {
    expect(metaCallbacks.handshake?.(query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'v-tokeX', 'hub.challenge': '1' }), context({ WA_VERIFY_TOKEN: 'v-token' }))).toEqual(refused);
    expect(metaCallbacks.handshake?.(query({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'v-token', 'hub.challenge': '1' }), context({ WA_VERIFY_TOKEN: 'v-token' }))).toEqual(refused);
    expect(metaCallbacks.handshake?.(query({ 'hub.verify_token': 'v-token', 'hub.challenge': '1' }), context({ WA_VERIFY_TOKEN: 'v-token' }))).toEqual(refused);
    expect(metaCallbacks.handshake?.(query({ 'hub.mode': 'subscribe', 'hub.challenge': '1' }), context({ WA_VERIFY_TOKEN: '' }))).toEqual(refused);
    expect(metaCallbacks.handshake?.(query({ 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': '1' }), context({}))).toEqual(refused);
  });
});

describe('metaCallbacks.accept', () => {
  it('stores a signed callback as meta, on /webhook', () => {
    expect(metaCallbacks.accept(request(BODY, { 'x-hub-signature-256': metaSignature(BODY, SECRET) }), context({ WA_APP_SECRET: SECRET }))).toEqual({ ok: true, tag: 'meta', path: '/webhook' });
    expect(metaCallbacks.accept(request(BODY, { 'x-hub-signature-256': metaSignature(BODY, SECRET) }), context({ WA_APP_SECRET: SECRET }, true))).toEqual({ ok: true, tag: 'meta', path: '/webhook' });
  });

  it('refuses a bad signature with 403, even with --allow-unsigned', () => {
    const bad = { ok: false, status: 403, reason: 'bad X-Hub-Signature-256' };
    expect(metaCallbacks.accept(request(BODY, { 'x-hub-signature-256': metaSignature(BODY, 'other') }), context({ WA_APP_SECRET: SECRET }))).toEqual(bad);
    expect(metaCallbacks.accept(request(BODY, { 'x-hub-signature-256': '' }), context({ WA_APP_SECRET: SECRET }, true))).toEqual(bad);
  });

  it('refuses an unsigned callback with 401 unless --allow-unsigned, which stores it as unsigned', () => {
    expect(metaCallbacks.accept(request(BODY, {}), context({ WA_APP_SECRET: SECRET }))).toEqual({ ok: false, status: 401, reason: 'missing X-Hub-Signature-256' });
    expect(metaCallbacks.accept(request(BODY, {}), context({ WA_APP_SECRET: SECRET }, true))).toEqual({ ok: true, tag: 'unsigned', path: '/webhook' });
    expect(metaCallbacks.accept(request(BODY, { 'x-hub-signature-256': metaSignature(BODY, SECRET) }), context({}, true))).toEqual({ ok: true, tag: 'unsigned', path: '/webhook' });
    expect(metaCallbacks.accept(request(BODY, { 'x-hub-signature-256': metaSignature(BODY, SECRET) }), context({}))).toEqual({ ok: false, status: 401, reason: 'missing X-Hub-Signature-256' });
  });

  it('refuses a body that is not JSON with 400, signed or not', () => {
    const notJson = { ok: false, status: 400, reason: 'signed body is not JSON' };
    expect(metaCallbacks.accept(request('{"entry":', { 'x-hub-signature-256': metaSignature('{"entry":', SECRET) }), context({ WA_APP_SECRET: SECRET }))).toEqual(notJson);
    expect(metaCallbacks.accept(request('entry=1', {}), context({}, true))).toEqual(notJson);
  });

  it('is the channel of Meta-shaped JSON on /webhook', () => {
    expect([metaCallbacks.path, metaCallbacks.family, metaCallbacks.tags, metaCallbacks.format, metaCallbacks.secrets]).toEqual(['/webhook', 'meta', ['meta', 'unsigned'], 'json', { variables: ['WA_APP_SECRET', 'WA_VERIFY_TOKEN'] }]);
  });
});
