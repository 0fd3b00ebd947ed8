import { describe, expect, it } from 'vitest';
import { dialog360 } from '../../../src/providers/360dialog/index.js';
import { cloud } from '../../../src/providers/cloud/index.js';
import { DEMO_APP_SECRET, dialog360TemplatesAnswer, metaError, metaTemplatesAnswer } from '../../../src/providers/cloud-api/cloud-api-emulator.js';
import { metaSignature } from '../../../src/providers/cloud-api/meta-signature.js';
import type { EmulatedAccount, EmulatedRequest, EmulatedSend, EmulatedTemplate } from '../../../src/providers/emulator-route.js';
import { HELD_STATUS } from '../../../src/providers/held-status.js';
import { accountTemplate } from '../../template-builders.js';

const CLOUD = { WA_TOKEN: 'emulator-token', WA_PHONE_NUMBER_ID: '100000000000001', WA_WABA_ID: '100000000000002', WA_APP_SECRET: DEMO_APP_SECRET };
const D360 = { D360_API_KEY: 'emulator-360dialog-key', WA_APP_SECRET: DEMO_APP_SECRET };
const bearer = { authorization: 'Bearer emulator-token' };
const cloudPath = (route = 'messages', phone = CLOUD.WA_PHONE_NUMBER_ID) => `/v23.0/${phone}/${route}`;
const payload = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ messaging_product: 'whatsapp', to: '447400123456', type: 'template', template: { name: 'spring_sale', language: { code: 'en_GB' }, components: [] }, biz_opaque_callback_data: 'c-1', ...extra });
const post = (path: string, headers: EmulatedRequest['headers'], body = payload()): EmulatedRequest => ({ method: 'POST', path, headers, body });
const account = (overrides: Partial<EmulatedAccount> = {}): EmulatedAccount => ({ onboarding: 'ONBOARDED', marketingOnCloudApi: true, categoryOf: () => 'marketing', ...overrides });

/** A Graph error body without its random fbtrace_id, which is checked for its shape. */
function stripped(body: unknown) {
  const { error } = body as { error: { fbtrace_id: string } & Record<string, unknown> };
  const { fbtrace_id, ...rest } = error;
  expect(fbtrace_id).toMatch(/^[A-Za-z0-9_-]{16}$/);
  return { error: rest };
}
const graphError = (code: number, title: string, details = title) => ({ error: { message: `(#${code}) ${title}`, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details } } });
function refusal(send: EmulatedSend) {
  if (send.ok) throw new Error('accepted');
  return { code: send.code, status: send.answer.status, body: stripped(send.answer.body) };
}

function template(name: string, language = 'en_GB'): EmulatedTemplate {
  const t = accountTemplate({ name, language, quality: undefined, id: undefined });
  return { meta: { name, language, status: 'APPROVED', id: `id-${name}-${language}` }, template: t, contentSid: undefined };
}

describe('the Cloud API emulator: the demo accounts', () => {
  it('has the demo credentials and the environment that points send at it', () => {
    expect(cloud.emulator.credentials).toEqual(CLOUD);
    expect(DEMO_APP_SECRET).toBe('emulator-app-secret');
    expect(cloud.emulator.env('http://127.0.0.1:4010', { WA_TOKEN: 't', WA_PHONE_NUMBER_ID: 'p' })).toEqual({ WA_API_URL: 'http://127.0.0.1:4010', WA_TOKEN: 't', WA_PHONE_NUMBER_ID: 'p', WA_WABA_ID: '100000000000002' });
    expect(cloud.emulator.env('http://127.0.0.1:4010', { WA_TOKEN: 't', WA_PHONE_NUMBER_ID: 'p', WA_WABA_ID: 'w' }).WA_WABA_ID).toBe('w');
    expect(dialog360.emulator.credentials).toEqual(D360);
    expect(dialog360.emulator.env('http://127.0.0.1:4010', { D360_API_KEY: 'k' })).toEqual({ D360_API_URL: 'http://127.0.0.1:4010', D360_API_KEY: 'k' });
  });

  it('matches POSTs to the send paths only', () => {
    expect([cloud.emulator.matches('POST', cloudPath()), cloud.emulator.matches('POST', cloudPath('marketing_messages')), cloud.emulator.matches('GET', cloudPath())]).toEqual([true, true, false]);
    for (const path of ['/v23/1/messages', '/x/v23.0/1/messages', '/v23.0/1/messages/x', '/v23.0/1/2/messages', '/v23.0/1/message_templates']) expect(cloud.emulator.matches('POST', path)).toBe(false);
    expect([dialog360.emulator.matches('POST', '/messages'), dialog360.emulator.matches('POST', '/marketing_messages'), dialog360.emulator.matches('POST', '/v1/messages'), dialog360.emulator.matches('POST', '/messages/x')]).toEqual([true, true, false, false]);
  });

  it("answers with Meta's throttle, pair-rate, transient and error bodies, and holds messages", () => {
    const throttled = cloud.emulator.throttled();
    expect({ code: throttled.code, status: throttled.answer.status, body: stripped(throttled.answer.body) }).toEqual({ code: 130429, status: 400, body: graphError(130429, 'Rate limit hit', 'Cloud API message throughput has been reached.') });
    const pair = cloud.emulator.pairRateLimited!();
    expect({ code: pair.code, status: pair.answer.status, body: stripped(pair.answer.body) }).toEqual({ code: 131056, status: 400, body: graphError(131056, '(Business Account, Consumer Account) pair rate limit hit') });
    expect([cloud.emulator.transientCode, cloud.emulator.holds]).toEqual([131000, true]);
    const error = cloud.emulator.error(131026);
    expect({ status: error.status, body: stripped(error.body) }).toEqual({ status: 400, body: graphError(131026, 'Message undeliverable') });
    expect(stripped(cloud.emulator.error(999999).body)).toEqual(graphError(999999, 'Error'));
    expect(stripped(metaError(100, 'Invalid parameter', 'details here'))).toEqual(graphError(100, 'Invalid parameter', 'details here'));
  });

  it('makes wamid. message ids, a new one each time', () => {
    const [a, b] = [cloud.emulator.newMessageId(), cloud.emulator.newMessageId()];
    expect(a).toMatch(/^wamid\.[A-Za-z0-9_-]{32}$/);
    expect(a).not.toBe(b);
  });
});

describe('the Cloud API emulator: a send', () => {
  it("accepts a template send: the recipient with +, the correlation id, the sender, Meta's answer", () => {
    const send = cloud.emulator.read(post(cloudPath(), bearer), CLOUD, account());
    if (!send.ok) throw new Error('refused');
    expect({ to: send.to, correlationId: send.correlationId, statusCallback: send.statusCallback, sender: send.sender, pricing: send.pricingCategory }).toEqual({
      to: '+447400123456',
      correlationId: 'c-1',
      statusCallback: undefined,
      sender: `cloud:${CLOUD.WA_PHONE_NUMBER_ID}`,
      pricing: undefined,
    });
    expect(send.answer({ messageId: 'wamid.A', waId: '447400123456', held: false, now: 0 })).toEqual({
      status: 200,
      body: { messaging_product: 'whatsapp', contacts: [{ input: '447400123456', wa_id: '447400123456' }], messages: [{ id: 'wamid.A', message_status: 'accepted' }] },
    });
    expect(send.answer({ messageId: 'wamid.B', waId: '447400123456', held: true, now: 0 }).body).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: '447400123456', wa_id: '447400123456' }],
      messages: [{ id: 'wamid.B', message_status: HELD_STATUS }],
    });
    const plus = cloud.emulator.read(post(cloudPath(), bearer, payload({ to: '+447400123456', biz_opaque_callback_data: 42 })), CLOUD);
    expect(plus.ok && [plus.to, plus.correlationId]).toEqual(['+447400123456', undefined]);
  });

  it('refuses a wrong token (190) and another phone-number id (100)', () => {
    expect(refusal(cloud.emulator.read(post(cloudPath(), {}), CLOUD))).toEqual({ code: 190, status: 401, body: graphError(190, 'Invalid OAuth access token - Cannot parse access token') });
    expect(refusal(cloud.emulator.read(post(cloudPath(), bearer), { ...CLOUD, WA_TOKEN: '' }))).toEqual({ code: 190, status: 401, body: graphError(190, 'Invalid OAuth access token - Cannot parse access token') });
    expect(refusal(cloud.emulator.read(post(cloudPath('messages', '123'), bearer), CLOUD))).toEqual({ code: 100, status: 400, body: graphError(100, "Unsupported post request. Object with ID '123' does not exist") });
  });

  it('refuses a body that is not a template send (100)', () => {
    const invalid = { code: 100, status: 400, body: graphError(100, 'Invalid parameter') };
    for (const body of ['x', payload({ messaging_product: 'sms' }), payload({ to: 447400123456 }), payload({ type: 'text' }), payload({ template: { language: { code: 'en' } } }), payload({ template: { name: 'spring_sale', language: {} } }), payload({ template: { name: 'spring_sale' } })]) {
      expect(refusal(cloud.emulator.read(post(cloudPath(), bearer, body), CLOUD))).toEqual(invalid);
    }
  });

  it("checks the template against the account's templates when it has some", () => {
    const held = account({ templates: [template('spring_sale')] });
    expect(cloud.emulator.read(post(cloudPath(), bearer), CLOUD, held).ok).toBe(true);
    expect(refusal(cloud.emulator.read(post(cloudPath(), bearer, payload({ template: { name: 'autumn', language: { code: 'en_GB' } } })), CLOUD, held))).toEqual({
      code: 132001,
      status: 404,
      body: graphError(132001, 'Template name does not exist in the translation', 'template name (autumn) does not exist in en_GB'),
    });
  });

  it('the Marketing Messages API: marketing templates only (131055), marketing_lite when onboarded, STRICT refused when not (134102)', () => {
    expect(refusal(cloud.emulator.read(post(cloudPath('marketing_messages'), bearer), CLOUD, account({ categoryOf: () => 'utility' })))).toEqual({ code: 131055, status: 400, body: graphError(131055, 'Method not allowed') });
    const onboarded = cloud.emulator.read(post(cloudPath('marketing_messages'), bearer), CLOUD, account());
    expect(onboarded.ok && onboarded.pricingCategory).toBe('marketing_lite');
    expect(refusal(cloud.emulator.read(post(cloudPath('marketing_messages'), bearer, payload({ product_policy: 'STRICT' })), CLOUD, account({ onboarding: 'ELIGIBLE' })))).toEqual({ code: 134102, status: 500, body: graphError(134102, 'Template unavailable for use') });
    const lax = cloud.emulator.read(post(cloudPath('marketing_messages'), bearer), CLOUD, account({ onboarding: 'ELIGIBLE' }));
    expect(lax.ok && 'pricingCategory' in lax).toBe(false);
  });

  it('/messages refuses marketing templates of an account that disabled them on Cloud API (131063)', () => {
    expect(refusal(cloud.emulator.read(post(cloudPath(), bearer), CLOUD, account({ marketingOnCloudApi: false })))).toEqual({ code: 131063, status: 400, body: graphError(131063, 'Marketing templates disabled for Cloud API') });
    expect(cloud.emulator.read(post(cloudPath(), bearer), CLOUD, account({ marketingOnCloudApi: false, categoryOf: () => 'utility' })).ok).toBe(true);
    const messages = cloud.emulator.read(post(cloudPath(), bearer), CLOUD, account());
    expect(messages.ok && 'pricingCategory' in messages).toBe(false);
  });

  it('360dialog: the D360-API-KEY, its sender, its routes', () => {
    const key = { 'd360-api-key': D360.D360_API_KEY };
    const send = dialog360.emulator.read(post('/marketing_messages', key), D360, account());
    expect(send.ok && [send.sender, send.pricingCategory]).toEqual(['360dialog', 'marketing_lite']);
    const messages = dialog360.emulator.read(post('/messages', key), D360, account());
    expect(messages.ok && 'pricingCategory' in messages).toBe(false);
    const badKey = { code: 0, status: 401, body: graphError(0, 'Invalid api_key') };
    expect(refusal(dialog360.emulator.read(post('/messages', { 'd360-api-key': 'x' }), D360))).toEqual(badKey);
    expect(refusal(dialog360.emulator.read(post('/messages', { 'd360-api-key': '' }), { D360_API_KEY: '' }))).toEqual(badKey);
  });
});

describe('the Cloud API emulator: status callbacks', () => {
  const message = { provider: 'cloud', messageId: 'wamid.A', to: '+447400123456', waId: '447400123456', correlationId: 'c-1', statusCallback: undefined };
  const at = Date.parse('2026-11-24T10:00:00.999Z');
  const context = { webhookUrl: 'http://127.0.0.1:9/webhook', credentials: CLOUD, at };
  const envelope = (status: unknown, phone = CLOUD.WA_PHONE_NUMBER_ID) => ({
    object: 'whatsapp_business_account',
    entry: [{ id: 'emulator-waba', changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: phone }, statuses: [status] }, field: 'messages' }] }],
  });

  it('posts a signed statuses callback to the webhook URL, with pricing until read', () => {
    const callback = cloud.emulator.statusCallback(message, { status: 'delivered' }, context)!;
    expect(JSON.parse(callback.body)).toEqual(
      envelope({ id: 'wamid.A', status: 'delivered', timestamp: '1795514400', recipient_id: '447400123456', biz_opaque_callback_data: 'c-1', pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' } }),
    );
    expect(callback.url).toBe('http://127.0.0.1:9/webhook');
    expect(callback.headers).toEqual({ 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(callback.body, DEMO_APP_SECRET) });
    const read = cloud.emulator.statusCallback({ ...message, correlationId: undefined, pricingCategory: 'marketing_lite' }, { status: 'read' }, context)!;
    expect(JSON.parse(read.body)).toEqual(envelope({ id: 'wamid.A', status: 'read', timestamp: '1795514400', recipient_id: '447400123456' }));
    const sent = cloud.emulator.statusCallback({ ...message, pricingCategory: 'marketing_lite' }, { status: 'sent' }, context)!;
    expect((JSON.parse(sent.body) as ReturnType<typeof envelope>).entry[0]!.changes[0]!.value.statuses[0]).toEqual({
      id: 'wamid.A',
      status: 'sent',
      timestamp: '1795514400',
      recipient_id: '447400123456',
      biz_opaque_callback_data: 'c-1',
      pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing_lite' },
    });
  });

  it("a failure carries Meta's errors, and no pricing", () => {
    const failed = cloud.emulator.statusCallback(message, { status: 'failed', code: 131026 }, context)!;
    const error = { code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'Message undeliverable' }, href: '/documentation/business-messaging/whatsapp/support/error-codes' };
    expect(JSON.parse(failed.body)).toEqual(envelope({ id: 'wamid.A', status: 'failed', timestamp: '1795514400', recipient_id: '447400123456', biz_opaque_callback_data: 'c-1', errors: [error] }));
    const unknown = cloud.emulator.statusCallback(message, { status: 'failed', code: 999999 }, context)!;
    expect((JSON.parse(unknown.body) as ReturnType<typeof envelope>).entry[0]!.changes[0]!.value.statuses[0]).toMatchObject({ errors: [{ code: 999999, title: 'Error', message: 'Error', error_data: { details: 'Error' } }] });
  });

  it('escapes non-ASCII as Meta does and signs those bytes, with the secret and phone-number id given or the demo ones', () => {
    const callback = cloud.emulator.statusCallback({ ...message, correlationId: 'café' }, { status: 'delivered' }, { ...context, credentials: { WA_APP_SECRET: 'other-secret' } })!;
    expect(callback.body).toContain('"biz_opaque_callback_data":"caf\\u00e9"');
    expect(callback.body).toContain('"phone_number_id":"100000000000001"');
    expect(callback.headers['x-hub-signature-256']).toBe(metaSignature(callback.body, 'other-secret'));
    const demo = cloud.emulator.statusCallback(message, { status: 'delivered' }, { ...context, credentials: { WA_PHONE_NUMBER_ID: '42' } })!;
    expect(demo.headers['x-hub-signature-256']).toBe(metaSignature(demo.body, DEMO_APP_SECRET));
    expect(demo.body).toContain('"phone_number_id":"42"');
  });

  it('posts nothing without a webhook URL', () => {
    expect(cloud.emulator.statusCallback(message, { status: 'delivered' }, { ...context, webhookUrl: undefined })).toBe(undefined);
  });
});

describe('the Cloud API emulator: the onboarding field and the template look-ups', () => {
  const query = (text: string) => new URLSearchParams(text);

  it("serves the WABA's onboarding status when asked for it, with the token, for its WABA", () => {
    const get = (path: string, q: string, headers: EmulatedRequest['headers'] = bearer, method = 'GET', acc = account({ onboarding: 'ELIGIBLE' }), credentials: Record<string, string> = CLOUD) =>
      cloud.emulator.serve!({ method, path, headers, body: '', query: query(q) }, credentials, acc);
    expect(get('/v23.0/100000000000002', 'fields=id,marketing_messages_onboarding_status')).toEqual({ status: 200, body: { id: '100000000000002', marketing_messages_onboarding_status: 'ELIGIBLE' } });
    expect(get('/v23.0/100000000000002', 'fields=id')).toEqual({ status: 200, body: { id: '100000000000002' } });
    expect(get('/v23.0/100000000000002', '')).toEqual({ status: 200, body: { id: '100000000000002' } });
    expect(get('/v23.0/100000000000002', 'fields=marketing_messages_onboarding_status', bearer, 'POST')).toBe(undefined);
    expect(get('/v23.0/x100', 'fields=marketing_messages_onboarding_status')).toBe(undefined);
    expect(get('/v23.0/100/x', 'fields=marketing_messages_onboarding_status')).toBe(undefined);
    const unauthorized = get('/v23.0/100000000000002', '', {})!;
    expect({ status: unauthorized.status, body: stripped(unauthorized.body) }).toEqual({ status: 401, body: graphError(190, 'Invalid OAuth access token - Cannot parse access token') });
    const other = get('/v23.0/123', '')!;
    expect({ status: other.status, body: stripped(other.body) }).toEqual({ status: 400, body: graphError(100, "Unsupported get request. Object with ID '123' does not exist") });
    const noWaba = { WA_TOKEN: CLOUD.WA_TOKEN };
    expect(get('/v23.0/100000000000002', 'fields=marketing_messages_onboarding_status', bearer, 'GET', account(), noWaba)).toEqual({ status: 200, body: { id: '100000000000002', marketing_messages_onboarding_status: 'ONBOARDED' } });
  });

  it('answers the Cloud API template look-up with the token, for its WABA', () => {
    const templates = [template('spring_sale'), template('spring_sale', 'fr'), template('autumn_sale')];
    const lookup = (path: string, q: string, headers: Record<string, string | string[]> = bearer, credentials: Record<string, string> = CLOUD) => cloud.emulator.lookup!({ path, query: query(q), headers }, credentials, templates);
    expect(lookup('/v23.0/100000000000002/message_templates', 'name=spring')).toEqual({ status: 200, body: metaTemplatesAnswer(templates, query('name=spring')) });
    expect(lookup('/v23.0/100000000000002/message_templates', '', { authorization: ['Bearer emulator-token', 'x'] })!.status).toBe(200);
    expect(lookup('/v23.0/100000000000002/message_templates', '', bearer, { WA_TOKEN: 'emulator-token' })!.status).toBe(200);
    expect(lookup('/v23.0/100000000000002/messages', '')).toBe(undefined);
    const unauthorized = lookup('/v23.0/100000000000002/message_templates', '', {})!;
    expect({ status: unauthorized.status, body: stripped(unauthorized.body) }).toEqual({ status: 401, body: graphError(190, 'Invalid OAuth access token - Cannot parse access token') });
    const other = lookup('/v23.0/9/message_templates', '')!;
    expect({ status: other.status, body: stripped(other.body) }).toEqual({
      status: 400,
      body: graphError(100, "Unsupported get request. Object with ID '9' does not exist, cannot be loaded due to missing permissions, or does not support this operation"),
    });
  });

  it("pages Meta's answer by limit and the after cursor, name matched in part, language exactly", () => {
    const templates = [template('spring_sale'), template('spring_sale', 'fr'), template('autumn_sale'), template('spring')];
    const answer = (q: string) => metaTemplatesAnswer(templates, query(q)) as { data: { id: string }[]; paging: Record<string, unknown> };
    const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
    expect(answer('')).toEqual({ data: templates.map((t) => t.meta), paging: { cursors: { before: cursor(0), after: cursor(4) } } });
    expect(answer('name=spring').data.map((t) => t.id)).toEqual(['id-spring_sale-en_GB', 'id-spring_sale-fr', 'id-spring-en_GB']);
    expect(answer('name=spring&language=fr').data.map((t) => t.id)).toEqual(['id-spring_sale-fr']);
    expect(answer('language=en_GB').data.map((t) => t.id)).toEqual(['id-spring_sale-en_GB', 'id-autumn_sale-en_GB', 'id-spring-en_GB']);
    expect(answer('limit=2')).toEqual({ data: templates.slice(0, 2).map((t) => t.meta), paging: { cursors: { before: cursor(0), after: cursor(2) }, next: `https://graph.facebook.com/next?after=${cursor(2)}` } });
    expect(answer(`limit=2&after=${cursor(2)}`)).toEqual({ data: templates.slice(2).map((t) => t.meta), paging: { cursors: { before: cursor(2), after: cursor(4) } } });
    expect(answer(`limit=3&after=${cursor(1)}`).paging).toEqual({ cursors: { before: cursor(1), after: cursor(4) } });
    expect(answer('limit=0').data).toHaveLength(4);
    expect(answer('limit=-1').data).toHaveLength(1);
    expect(answer('after=@@').data).toHaveLength(4);
  });

  it("answers 360dialog's look-up with the key, paged by limit and offset, statuses in lower case", () => {
    const templates = [template('spring_sale'), template('autumn_sale'), template('winter_sale')];
    const lookup = (path: string, headers: Record<string, string | string[]>, q = '') => dialog360.emulator.lookup!({ path, query: query(q), headers }, D360, templates);
    const row = (t: EmulatedTemplate) => ({ ...t.meta, status: 'approved', namespace: 'emulator_namespace', waba_account_id: 'emulator' });
    expect(lookup('/v1/configs/templates', { 'd360-api-key': D360.D360_API_KEY })).toEqual({
      status: 200,
      body: { count: 3, filters: {}, limit: 1000, offset: 0, sort: ['id'], total: 3, waba_templates: templates.map(row) },
    });
    expect(lookup('/v1/configs/templates', { 'd360-api-key': [D360.D360_API_KEY, 'x'] }, 'limit=1&offset=1')).toEqual({
      status: 200,
      body: { count: 1, filters: {}, limit: 1, offset: 1, sort: ['id'], total: 3, waba_templates: [row(templates[1]!)] },
    });
    expect(lookup('/v1/configs/templatesx', { 'd360-api-key': D360.D360_API_KEY })).toBe(undefined);
    const refused = lookup('/v1/configs/templates', { 'd360-api-key': 'x' })!;
    expect({ status: refused.status, body: stripped(refused.body) }).toEqual({ status: 401, body: graphError(0, 'Invalid api_key') });
    const body = (q: string) => dialog360TemplatesAnswer(templates, query(q)) as { limit: number; offset: number; count: number };
    expect([body('limit=5000').limit, body('limit=-2').limit, body('offset=-4').offset, body('offset=x').offset, body('offset=2').count]).toEqual([1000, 1, 0, 0, 1]);
  });
});
