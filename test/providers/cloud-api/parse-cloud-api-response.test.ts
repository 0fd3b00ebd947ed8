import { describe, expect, it } from 'vitest';
import { MarketingRouter } from '../../../src/providers/cloud-api/marketing-router.js';
import { parseCloudApiResponse } from '../../../src/providers/cloud-api/parse-cloud-api-response.js';
import type { HttpResponse } from '../../../src/providers/provider.js';

const ACCEPTED = JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: '+15550001111', wa_id: '15550001111' }], messages: [{ id: 'wamid.A1', message_status: 'accepted' }] });

function answer(status: number, body: string): HttpResponse {
  return { status, headers: {}, body, receivedAt: 1_000_000 };
}

describe('parseCloudApiResponse', () => {
  it('accepts a 2xx with a message id, with the wa_id and message_status', () => {
    expect(parseCloudApiResponse(answer(200, ACCEPTED))).toEqual({ kind: 'accepted', messageId: 'wamid.A1', waId: '15550001111', status: 'accepted' });
    expect(parseCloudApiResponse(answer(299, ACCEPTED))).toEqual({ kind: 'accepted', messageId: 'wamid.A1', waId: '15550001111', status: 'accepted' });
  });

  it('is in doubt after a 2xx without a message id', () => {
    expect(parseCloudApiResponse(answer(200, '{"messages":[{}]}'))).toEqual({ kind: 'in_doubt', code: 'http_200', title: 'a success answer without a message id' });
    expect(parseCloudApiResponse(answer(201, 'OK'))).toEqual({ kind: 'in_doubt', code: 'http_201', title: 'a success answer without a message id' });
  });

  it('accepts nothing outside 200-299, a message id in the body or not', () => {
    expect(parseCloudApiResponse(answer(300, ACCEPTED))).toEqual({ kind: 'failed', code: 'http_300', title: 'HTTP 300', class: 'unknown' });
    expect(parseCloudApiResponse(answer(199, ACCEPTED))).toEqual({ kind: 'failed', code: 'http_199', title: 'HTTP 199', class: 'unknown' });
  });

  it("classifies Meta's error by its code, with its message as the title", () => {
    const body = JSON.stringify({ error: { message: '(#131026) Message undeliverable', type: 'OAuthException', code: 131026 } });
    expect(parseCloudApiResponse(answer(400, body))).toEqual({ kind: 'failed', code: '131026', title: '(#131026) Message undeliverable', class: 'sms_fallback' });
  });

  it("reads 360dialog's wrapped error, and an error without a message has an empty title", () => {
    expect(parseCloudApiResponse(answer(400, JSON.stringify({ detail: { error: { code: 131026, message: 'Message undeliverable' } } })))).toEqual({
      kind: 'failed',
      code: '131026',
      title: 'Message undeliverable',
      class: 'sms_fallback',
    });
    expect(parseCloudApiResponse(answer(400, JSON.stringify({ error: { code: 131026 } })))).toEqual({ kind: 'failed', code: '131026', title: '', class: 'sms_fallback' });
  });

  it('goes by the status when the error code is not a number', () => {
    expect(parseCloudApiResponse(answer(400, JSON.stringify({ error: { code: '131026', message: 'x' } })))).toEqual({ kind: 'failed', code: 'http_400', title: 'HTTP 400', class: 'unknown' });
  });

  it('asks the router about a wrong-route code, and classifies any other code on its route', () => {
    const notices: string[] = [];
    const router = new MarketingRouter('messages', 'auto', true, (line) => notices.push(line));
    const wrongRoute = JSON.stringify({ error: { code: 131063, message: 'Marketing messages must go through the Marketing Messages API' } });
    expect(parseCloudApiResponse(answer(400, wrongRoute), router)).toEqual({ kind: 'transient', code: '131063', title: 'Marketing messages must go through the Marketing Messages API', retryDelayMs: 0 });
    expect(router.route).toBe('marketing_messages');
    expect(notices).toEqual(['! 131063 Marketing messages must go through the Marketing Messages API: sending the rest of this campaign through /marketing_messages (switched once for this run)']);
    const other = JSON.stringify({ error: { code: 131026, message: 'Message undeliverable' } });
    expect(parseCloudApiResponse(answer(400, other), router)).toEqual({ kind: 'failed', code: '131026', title: 'Message undeliverable', class: 'sms_fallback' });
  });
});
