import { describe, expect, it } from 'vitest';
import type { CallbackRequest, ReceiverContext } from '../../../src/providers/callback-channel.js';
import { twilioCallbacks } from '../../../src/providers/twilio/twilio-callbacks.js';
import { twilioSignature } from '../../../src/providers/twilio/twilio-signature.js';

const TOKEN = 'twilio-token-for-tests';
const withToken: ReceiverContext = { secrets: { TWILIO_AUTH_TOKEN: TOKEN }, allowUnsigned: false };
const withoutToken: ReceiverContext = { secrets: {}, allowUnsigned: true };

function request(form: string, headers: Record<string, string>, url = '/twilio/status?cid=c1'): CallbackRequest {
  return { body: Buffer.from(form), header: (name) => headers[name], url, publicUrl: `https://hooks.example.test${url}` };
}

describe('twilioCallbacks', () => {
  it('accepts callbacks when TWILIO_AUTH_TOKEN is set, and says why not when it is not', () => {
    expect(twilioCallbacks.describe(withToken)).toEqual({ accepting: true });
    expect(twilioCallbacks.describe(withoutToken)).toEqual({ accepting: false, note: 'Twilio callbacks refused: TWILIO_AUTH_TOKEN is not set' });
  });

  it('refuses every callback before its body without TWILIO_AUTH_TOKEN, none with it', () => {
    expect(twilioCallbacks.refuseAll?.(withToken)).toBe(undefined);
    expect(twilioCallbacks.refuseAll?.(withoutToken)).toEqual({ status: 403, reason: 'Twilio callbacks need TWILIO_AUTH_TOKEN' });
    expect(twilioCallbacks.accept(request('MessageStatus=sent', {}), withoutToken)).toEqual({ ok: false, status: 403, reason: 'Twilio callbacks need TWILIO_AUTH_TOKEN' });
  });

  it('stores a signed callback with its path, query kept, and idempotency token', () => {
    const form = 'MessageSid=SM1&MessageStatus=delivered';
    const signature = twilioSignature('https://hooks.example.test/twilio/status?cid=c1', new URLSearchParams(form), TOKEN);
    expect(twilioCallbacks.accept(request(form, { 'x-twilio-signature': signature, 'i-twilio-idempotency-token': 'idem-1' }), withToken)).toEqual({
      ok: true,
      tag: 'twilio',
      path: '/twilio/status?cid=c1',
      idempotencyToken: 'idem-1',
    });
  });

  it('refuses a wrong signature with 403 and a missing one with 401, naming the URL it checked', () => {
    const detail = 'checked against https://hooks.example.test/twilio/status?cid=c1; behind a proxy, pass --public-url';
    expect(twilioCallbacks.accept(request('MessageStatus=sent', { 'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }), withToken)).toEqual({ ok: false, status: 403, reason: 'bad X-Twilio-Signature', detail });
    expect(twilioCallbacks.accept(request('MessageStatus=sent', {}), withToken)).toEqual({ ok: false, status: 401, reason: 'bad X-Twilio-Signature', detail });
  });

  it('is the channel of signed forms on /twilio/status', () => {
    expect([twilioCallbacks.path, twilioCallbacks.family, twilioCallbacks.tags, twilioCallbacks.format, twilioCallbacks.secrets]).toEqual(['/twilio/status', 'twilio', ['twilio'], 'form', { variables: ['TWILIO_AUTH_TOKEN'] }]);
  });
});
