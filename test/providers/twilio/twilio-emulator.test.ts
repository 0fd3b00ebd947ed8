import { describe, expect, it } from 'vitest';
import type { EmulatedAccount, EmulatedRequest, EmulatedTemplate } from '../../../src/providers/emulator-route.js';
import { twilioEmulator } from '../../../src/providers/twilio/twilio-emulator.js';
import { twilioSignature } from '../../../src/providers/twilio/twilio-signature.js';
import type { AccountTemplate } from '../../../src/template/account-template.js';
import { accountTemplate } from '../../template-builders.js';

const SID = `AC${'0'.repeat(32)}`;
const TOKEN = 'emulator-twilio-token';
const CREDENTIALS = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN };
const BASIC = `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`;
const CONTENT = `HX${'a'.repeat(32)}`;
const PATH = `/2010-04-01/Accounts/${SID}/Messages.json`;

function send(form: Record<string, string>, headers: EmulatedRequest['headers'] = { authorization: BASIC }, path = PATH): EmulatedRequest {
  return { method: 'POST', path, headers, body: new URLSearchParams(form).toString() };
}
const FORM = { To: 'whatsapp:+447400123456', From: 'whatsapp:+15550001111', ContentSid: CONTENT };

function error(status: number, code: number, message: string) {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

function template(overrides: Partial<AccountTemplate> = {}): AccountTemplate {
  return accountTemplate({
    name: 'spring_sale',
    quality: undefined,
    body: { text: 'Hi {{1}}, {{2}} off', parameters: [{ name: '1', example: 'Ana' }, { name: '2', example: undefined }] },
    id: undefined,
    ...overrides,
  });
}
const entry = (t: AccountTemplate, contentSid: string | undefined = CONTENT): EmulatedTemplate => ({ meta: {}, template: t, contentSid });
const account = (templates: EmulatedTemplate[]): EmulatedAccount => ({ onboarding: 'ONBOARDED', marketingOnCloudApi: true, categoryOf: () => 'marketing', templates });

describe('twilioEmulator: the demo account', () => {
  it('has its credentials and the environment that points send at it', () => {
    expect(twilioEmulator.credentials).toEqual(CREDENTIALS);
    expect(twilioEmulator.env('http://127.0.0.1:4010', { TWILIO_ACCOUNT_SID: 'ACx', TWILIO_AUTH_TOKEN: 'tok' })).toEqual({
      TWILIO_API_URL: 'http://127.0.0.1:4010',
      TWILIO_CONTENT_URL: 'http://127.0.0.1:4010',
      TWILIO_ACCOUNT_SID: 'ACx',
      TWILIO_AUTH_TOKEN: 'tok',
      TWILIO_FROM: '+15550001111',
    });
  });

  it('matches a POST to an account Messages.json only', () => {
    expect(twilioEmulator.matches('POST', PATH)).toBe(true);
    expect(twilioEmulator.matches('GET', PATH)).toBe(false);
    expect(twilioEmulator.matches('POST', `/x${PATH}`)).toBe(false);
    expect(twilioEmulator.matches('POST', `${PATH}/x`)).toBe(false);
    expect(twilioEmulator.matches('POST', '/2010-04-01/Accounts/AC1/x/Messages.json')).toBe(false);
    expect(twilioEmulator.matches('POST', '/2010-04-01/Accounts/AC1/MessagesXjson')).toBe(false);
  });

  it("answers with Twilio's throttle, transient and error bodies", () => {
    expect(twilioEmulator.holds).toBe(false);
    expect(twilioEmulator.throttled()).toEqual({ code: 20429, answer: error(429, 20429, 'Too Many Requests') });
    expect(twilioEmulator.transientCode).toBe(20500);
    expect(twilioEmulator.error(21211)).toEqual(error(400, 21211, "Invalid 'To' phone number"));
    expect(twilioEmulator.error(99999).body).toEqual({ code: 99999, message: 'Error', more_info: 'https://www.twilio.com/docs/errors/99999', status: twilioEmulator.error(99999).status });
  });

  it('makes message sids of SM and 32 hex digits, a new one each time', () => {
    const [a, b] = [twilioEmulator.newMessageId(), twilioEmulator.newMessageId()];
    expect(a).toMatch(/^SM[0-9a-f]{32}$/);
    expect(b).toMatch(/^SM[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });
});

describe('twilioEmulator.read: a send', () => {
  it('reads the recipient, the correlation id of the StatusCallback and the sender, and answers the 201 resource', () => {
    const read = twilioEmulator.read(send({ ...FORM, StatusCallback: 'https://hooks.example.test/twilio/status?site=eu&cid=c-1' }), CREDENTIALS);
    if (!read.ok) throw new Error('refused');
    expect({ to: read.to, correlationId: read.correlationId, statusCallback: read.statusCallback, sender: read.sender, pricingCategory: read.pricingCategory }).toEqual({
      to: '+447400123456',
      correlationId: 'c-1',
      statusCallback: 'https://hooks.example.test/twilio/status?site=eu&cid=c-1',
      sender: 'twilio:whatsapp:+15550001111',
      pricingCategory: undefined,
    });
    const date = 'Fri, 05 Dec 2025 10:00:00 +0000';
    expect(read.answer({ messageId: 'SM1', waId: '447400123456', held: false, now: Date.UTC(2025, 11, 5, 10) })).toEqual({
      status: 201,
      body: {
        account_sid: SID,
        api_version: '2010-04-01',
        body: '',
        date_created: date,
        date_sent: null,
        date_updated: date,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: 'whatsapp:+15550001111',
        messaging_service_sid: null,
        num_media: '0',
        num_segments: '1',
        price: null,
        price_unit: null,
        sid: 'SM1',
        status: 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${SID}/Messages/SM1/Media.json` },
        to: 'whatsapp:+447400123456',
        uri: `/2010-04-01/Accounts/${SID}/Messages/SM1.json`,
      },
    });
  });

  it("through a Messaging Service: the service is the sender and the message is 'accepted'; no callback, no correlation id", () => {
    const service = `MG${'2'.repeat(32)}`;
    const read = twilioEmulator.read(send({ To: FORM.To, MessagingServiceSid: service, ContentSid: CONTENT }), CREDENTIALS);
    if (!read.ok) throw new Error('refused');
    expect([read.sender, read.correlationId, read.statusCallback]).toEqual([`twilio:${service}`, undefined, undefined]);
    const body = read.answer({ messageId: 'SM2', waId: '447400123456', held: false, now: 0 }).body as Record<string, unknown>;
    expect([body.status, body.from, body.messaging_service_sid]).toEqual(['accepted', null, service]);
  });

  it('has no correlation id for a StatusCallback without cid', () => {
    const read = twilioEmulator.read(send({ ...FORM, StatusCallback: 'https://hooks.example.test/twilio/status' }), CREDENTIALS);
    expect(read.ok && read.correlationId).toBe(undefined);
  });

  it('refuses bad credentials with 20003', () => {
    const refused = { ok: false, code: 20003, answer: error(401, 20003, 'Authenticate') };
    expect(twilioEmulator.read(send(FORM, {}), CREDENTIALS)).toEqual(refused);
    expect(twilioEmulator.read(send(FORM, { authorization: `${BASIC}x` }), CREDENTIALS)).toEqual(refused);
    expect(twilioEmulator.read(send(FORM, { authorization: BASIC }, '/2010-04-01/Accounts/AC1/Messages.json'), CREDENTIALS)).toEqual(refused);
    const noToken = `Basic ${Buffer.from(`${SID}:`).toString('base64')}`;
    expect(twilioEmulator.read(send(FORM, { authorization: noToken }), { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: '' })).toEqual(refused);
  });

  it('refuses a To that is not whatsapp:+ and 6 to 15 digits with 21211', () => {
    for (const to of ['+447400123456', 'whatsapp:447400123456', 'whatsapp:+12345', 'whatsapp:+1234567890123456', 'xwhatsapp:+447400123456', 'whatsapp:+447400123456x']) {
      expect(twilioEmulator.read(send({ ...FORM, To: to }), CREDENTIALS)).toEqual({ ok: false, code: 21211, answer: error(400, 21211, `The 'To' number ${to} is not a valid phone number.`) });
    }
    expect(twilioEmulator.read(send({ From: FORM.From, ContentSid: CONTENT }), CREDENTIALS)).toEqual({ ok: false, code: 21211, answer: error(400, 21211, "The 'To' number  is not a valid phone number.") });
    expect(twilioEmulator.read(send({ ...FORM, To: 'whatsapp:+123456' }), CREDENTIALS).ok).toBe(true);
    expect(twilioEmulator.read(send({ ...FORM, To: 'whatsapp:+123456789012345' }), CREDENTIALS).ok).toBe(true);
  });

  it('refuses a send without From or MessagingServiceSid with 21603, and a ContentSid that is not HX and 32 hex digits with 21619', () => {
    expect(twilioEmulator.read(send({ To: FORM.To, ContentSid: CONTENT }), CREDENTIALS)).toEqual({ ok: false, code: 21603, answer: error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message") });
    const noBody = { ok: false, code: 21619, answer: error(400, 21619, 'A text message body, media URL or content SID is required') };
    for (const contentSid of ['', `HX${'a'.repeat(31)}`, `XHX${'a'.repeat(32)}`, `HX${'a'.repeat(32)}0`, `HX${'g'.repeat(32)}`]) {
      expect(twilioEmulator.read(send({ ...FORM, ContentSid: contentSid }), CREDENTIALS)).toEqual(noBody);
    }
    expect(twilioEmulator.read(send({ To: FORM.To, From: FORM.From }), CREDENTIALS)).toEqual(noBody);
    expect(twilioEmulator.read(send({ ...FORM, ContentSid: `HX${'A'.repeat(32)}` }), CREDENTIALS).ok).toBe(true);
  });
});

describe('twilioEmulator.read: the Content template, when the account has templates', () => {
  const refusal = (code: number, message: string) => ({ ok: false, code, answer: error(400, code, message) });
  const invalid = refusal(21656, 'The ContentVariables Parameter is invalid');

  it('refuses an unknown ContentSid (21655) and a template not approved (63027)', () => {
    expect(twilioEmulator.read(send(FORM), CREDENTIALS, account([entry(template(), `HX${'b'.repeat(32)}`)]))).toEqual(refusal(21655, 'The ContentSid is Invalid'));
    expect(twilioEmulator.read(send(FORM), CREDENTIALS, account([entry(template({ status: 'PENDING' }))]))).toEqual(refusal(63027, 'Template does not exist for a language and locale'));
  });

  it('takes a send without ContentVariables, or with known variables', () => {
    expect(twilioEmulator.read(send(FORM), CREDENTIALS, account([entry(template())])).ok).toBe(true);
    expect(twilioEmulator.read(send({ ...FORM, ContentVariables: '{"1":"Ana"}' }), CREDENTIALS, account([entry(template())])).ok).toBe(true);
    expect(twilioEmulator.read(send({ ...FORM, ContentVariables: '{}' }), CREDENTIALS, account([entry(template({ body: undefined }))])).ok).toBe(true);
  });

  it('refuses ContentVariables that are not a JSON object, or hold an empty or null value (21656)', () => {
    for (const variables of ['{', '[]', '"x"', 'null', '{"1":""}', '{"1":null}']) {
      expect(twilioEmulator.read(send({ ...FORM, ContentVariables: variables }), CREDENTIALS, account([entry(template())]))).toEqual(invalid);
    }
  });

  it('refuses a variable the template does not have (63028)', () => {
    expect(twilioEmulator.read(send({ ...FORM, ContentVariables: '{"1":"Ana","3":"x"}' }), CREDENTIALS, account([entry(template())]))).toEqual(
      refusal(63028, 'Number of parameters provided does not match the expected number of parameters'),
    );
    expect(twilioEmulator.read(send({ ...FORM, ContentVariables: '{"1":"Ana"}' }), CREDENTIALS, account([entry(template({ body: undefined }))]))).toEqual(
      refusal(63028, 'Number of parameters provided does not match the expected number of parameters'),
    );
  });
});

describe('twilioEmulator.statusCallback', () => {
  const message = { provider: 'twilio', messageId: 'SM1', to: '+447400123456', waId: '447400123456', correlationId: 'c-1', statusCallback: 'https://hooks.example.test/twilio/status?cid=c-1' };
  const context = { webhookUrl: undefined, credentials: CREDENTIALS, at: 0 };

  it('posts a signed form to the StatusCallback of the message', () => {
    const callback = twilioEmulator.statusCallback(message, { status: 'delivered' }, context)!;
    const form = {
      AccountSid: SID,
      ApiVersion: '2010-04-01',
      ChannelPrefix: 'whatsapp',
      From: 'whatsapp:+15550000000',
      MessageSid: 'SM1',
      MessageStatus: 'delivered',
      SmsSid: 'SM1',
      SmsStatus: 'delivered',
      To: 'whatsapp:+447400123456',
    };
    expect(callback.url).toBe(message.statusCallback);
    expect(callback.body).toBe(new URLSearchParams(form).toString());
    const { 'i-twilio-idempotency-token': idempotency, ...headers } = callback.headers;
    expect(headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(message.statusCallback, new URLSearchParams(form), TOKEN) });
    expect(idempotency).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(twilioEmulator.statusCallback(message, { status: 'delivered' }, context)!.headers['i-twilio-idempotency-token']).not.toBe(idempotency);
  });

  it("reports a failure as undelivered with Twilio's code for Meta's", () => {
    const callback = twilioEmulator.statusCallback(message, { status: 'failed', code: 131026 }, context)!;
    const form = new URLSearchParams(callback.body);
    expect([form.get('MessageStatus'), form.get('SmsStatus'), form.get('ErrorCode')]).toEqual(['undelivered', 'undelivered', '63024']);
    expect(callback.headers['x-twilio-signature']).toBe(twilioSignature(message.statusCallback, form, TOKEN));
    expect(new URLSearchParams(twilioEmulator.statusCallback(message, { status: 'read' }, context)!.body).get('ErrorCode')).toBe(null);
  });

  it('posts nothing for a message without a StatusCallback; signs with an empty token and sid when none is set', () => {
    expect(twilioEmulator.statusCallback({ ...message, statusCallback: undefined }, { status: 'sent' }, context)).toBe(undefined);
    const callback = twilioEmulator.statusCallback(message, { status: 'sent' }, { ...context, credentials: {} })!;
    const form = new URLSearchParams(callback.body);
    expect(form.get('AccountSid')).toBe('');
    expect(callback.headers['x-twilio-signature']).toBe(twilioSignature(message.statusCallback, form, ''));
  });
});

describe('twilioEmulator.lookup: the Content API', () => {
  const lookup = (path: string, query = '', headers: Record<string, string | string[]> = { authorization: BASIC }) =>
    twilioEmulator.lookup!({ path, query: new URLSearchParams(query), headers }, CREDENTIALS, [
      entry(template()),
      { meta: {}, template: template({ name: 'no_sid' }), contentSid: undefined },
      entry(
        template({
          name: 'with_media',
          category: undefined,
          status: 'REJECTED',
          rejectedReason: 'INVALID_FORMAT',
          header: { format: 'IMAGE', text: undefined, parameters: [], example: 'https://example.test/a.png' },
          body: undefined,
        }),
        `HX${'b'.repeat(32)}`,
      ),
    ]);
  const CONTENT_OF = {
    sid: CONTENT,
    account_sid: SID,
    friendly_name: 'spring_sale',
    language: 'en_GB',
    variables: { 1: 'Ana', 2: '2' },
    types: { 'twilio/text': { body: 'Hi {{1}}, {{2}} off' } },
    url: `https://content.twilio.com/v1/Content/${CONTENT}`,
    date_created: '2026-01-05T10:00:00Z',
    date_updated: '2026-01-05T10:00:00Z',
    links: { approval_create: `https://content.twilio.com/v1/Content/${CONTENT}/ApprovalRequests/whatsapp`, approval_fetch: `https://content.twilio.com/v1/Content/${CONTENT}/ApprovalRequests` },
  };
  const APPROVAL = { name: 'spring_sale', category: 'MARKETING', content_type: 'twilio/text', status: 'approved', rejection_reason: '', allow_category_change: true };
  const MEDIA_APPROVAL = { name: 'with_media', category: 'UTILITY', content_type: 'twilio/media', status: 'rejected', rejection_reason: 'INVALID_FORMAT', allow_category_change: true };

  it('is not a look-up of another path', () => {
    expect(lookup('/v1/Contents')).toBe(undefined);
    expect(lookup('/x/v1/Content/HX1')).toBe(undefined);
    expect(lookup('/v1/Content/HX1/ApprovalRequests/whatsapp')).toBe(undefined);
    expect(lookup('/v1/ContentAndApprovals/x')).toBe(undefined);
  });

  it('refuses bad credentials with 20003, a header list read by its first value', () => {
    expect(lookup('/v1/ContentAndApprovals', '', {})).toEqual(error(401, 20003, 'Authenticate'));
    expect(lookup(`/v1/Content/${CONTENT}`, '', { authorization: 'Basic x' })).toEqual(error(401, 20003, 'Authenticate'));
    expect(lookup(`/v1/Content/${CONTENT}`, '', { authorization: [BASIC, 'Basic x'] })).toEqual({ status: 200, body: CONTENT_OF });
    expect(lookup(`/v1/Content/${CONTENT}`, '', { authorization: ['Basic x', BASIC] })).toEqual(error(401, 20003, 'Authenticate'));
    const empty = twilioEmulator.lookup!({ path: `/v1/Content/${CONTENT}`, query: new URLSearchParams(), headers: { authorization: `Basic ${Buffer.from(':').toString('base64')}` } }, { TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' }, []);
    expect(empty).toEqual(error(401, 20003, 'Authenticate'));
  });

  it('answers a Content resource, and its WhatsApp approval', () => {
    expect(lookup(`/v1/Content/${CONTENT}`)).toEqual({ status: 200, body: CONTENT_OF });
    expect(lookup(`/v1/Content/${CONTENT}/ApprovalRequests`)).toEqual({
      status: 200,
      body: { sid: CONTENT, account_sid: SID, whatsapp: { type: 'whatsapp', ...APPROVAL, flows: null }, url: `https://content.twilio.com/v1/Content/${CONTENT}/ApprovalRequests` },
    });
    expect(lookup(`/v1/Content/HX${'b'.repeat(32)}/ApprovalRequests`)).toEqual({
      status: 200,
      body: { sid: `HX${'b'.repeat(32)}`, account_sid: SID, whatsapp: { type: 'whatsapp', ...MEDIA_APPROVAL, flows: null }, url: `https://content.twilio.com/v1/Content/HX${'b'.repeat(32)}/ApprovalRequests` },
    });
  });

  it('answers a media template under twilio/media, without variables or body', () => {
    expect((lookup(`/v1/Content/HX${'b'.repeat(32)}`)!.body as Record<string, unknown>).types).toEqual({ 'twilio/media': { body: '', media: ['https://example.test/a.png'] } });
    expect((lookup(`/v1/Content/HX${'b'.repeat(32)}`)!.body as Record<string, unknown>).variables).toEqual({});
  });

  it('answers 20404 for a Content SID the account does not have', () => {
    expect(lookup('/v1/Content/HX404')).toEqual(error(404, 20404, 'The requested resource /v1/Content/HX404 was not found'));
  });

  it('lists the templates with a Content SID, with their approvals, one page', () => {
    const { body } = lookup('/v1/ContentAndApprovals')!;
    const { links: _links, url: _url, ...listed } = CONTENT_OF;
    expect(body).toEqual({
      contents: [
        { ...listed, approval_requests: APPROVAL },
        {
          sid: `HX${'b'.repeat(32)}`,
          account_sid: SID,
          friendly_name: 'with_media',
          language: 'en_GB',
          variables: {},
          types: { 'twilio/media': { body: '', media: ['https://example.test/a.png'] } },
          date_created: '2026-01-05T10:00:00Z',
          date_updated: '2026-01-05T10:00:00Z',
          approval_requests: MEDIA_APPROVAL,
        },
      ],
      meta: {
        page: 0,
        page_size: 50,
        first_page_url: 'https://content.twilio.com/v1/ContentAndApprovals?PageSize=50&Page=0',
        previous_page_url: null,
        next_page_url: null,
        url: 'https://content.twilio.com/v1/ContentAndApprovals?PageSize=50&Page=0',
        key: 'contents',
      },
    });
  });

  it('pages by PageSize and Page, with the previous and next pages', () => {
    const page = (query: string) => (lookup('/v1/ContentAndApprovals', query)!.body as { contents: { sid: string }[]; meta: Record<string, unknown> });
    const first = page('PageSize=1');
    expect(first.contents.map((c) => c.sid)).toEqual([CONTENT]);
    expect(first.meta).toEqual({
      page: 0,
      page_size: 1,
      first_page_url: 'https://content.twilio.com/v1/ContentAndApprovals?PageSize=1&Page=0',
      previous_page_url: null,
      next_page_url: 'https://content.twilio.com/v1/ContentAndApprovals?PageSize=1&Page=1',
      url: 'https://content.twilio.com/v1/ContentAndApprovals?PageSize=1&Page=0',
      key: 'contents',
    });
    const second = page('PageSize=1&Page=1');
    expect(second.contents.map((c) => c.sid)).toEqual([`HX${'b'.repeat(32)}`]);
    expect([second.meta.previous_page_url, second.meta.next_page_url]).toEqual(['https://content.twilio.com/v1/ContentAndApprovals?PageSize=1&Page=0', null]);
    expect(page('PageSize=1&Page=2').contents).toEqual([]);
    expect(page('PageSize=0').meta.page_size).toBe(50);
    expect(page('PageSize=-3').meta.page_size).toBe(1);
    expect(page('PageSize=5000').meta.page_size).toBe(1000);
    expect(page('PageSize=1000').meta.page_size).toBe(1000);
    expect(page('Page=-2').meta.page).toBe(0);
    expect(page('Page=x').meta.page).toBe(0);
  });
});
