import { describe, expect, it } from 'vitest';
import { parseTwilioCallback, twilioCallbackFacts } from '../../../src/providers/twilio/parse-twilio-callback.js';

const AT = 1_765_000_000_000;
const facts = (raw: string, path = '/twilio/status') => twilioCallbackFacts({ raw, path, receivedAt: AT });

describe('twilioCallbackFacts: statuses', () => {
  it.each([
    ['queued', 'queued'],
    ['accepted', 'queued'],
    ['sending', 'queued'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'read'],
    ['failed', 'failed'],
    ['undelivered', 'failed'],
  ])('reads MessageStatus %s as %s', (given, status) => {
    expect(facts(`MessageSid=SM1&MessageStatus=${given}`)).toEqual({ ok: true, facts: [{ status, id: 'SM1', at: AT }] });
  });

  it('reads the older SmsSid and SmsStatus, and a status in capitals', () => {
    expect(facts('SmsSid=SM2&SmsStatus=DELIVERED')).toEqual({ ok: true, facts: [{ status: 'delivered', id: 'SM2', at: AT }] });
  });

  it('has no fact for a status it does not know, and no Object.prototype name is one', () => {
    expect(facts('MessageSid=SM1&MessageStatus=scheduled')).toEqual({ ok: true, facts: [] });
    expect(facts('MessageSid=SM1&MessageStatus=constructor')).toEqual({ ok: true, facts: [] });
  });

  it('refuses a form without a message id or a status', () => {
    const why = { ok: false, why: 'a Twilio form without MessageSid and MessageStatus' };
    expect(facts('MessageStatus=sent')).toEqual(why);
    expect(facts('MessageSid=SM1')).toEqual(why);
    expect(facts('MessageSid=SM1&MessageStatus=')).toEqual(why);
  });

  it("takes the correlation id from the callback URL's cid, when there is one", () => {
    expect(facts('MessageSid=SM1&MessageStatus=sent', '/twilio/status?site=eu&cid=ab12-2-1')).toEqual({ ok: true, facts: [{ status: 'sent', id: 'SM1', cid: 'ab12-2-1', at: AT }] });
    expect(facts('MessageSid=SM1&MessageStatus=sent', '/twilio/status?site=eu')).toEqual({ ok: true, facts: [{ status: 'sent', id: 'SM1', at: AT }] });
    expect(facts('MessageSid=SM1&MessageStatus=sent', '/twilio/status?cid=')).toEqual({ ok: true, facts: [{ status: 'sent', id: 'SM1', at: AT }] });
    expect(facts('MessageSid=SM1&MessageStatus=sent&cid=in-the-form', '/twilio/status')).toEqual({ ok: true, facts: [{ status: 'sent', id: 'SM1', at: AT }] });
    // Only the query is read: a path without one says nothing, however it is spelt; a path that is all query does.
    expect(facts('MessageSid=SM1&MessageStatus=sent', '/twilio/status&cid=not-a-query')).toEqual({ ok: true, facts: [{ status: 'sent', id: 'SM1', at: AT }] });
    expect(facts('MessageSid=SM1&MessageStatus=sent', '?cid=c-9')).toEqual({ ok: true, facts: [{ status: 'sent', id: 'SM1', cid: 'c-9', at: AT }] });
  });

  it("keeps a failure's ErrorCode, and only a failure's", () => {
    expect(facts('MessageSid=SM1&MessageStatus=undelivered&ErrorCode=63024')).toEqual({ ok: true, facts: [{ status: 'failed', id: 'SM1', code: 63024, at: AT }] });
    expect(facts('MessageSid=SM1&MessageStatus=failed&ErrorCode=')).toEqual({ ok: true, facts: [{ status: 'failed', id: 'SM1', at: AT }] });
    expect(facts('MessageSid=SM1&MessageStatus=failed&ErrorCode=0')).toEqual({ ok: true, facts: [{ status: 'failed', id: 'SM1', code: 0, at: AT }] });
    expect(facts('MessageSid=SM1&MessageStatus=delivered&ErrorCode=63024')).toEqual({ ok: true, facts: [{ status: 'delivered', id: 'SM1', at: AT }] });
  });
});

describe('twilioCallbackFacts: inbound messages and opt-outs', () => {
  it("reads Advanced Opt-Out's STOP and START, the sender without whatsapp: and +", () => {
    expect(facts('SmsStatus=received&From=whatsapp%3A%2B447400123456&Body=stop&OptOutType=STOP')).toEqual({ ok: true, facts: [{ preference: 'stop', via: 'twilio_opt_out', wa_id: '447400123456', at: AT }] });
    expect(facts('SmsStatus=received&From=whatsapp%3A%2B447400123456&Body=start&OptOutType=start')).toEqual({ ok: true, facts: [{ preference: 'resume', via: 'twilio_opt_out', wa_id: '447400123456', at: AT }] });
  });

  it('keeps an inbound body as sent, with or without a status', () => {
    expect(facts('SmsStatus=received&From=%2B447400123456&Body=Stop%20please')).toEqual({ ok: true, facts: [{ inbound: ['Stop please'], from: '447400123456', at: AT }] });
    expect(facts('From=whatsapp%3A447400123456&Body=hello&OptOutType=HELP')).toEqual({ ok: true, facts: [{ inbound: ['hello'], from: '447400123456', at: AT }] });
    expect(facts('SmsStatus=received&From=447400123456')).toEqual({ ok: true, facts: [{ inbound: [''], from: '447400123456', at: AT }] });
  });

  it('has no fact for an inbound message without a sender', () => {
    expect(facts('SmsStatus=received&Body=STOP&OptOutType=STOP')).toEqual({ ok: true, facts: [] });
    expect(facts('SmsStatus=received&From=whatsapp%3A%2B&Body=STOP')).toEqual({ ok: true, facts: [] });
  });

  it('strips whatsapp: and + only at the start of the sender', () => {
    expect(facts('SmsStatus=received&From=44whatsapp%3A74%2B00&Body=x')).toEqual({ ok: true, facts: [{ inbound: ['x'], from: '44whatsapp:74+00', at: AT }] });
  });
});

describe('parseTwilioCallback', () => {
  it('gives the signals of the facts, opt-out keywords matched', () => {
    expect(parseTwilioCallback({ raw: 'SmsStatus=received&From=%2B447400123456&Body=STOP', path: '/twilio/status', receivedAt: AT }, new Set(['STOP']))).toEqual({
      ok: true,
      signals: [{ kind: 'preference', value: 'stop', via: 'keyword', waId: '447400123456', at: AT }],
    });
    expect(parseTwilioCallback({ raw: 'MessageSid=SM1&MessageStatus=failed&ErrorCode=63024', path: '/twilio/status?cid=c-1', receivedAt: AT }, new Set())).toEqual({
      ok: true,
      signals: [{ kind: 'status', family: 'twilio', messageId: 'SM1', cid: 'c-1', rank: 0, failed: true, code: 63024, at: AT }],
    });
  });
});
