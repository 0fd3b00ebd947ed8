import { describe, expect, it } from 'vitest';
import { makeRedactor } from '../../src/config/redact.js';
import { InputError, ProviderStopError } from '../../src/errors.js';
import { dialog360TemplateLookup } from '../../src/providers/360dialog/dialog360-templates.js';
import { cloudTemplateLookup, cloudTemplates } from '../../src/providers/cloud/cloud-templates.js';
import type { GetTransport, TransportResult } from '../../src/providers/http-transport.js';
import type { HttpGetRequest } from '../../src/providers/provider.js';
import { twilioTemplateLookup } from '../../src/providers/twilio/twilio-templates.js';

/*
 * Each provider's look-up against answers recorded in the provider's own shape: Meta's "Template
 * management" examples (templates-facts.md §1.4), the 360dialog answer RapidPro and kAIron record
 * (§3), Twilio's Content API examples (twilio_content_v1.json, §4).
 */

const TOKEN = 'EAAG-secret-token-123456';
const KEY = 'd360-secret-key-abcdef';
const SID = `AC${'a'.repeat(32)}`;
const AUTH = 'twilio-secret-token-xyz';

/** A transport that answers each request with the next scripted answer, and keeps the requests. */
function scripted(...answers: (TransportResult | { status: number; body: unknown })[]) {
  const requests: HttpGetRequest[] = [];
  const transport: GetTransport = async (request) => {
    requests.push(request);
    const next = answers.shift();
    if (!next) throw new Error(`no answer scripted for ${request.url}`);
    if ('ok' in next) return next;
    return { ok: true, response: { status: next.status, headers: {}, body: typeof next.body === 'string' ? next.body : JSON.stringify(next.body) } };
  };
  return { transport, requests, unused: () => answers.length };
}

// Meta "Template management", "Get all templates" (verbatim components), with quality_score and
// message_send_ttl_seconds as the fields parameter asks for them.
const META_POSITIONAL = {
  name: 'coupon_expiration_reminder_number_vars',
  parameter_format: 'POSITIONAL',
  components: [
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://scontent.whatsapp.net/v/t61.29466-34/123.jpg'] } },
    { type: 'BODY', text: 'Your coupon code {{1}} for {{2}}% off expires soon! Use it before it expires!', example: { body_text: [['SUMMER20', '10']] } },
    { type: 'FOOTER', text: 'Reply STOP to unsubscribe' },
    { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Shop now', url: 'https://www.example.com/shop?promo={{1}}', example: ['https://www.example.com/shop?promo=summer2023'] }, { type: 'QUICK_REPLY', text: 'Unsubscribe' }] },
  ],
  language: 'en_US',
  status: 'APPROVED',
  category: 'MARKETING',
  id: '1387372356726668',
  quality_score: { score: 'GREEN', date: 1764547200 },
  message_send_ttl_seconds: '43200',
};
const META_NAMED = {
  name: 'reservation_confirmation',
  parameter_format: 'NAMED',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Table for {{guest_name}}', example: { header_text_named_params: [{ param_name: 'guest_name', example: 'Ana' }] } },
    {
      type: 'BODY',
      text: '*You have a reservation for {{number_of_guests}} on {{day}}, {{date}}, at {{time}}.*',
      example: { body_text_named_params: [{ param_name: 'number_of_guests', example: '4' }, { param_name: 'day', example: 'Saturday' }, { param_name: 'date', example: 'August 30th, 2025' }, { param_name: 'time', example: '7:30 pm' }] },
    },
    { type: 'BUTTONS', buttons: [{ type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+15550051310' }, { type: 'COPY_CODE', example: 'TABLE4' }] },
  ],
  language: 'en_US',
  status: 'PAUSED',
  category: 'UTILITY',
  id: '1411331290112478',
  message_send_ttl_seconds: -1,
};

const cloud = (redact = makeRedactor([TOKEN])) => cloudTemplateLookup({ baseUrl: 'https://graph.example.com/', version: 'v23.0', wabaId: '102290129340398', token: TOKEN }, redact);
const wanted = { name: 'coupon_expiration_reminder_number_vars', language: 'en_US', contentSid: undefined };

describe('Cloud API look-up: GET /{version}/{WABA-ID}/message_templates', () => {
  it('asks by name and language with the fields the preflight needs, and parses a positional template', async () => {
    const { transport, requests } = scripted({ status: 200, body: { data: [META_POSITIONAL], paging: { cursors: { before: 'QVFIU1', after: 'QVFIU2' } } } });
    const { template } = await cloud().find(transport, wanted);
    const url = new URL(requests[0]!.url);
    expect(url.pathname).toBe('/v23.0/102290129340398/message_templates');
    expect(url.searchParams.get('name')).toBe('coupon_expiration_reminder_number_vars');
    expect(url.searchParams.get('language')).toBe('en_US');
    expect(url.searchParams.get('fields')!.split(',')).toEqual(expect.arrayContaining(['quality_score', 'message_send_ttl_seconds', 'parameter_format', 'components', 'status', 'category']));
    expect(requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(template).toMatchObject({
      name: 'coupon_expiration_reminder_number_vars',
      language: 'en_US',
      category: 'MARKETING',
      status: 'APPROVED',
      quality: 'GREEN',
      parameterFormat: 'positional',
      header: { format: 'IMAGE', parameters: [] },
      body: { parameters: [{ name: '1', example: 'SUMMER20' }, { name: '2', example: '10' }] },
      footer: 'Reply STOP to unsubscribe',
      ttlSeconds: 43200,
      id: '1387372356726668',
    });
    expect(template!.buttons).toEqual([
      expect.objectContaining({ index: 0, type: 'URL', needsParameter: true, takesParameter: true }),
      expect.objectContaining({ index: 1, type: 'QUICK_REPLY', needsParameter: false, takesParameter: true }),
    ]);
  });

  it('parses a named template: header and body names with their examples, a call button that takes nothing, a copy code that needs one, TTL -1', async () => {
    const { transport } = scripted({ status: 200, body: { data: [META_NAMED] } });
    const { template } = await cloud().find(transport, { name: 'reservation_confirmation', language: 'en_US', contentSid: undefined });
    expect(template).toMatchObject({ parameterFormat: 'named', status: 'PAUSED', ttlSeconds: -1, quality: undefined });
    expect(template!.header!.parameters).toEqual([{ name: 'guest_name', example: 'Ana' }]);
    expect(template!.body!.parameters.map((p) => `${p.name}=${p.example}`)).toEqual(['number_of_guests=4', 'day=Saturday', 'date=August 30th, 2025', 'time=7:30 pm']);
    expect(template!.buttons.map((b) => [b.type, b.takesParameter, b.needsParameter])).toEqual([['PHONE_NUMBER', false, false], ['COPY_CODE', true, true]]);
  });

  it('follows the after cursor on its own base URL until a page has no next', async () => {
    const page1 = { data: [{ ...META_POSITIONAL, name: 'a' }], paging: { cursors: { after: 'CURSOR1' }, next: 'https://graph.facebook.com/v23.0/102290129340398/message_templates?after=CURSOR1' } };
    const page2 = { data: [{ ...META_POSITIONAL, name: 'b' }], paging: { cursors: { before: 'CURSOR1', after: 'CURSOR2' } } };
    const { transport, requests, unused } = scripted({ status: 200, body: page1 }, { status: 200, body: page2 });
    const list = await cloud().list(transport);
    expect(list.map((t) => t.name)).toEqual(['a', 'b']);
    expect(new URL(requests[1]!.url).host).toBe('graph.example.com');
    expect(new URL(requests[1]!.url).searchParams.get('after')).toBe('CURSOR1');
    expect(unused()).toBe(0);
  });

  it('matches the name exactly (Meta may match part of it) and, when not found, names the languages it has', async () => {
    const near = { ...META_POSITIONAL, name: 'coupon_expiration_reminder_number_vars_v2' };
    const other = { ...META_POSITIONAL, language: 'pt_BR' };
    const { transport } = scripted({ status: 200, body: { data: [near] } }, { status: 200, body: { data: [near, other] } });
    const found = await cloud().find(transport, wanted);
    expect(found.template).toBeUndefined();
    expect(found.others.map((t) => `${t.name} ${t.language}`)).toEqual(['coupon_expiration_reminder_number_vars pt_BR']);
  });

  it.each([
    ['a 401 with Meta’s error', { status: 401, body: { error: { message: `Invalid OAuth access token - Cannot parse access token ${TOKEN}`, type: 'OAuthException', code: 190 } } }, /answered HTTP 401: Invalid OAuth access token - Cannot parse access token \[redacted\] \(190\); check WA_TOKEN/],
    ['a 500 that is not JSON', { status: 500, body: '<html>Bad gateway</html>' }, /answered HTTP 500 \(not JSON\); try again later/],
    ['a 200 that is not JSON', { status: 200, body: 'OK' }, /not JSON: is the base URL the provider's API\?/],
    ['a refused connection', { ok: false as const, written: false, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' }, /failed: connect ECONNREFUSED 127\.0\.0\.1:9 \(ECONNREFUSED\)/],
    ['an answer without data', { status: 200, body: { templates: [] } }, /answered an unexpected shape: no "data" list of templates/],
    ['a template without a status', { status: 200, body: { data: [{ name: 'x', language: 'en' }] } }, /unexpected shape: data\[0\] \(x\) has no "status"/],
    ['a body without text', { status: 200, body: { data: [{ name: 'x', language: 'en', status: 'APPROVED', components: [{ type: 'BODY' }] }] } }, /the BODY component has no "text"/],
  ])('%s is a stop (exit 3) naming what happened, credentials redacted', async (_name, answer, message) => {
    const { transport } = scripted(answer);
    const error = await cloud().find(transport, wanted).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderStopError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it('is not configured without WA_WABA_ID, and says where to find it', () => {
    const setup = cloudTemplates.fromEnv({ WA_TOKEN: TOKEN }, { allowInsecureHttp: false });
    expect(setup).toEqual({ ok: false, reason: expect.stringMatching(/^WA_WABA_ID is not set: set WA_WABA_ID to the WhatsApp Business Account id/) });
    expect(() => cloudTemplates.fromEnv({ WA_TOKEN: TOKEN, WA_WABA_ID: 'my-waba' }, { allowInsecureHttp: false })).toThrow(/WA_WABA_ID must be the WhatsApp Business Account id \(digits\)/);
  });

  it('without WA_WABA_ID and WA_TOKEN names both at once (not one per try)', () => {
    const setup = cloudTemplates.fromEnv({}, { allowInsecureHttp: false });
    expect(setup).toEqual({ ok: false, reason: expect.stringMatching(/^WA_WABA_ID and WA_TOKEN are not set: set WA_WABA_ID to the WhatsApp Business Account id .*, and WA_TOKEN to the access token$/) });
  });
});

describe('360dialog look-up: GET /v1/configs/templates', () => {
  // kAIron's recorded answer (templates-facts.md §3), status in 360dialog's lower case.
  const recorded = (templates: unknown[], total = templates.length, offset = 0) => ({
    count: templates.length,
    filters: {},
    limit: 1000,
    offset,
    sort: ['business_templates.name'],
    total,
    waba_templates: templates,
  });
  const kairon = {
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Hi {{1}}, kAIron has new features', example: { body_text: [['Peter']] } }],
    id: 'GVsEkeI2PIiARwVXQEDVWT',
    language: 'en',
    modified_at: '2023-03-02T13:39:27Z',
    modified_by: { user_id: 'system', user_name: 'system' },
    name: 'kairon_new_features',
    namespace: '092819ec_f801_461b_b975_3a2d464f50a8',
    partner_id: '9Mg0AiPA',
    status: 'approved',
    waba_account_id: 'Cyih7GWA',
  };
  const lookup = () => dialog360TemplateLookup({ baseUrl: 'https://waba-v2.example.com', apiKey: KEY }, makeRedactor([KEY]));

  it('reads waba_templates with the D360-API-KEY header, upper-cases the status, pages by offset against total', async () => {
    const { transport, requests } = scripted({ status: 200, body: recorded([kairon], 2) }, { status: 200, body: recorded([{ ...kairon, name: 'other', status: 'submitted' }], 2, 1) });
    const list = await lookup().list(transport);
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual(['/v1/configs/templates', '/v1/configs/templates']);
    expect(requests.map((r) => new URL(r.url).searchParams.get('offset'))).toEqual(['0', '1']);
    expect(requests[0]!.headers['d360-api-key']).toBe(KEY);
    expect(list.map((t) => `${t.name} ${t.status}`)).toEqual(['kairon_new_features APPROVED', 'other SUBMITTED']);
    expect(list[0]).toMatchObject({ language: 'en', category: 'MARKETING', parameterFormat: 'positional', body: { parameters: [{ name: '1', example: 'Peter' }] } });
  });

  it('a 401 with 360dialog’s meta body names it and the key to check', async () => {
    const { transport } = scripted({ status: 401, body: { meta: { http_code: 401, developer_message: `Invalid api key ${KEY}`, success: false } } });
    const error = (await lookup().find(transport, { name: 'x', language: 'en', contentSid: undefined }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ProviderStopError);
    expect(error.message).toBe('the template look-up (360dialog) (GET https://waba-v2.example.com/v1/configs/templates) answered HTTP 401: Invalid api key [redacted]; check D360_API_KEY: the API key of this channel in the 360dialog hub');
  });
});

describe('Twilio look-up: GET /v1/Content/{sid} and …/ApprovalRequests', () => {
  const CONTENT_SID = `HX${'a'.repeat(32)}`;
  // twilio_content_v1.json's example, with a body that uses its variables.
  const content = {
    sid: CONTENT_SID,
    account_sid: SID,
    friendly_name: 'Some content',
    language: 'en',
    variables: { '1': 'Customer_Name', '2': '10%' },
    types: { 'twilio/text': { body: 'Hi {{1}}, {{2}} off today' } },
    url: `https://content.twilio.com/v1/Content/${CONTENT_SID}`,
    date_created: '2015-07-30T19:00:00Z',
    date_updated: '2015-07-30T19:00:00Z',
  };
  const approval = (status: string) => ({ sid: CONTENT_SID, account_sid: SID, whatsapp: { type: 'whatsapp', name: 'tree_fiddy', category: 'UTILITY', content_type: 'twilio/text', status, rejection_reason: '', allow_category_change: true } });
  const lookup = () => twilioTemplateLookup({ baseUrl: 'https://content.example.com', accountSid: SID, authToken: AUTH }, makeRedactor([AUTH], [[SID, AUTH]]));

  it('a spec without twilio.contentSid is the spec’s problem (exit 2), not the look-up’s, and asks nothing', async () => {
    const { transport, requests } = scripted();
    const found = lookup().find(transport, { name: 'x', language: 'en', contentSid: undefined });
    await expect(found).rejects.toThrow(InputError);
    await expect(found).rejects.toThrow('the spec names no twilio.contentSid');
    expect(requests).toEqual([]);
  });

  it('reads the Content and its WhatsApp approval: the Meta name, category, status and the variables with their samples', async () => {
    const { transport, requests } = scripted({ status: 200, body: content }, { status: 200, body: approval('approved') });
    const { template } = await lookup().find(transport, { name: 'x', language: 'en', contentSid: CONTENT_SID });
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual([`/v1/Content/${CONTENT_SID}`, `/v1/Content/${CONTENT_SID}/ApprovalRequests`]);
    expect(requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${AUTH}`).toString('base64')}`);
    expect(template).toMatchObject({ name: 'tree_fiddy', language: 'en', category: 'UTILITY', status: 'APPROVED', id: CONTENT_SID, twilioVariables: [{ key: '1', example: 'Customer_Name' }, { key: '2', example: '10%' }] });
  });

  it('a Content never submitted to WhatsApp is UNSUBMITTED; an unknown SID is not found', async () => {
    const submitted = scripted({ status: 200, body: content }, { status: 200, body: { sid: CONTENT_SID, account_sid: SID, url: 'x' } });
    expect((await lookup().find(submitted.transport, { name: 'x', language: 'en', contentSid: CONTENT_SID })).template!.status).toBe('UNSUBMITTED');
    const missing = scripted({ status: 404, body: { code: 20404, message: 'The requested resource was not found', status: 404 } });
    expect(await lookup().find(missing.transport, { name: 'x', language: 'en', contentSid: CONTENT_SID })).toEqual({ template: undefined, others: [] });
  });

  it('lists ContentAndApprovals page by page through meta.next_page_url, asked on its own base URL', async () => {
    const item = (sid: string, name: string) => ({ ...content, sid, approval_requests: { name, category: 'MARKETING', content_type: 'twilio/text', status: 'rejected', rejection_reason: 'INVALID_FORMAT', allow_category_change: true } });
    const { transport, requests } = scripted(
      { status: 200, body: { contents: [item(CONTENT_SID, 'one')], meta: { page: 0, page_size: 1, next_page_url: 'https://content.twilio.com/v1/ContentAndApprovals?PageSize=1&Page=1&PageToken=PT1', key: 'contents' } } },
      { status: 200, body: { contents: [item(`HX${'b'.repeat(32)}`, 'two')], meta: { page: 1, page_size: 1, next_page_url: null, key: 'contents' } } },
    );
    const list = await lookup().list(transport);
    expect(list.map((t) => `${t.name} ${t.status} ${t.rejectedReason}`)).toEqual(['one REJECTED INVALID_FORMAT', 'two REJECTED INVALID_FORMAT']);
    expect(requests[1]!.url).toBe('https://content.example.com/v1/ContentAndApprovals?PageSize=1&Page=1&PageToken=PT1');
  });

  it('by name (templates pull, no Content SID): one search of the list, the language picked, the name’s other languages kept', async () => {
    const item = (sid: string, name: string, language: string) => ({ ...content, sid, language, approval_requests: { name, category: 'MARKETING', content_type: 'twilio/text', status: 'approved', rejection_reason: '', allow_category_change: true } });
    const { transport, requests } = scripted({
      status: 200,
      body: { contents: [item(`HX${'b'.repeat(32)}`, 'sale', 'de'), item(`HX${'c'.repeat(32)}`, 'other', 'en'), item(`HX${'d'.repeat(32)}`, 'sale', 'en')], meta: { page: 0, page_size: 3, next_page_url: null, key: 'contents' } },
    });
    const { template, others } = await lookup().findByName(transport, 'sale', 'en');
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual(['/v1/ContentAndApprovals']);
    expect(template).toMatchObject({ name: 'sale', language: 'en', id: `HX${'d'.repeat(32)}` });
    expect(others.map((t) => `${t.name} ${t.language}`)).toEqual(['sale de']);
    const missing = await lookup().findByName(scripted({ status: 200, body: { contents: [item(`HX${'b'.repeat(32)}`, 'sale', 'de')], meta: { next_page_url: null } } }).transport, 'sale', 'en');
    expect(missing.template).toBeUndefined();
    expect(missing.others.map((t) => t.language)).toEqual(['de']);
  });

  it('a 401 names the credentials, and neither the token nor the Basic pair appears', async () => {
    const basic = Buffer.from(`${SID}:${AUTH}`).toString('base64');
    const { transport } = scripted({ status: 401, body: { code: 20003, message: `Authenticate: Basic ${basic}`, status: 401 } });
    const error = (await lookup().find(transport, { name: 'x', language: 'en', contentSid: CONTENT_SID }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ProviderStopError);
    expect(error.message).toMatch(/answered HTTP 401: Authenticate: Basic \[redacted\] \(20003\); check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/);
    expect(error.message).not.toContain(basic);
  });
});
