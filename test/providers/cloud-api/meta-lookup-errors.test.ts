import { describe, expect, it } from 'vitest';
import { META_LOOKUP_FIX, metaErrorMessage } from '../../../src/providers/cloud-api/meta-lookup-errors.js';

describe('metaErrorMessage', () => {
  it('gives a Graph error message with its code', () => {
    expect(metaErrorMessage({ error: { message: 'Invalid OAuth access token', code: 190 } })).toBe('Invalid OAuth access token (190)');
  });

  it('does not add a code the message already names', () => {
    expect(metaErrorMessage({ error: { message: '(#100) Tried accessing nonexisting field', code: 100 } })).toBe('(#100) Tried accessing nonexisting field');
  });

  it('adds no code that is not a number', () => {
    expect(metaErrorMessage({ error: { message: 'Unsupported get request', code: '100' } })).toBe('Unsupported get request');
    expect(metaErrorMessage({ error: { message: 'Unsupported get request' } })).toBe('Unsupported get request');
  });

  it("reads 360dialog's wrapped Graph error and its own developer message, in either case", () => {
    expect(metaErrorMessage({ detail: { error: { message: 'Template name does not exist', code: 132001 } } })).toBe('Template name does not exist (132001)');
    expect(metaErrorMessage({ meta: { developerMessage: 'Invalid api key' } })).toBe('Invalid api key');
    expect(metaErrorMessage({ meta: { developer_message: 'Invalid api key' } })).toBe('Invalid api key');
  });

  it('is undefined for a body without a message', () => {
    expect(metaErrorMessage(undefined)).toBe(undefined);
    expect(metaErrorMessage('Bad Gateway')).toBe(undefined);
    expect(metaErrorMessage({ error: { code: 100 } })).toBe(undefined);
    expect(metaErrorMessage({ meta: { developerMessage: 42 } })).toBe(undefined);
  });
});

describe('META_LOOKUP_FIX', () => {
  it.each([
    [401, 'check WA_TOKEN: a system-user token with the whatsapp_business_management permission'],
    [403, 'give the token the whatsapp_business_management permission for this WhatsApp Business Account'],
    [400, 'check WA_WABA_ID (the WhatsApp Business Account id, not the phone-number id) and WA_API_VERSION'],
    [404, 'check WA_WABA_ID (the WhatsApp Business Account id, not the phone-number id) and WA_API_VERSION'],
    [429, 'too many calls to this account just now: try again in a minute'],
    [500, 'try again later'],
    [402, 'try again later'],
  ])('says what to do after HTTP %i', (status, fix) => {
    expect(META_LOOKUP_FIX(status)).toBe(fix);
  });
});
