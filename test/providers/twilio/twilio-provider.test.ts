import { describe, expect, it } from 'vitest';
import type { HttpResponse, Message } from '../../../src/providers/provider.js';
import { parseTwilioResponse, twilioProvider, type TwilioConfig } from '../../../src/providers/twilio/twilio-provider.js';

const SID = `AC${'1'.repeat(32)}`;
const CONTENT = `HX${'a'.repeat(32)}`;
const config: TwilioConfig = {
  baseUrl: 'https://api.twilio.example//',
  accountSid: SID,
  authToken: 'twilio-token',
  from: 'whatsapp:+15550001111',
  messagingServiceSid: undefined,
  statusCallbackUrl: undefined,
  contentSid: CONTENT,
};
const message: Message = {
  phone: '+447400123456',
  template: { name: 'spring_sale', language: { code: 'en_GB' }, components: [] },
  twilioVariables: undefined,
  correlationId: 'ab12cd34-2-1',
};

function answer(status: number, body: string): HttpResponse {
  return { status, headers: {}, body, receivedAt: 1_000_000 };
}

describe('twilioProvider: the request', () => {
  it('POSTs the form to the Messages.json of the account, the base URL without its trailing slashes', () => {
    const provider = twilioProvider(config);
    expect(provider.name).toBe('twilio');
    expect(provider.family).toBe('twilio');
    expect(provider.buildRequest(message)).toEqual({
      method: 'POST',
      url: `https://api.twilio.example/2010-04-01/Accounts/${SID}/Messages.json`,
      headers: { authorization: `Basic ${Buffer.from(`${SID}:twilio-token`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `To=whatsapp%3A%2B447400123456&From=whatsapp%3A%2B15550001111&ContentSid=${CONTENT}`,
    });
  });

  it('sends through the Messaging Service when there is no From, and leaves out empty ContentVariables', () => {
    const provider = twilioProvider({ ...config, from: undefined, messagingServiceSid: `MG${'2'.repeat(32)}` });
    const form = new URLSearchParams(provider.buildRequest({ ...message, twilioVariables: {} }).body);
    expect([...form]).toEqual([
      ['To', 'whatsapp:+447400123456'],
      ['MessagingServiceSid', `MG${'2'.repeat(32)}`],
      ['ContentSid', CONTENT],
    ]);
  });

  it('adds the variables as JSON and the callback URL with the correlation id as cid', () => {
    const provider = twilioProvider({ ...config, statusCallbackUrl: 'https://hooks.example.test/twilio/status' });
    const form = new URLSearchParams(provider.buildRequest({ ...message, twilioVariables: { 1: 'Ana', 2: '3 May' } }).body);
    expect([...form]).toEqual([
      ['To', 'whatsapp:+447400123456'],
      ['From', 'whatsapp:+15550001111'],
      ['ContentSid', CONTENT],
      ['ContentVariables', '{"1":"Ana","2":"3 May"}'],
      ['StatusCallback', 'https://hooks.example.test/twilio/status?cid=ab12cd34-2-1'],
    ]);
  });
});

describe('parseTwilioResponse', () => {
  it('accepts a 2xx with a sid, with its status', () => {
    expect(parseTwilioResponse(answer(201, JSON.stringify({ sid: 'SM1', status: 'queued' })))).toEqual({ kind: 'accepted', messageId: 'SM1', waId: undefined, status: 'queued' });
    expect(parseTwilioResponse(answer(200, JSON.stringify({ sid: 'SM1' })))).toEqual({ kind: 'accepted', messageId: 'SM1', waId: undefined, status: undefined });
    expect(parseTwilioResponse(answer(299, JSON.stringify({ sid: 'SM1' })))).toEqual({ kind: 'accepted', messageId: 'SM1', waId: undefined, status: undefined });
  });

  it('is in doubt after a 2xx without a sid', () => {
    expect(parseTwilioResponse(answer(201, JSON.stringify({ sid: 42 })))).toEqual({ kind: 'in_doubt', code: 'http_201', title: 'a success answer without a message sid' });
    expect(parseTwilioResponse(answer(200, 'queued'))).toEqual({ kind: 'in_doubt', code: 'http_200', title: 'a success answer without a message sid' });
  });

  it('accepts nothing outside 200-299', () => {
    expect(parseTwilioResponse(answer(300, JSON.stringify({ sid: 'SM1' })))).toEqual({ kind: 'failed', code: 'http_300', title: 'HTTP 300', class: 'unknown' });
    expect(parseTwilioResponse(answer(199, JSON.stringify({ sid: 'SM1' })))).toEqual({ kind: 'failed', code: 'http_199', title: 'HTTP 199', class: 'unknown' });
  });

  it("classifies Twilio's REST error by its code, its message the title (empty without one)", () => {
    expect(parseTwilioResponse(answer(400, JSON.stringify({ code: 21211, message: "The 'To' number is not valid", status: 400 })))).toEqual({
      kind: 'failed',
      code: '21211',
      title: "The 'To' number is not valid",
      class: 'row_rejected',
    });
    expect(parseTwilioResponse(answer(400, JSON.stringify({ code: 21211, status: 400 })))).toEqual({ kind: 'failed', code: '21211', title: '', class: 'row_rejected' });
  });

  it('goes by the status when the code is not a number', () => {
    expect(parseTwilioResponse(answer(400, JSON.stringify({ code: '21211', message: 'x' })))).toEqual({ kind: 'failed', code: 'http_400', title: 'HTTP 400', class: 'unknown' });
  });
});
