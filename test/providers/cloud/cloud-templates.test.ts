import { describe, expect, it } from 'vitest';
import { ConfigError, ProviderStopError } from '../../../src/errors.js';
import { cloudTemplateLookup, cloudTemplates, TEMPLATE_FIELDS } from '../../../src/providers/cloud/cloud-templates.js';
import type { GetTransport } from '../../../src/providers/http-transport.js';
import type { HttpGetRequest } from '../../../src/providers/provider.js';

const TOKEN = 'EAAG-secret-token-123456';
const template = (name: string, language = 'en_US') => ({ name, language, status: 'APPROVED', id: `${name}-${language}` });

function pages(...answers: unknown[]) {
  const requests: HttpGetRequest[] = [];
  const transport: GetTransport = async (request) => {
    requests.push(request);
    const body = answers.shift();
    if (body === undefined) throw new Error(`no answer for ${request.url}`);
    return { ok: true, response: { status: 200, headers: {}, body: JSON.stringify(body) } };
  };
  return { transport, requests, left: () => answers.length };
}
const lookup = () => cloudTemplateLookup({ baseUrl: 'https://graph.example.test//', version: 'v23.0', wabaId: '102/290', token: TOKEN }, (text) => text.replaceAll(TOKEN, '[redacted]'));
const query = (request: HttpGetRequest) => Object.fromEntries(new URL(request.url).searchParams);

describe('cloudTemplateLookup', () => {
  it('asks for every field, 100 a page, with the bearer token, on the WABA encoded', async () => {
    const { transport, requests } = pages({ data: [template('a')] });
    expect((await lookup().list(transport)).map((t) => t.id)).toEqual(['a-en_US']);
    expect(requests.map((r) => [r.method, r.url.split('?')[0], r.headers])).toEqual([['GET', 'https://graph.example.test/v23.0/102%2F290/message_templates', { authorization: `Bearer ${TOKEN}` }]]);
    expect(query(requests[0]!)).toEqual({ fields: TEMPLATE_FIELDS, limit: '100' });
    expect(TEMPLATE_FIELDS).toBe('id,name,language,status,category,sub_category,parameter_format,components,quality_score,message_send_ttl_seconds,rejected_reason');
    expect(lookup().where).toBe('WABA 102/290');
  });

  it('follows the after cursor while there is a next page, a new cursor and templates', async () => {
    const next = (after: string) => ({ cursors: { before: 'x', after }, next: 'https://graph.facebook.com/next' });
    const { transport, requests, left } = pages({ data: [template('a')], paging: next('c1') }, { data: [template('b')], paging: next('c2') }, { data: [template('c')], paging: { cursors: { after: 'c3' } } });
    expect((await lookup().list(transport)).map((t) => t.name)).toEqual(['a', 'b', 'c']);
    expect(requests.map((r) => query(r).after)).toEqual([undefined, 'c1', 'c2']);
    expect(left()).toBe(0);
  });

  it('stops at a page whose cursor did not move, that has no templates, or no string cursor', async () => {
    const next = (after: unknown) => ({ cursors: { after }, next: 'https://graph.facebook.com/next' });
    const same = pages({ data: [template('a')], paging: next('c1') }, { data: [template('b')], paging: next('c1') });
    expect((await lookup().list(same.transport)).map((t) => t.name)).toEqual(['a', 'b']);
    expect(same.left()).toBe(0);
    const empty = pages({ data: [], paging: next('c1') });
    expect(await lookup().list(empty.transport)).toEqual([]);
    expect(empty.requests).toHaveLength(1);
    const numeric = pages({ data: [template('a')], paging: next(5) });
    expect((await lookup().list(numeric.transport)).map((t) => t.name)).toEqual(['a']);
    const noPaging = pages({ data: [template('a')], paging: 'x' });
    expect((await lookup().list(noPaging.transport)).map((t) => t.name)).toEqual(['a']);
    const noCursors = pages({ data: [template('a')], paging: { next: 'n', cursors: 'x' } });
    expect((await lookup().list(noCursors.transport)).map((t) => t.name)).toEqual(['a']);
  });

  it('gives up after 200 pages, and on an answer without a data list', async () => {
    let n = 0;
    const endless: GetTransport = async () => ({ ok: true, response: { status: 200, headers: {}, body: JSON.stringify({ data: [template(`t${n}`)], paging: { cursors: { after: `c${n++}` }, next: 'n' } }) } });
    const error = await lookup().list(endless).catch((e: unknown) => e);
    expect([error instanceof ProviderStopError, (error as Error).message, n]).toEqual([true, 'the template look-up (Cloud API) answered an unexpected shape: more than 200 pages of templates', 200]);
    const noData = await lookup().list(pages({ templates: [] }).transport).catch((e: unknown) => e);
    expect((noData as Error).message).toBe('the template look-up (Cloud API) answered an unexpected shape: no "data" list of templates');
    const notObject = await lookup().list(pages([1]).transport).catch((e: unknown) => e);
    expect((notObject as Error).message).toBe('the template look-up (Cloud API) answered an unexpected shape: no "data" list of templates');
    const badTemplate = await lookup().list(pages({ data: [template('a'), { name: 'b' }] }).transport).catch((e: unknown) => e);
    expect((badTemplate as Error).message).toBe('the template look-up (Cloud API) answered an unexpected shape: data[1] (b) has no "language"');
  });

  it('finds by name and language exactly, else lists the other languages of the exact name', async () => {
    const found = pages({ data: [template('spring_sale_2'), template('spring_sale', 'fr'), template('spring_sale')] });
    const hit = await lookup().find(found.transport, { name: 'spring_sale', language: 'en_US', contentSid: undefined });
    expect([hit.template?.id, hit.others]).toEqual(['spring_sale-en_US', []]);
    expect(found.requests).toHaveLength(1);
    expect(query(found.requests[0]!)).toEqual({ name: 'spring_sale', language: 'en_US', fields: TEMPLATE_FIELDS, limit: '100' });
    const missing = pages({ data: [template('spring_sale_2')] }, { data: [template('spring_sale', 'fr'), template('spring_sale_2'), template('spring_sale', 'de')] });
    const result = await lookup().findByName(missing.transport, 'spring_sale', 'en_US');
    expect([result.template, result.others.map((t) => t.id)]).toEqual([undefined, ['spring_sale-fr', 'spring_sale-de']]);
    expect(query(missing.requests[1]!)).toEqual({ name: 'spring_sale', fields: TEMPLATE_FIELDS, limit: '100' });
  });
});

describe('cloudTemplates.fromEnv', () => {
  it('configures the look-up on the WABA with graph.facebook.com and v23.0 unless told', async () => {
    const setup = cloudTemplates.fromEnv({ WA_TOKEN: TOKEN, WA_WABA_ID: '102290129340398' }, { allowInsecureHttp: false });
    if (!setup.ok) throw new Error(setup.reason);
    const { transport, requests } = pages({ data: [] });
    await setup.lookup.list(transport);
    expect(requests[0]!.url.split('?')[0]).toBe('https://graph.facebook.com/v23.0/102290129340398/message_templates');
    expect(setup.redact(`x ${TOKEN}`)).not.toContain(TOKEN);
    const custom = cloudTemplates.fromEnv({ WA_TOKEN: TOKEN, WA_WABA_ID: '1', WA_API_URL: 'http://127.0.0.1:4010', WA_API_VERSION: 'v21.0' }, { allowInsecureHttp: false });
    if (!custom.ok) throw new Error(custom.reason);
    const second = pages({ data: [] });
    await custom.lookup.list(second.transport);
    expect(second.requests[0]!.url.split('?')[0]).toBe('http://127.0.0.1:4010/v21.0/1/message_templates');
  });

  it('needs WA_TOKEN with WA_WABA_ID, a vN.N version and a safe base URL', () => {
    expect(() => cloudTemplates.fromEnv({ WA_WABA_ID: '1' }, { allowInsecureHttp: false })).toThrow(new ConfigError('the template look-up (Cloud API) needs WA_TOKEN: set it in the environment or in .env'));
    for (const version of ['23.0', 'v23', 'xv23.0', 'v23.0x']) {
      expect(() => cloudTemplates.fromEnv({ WA_TOKEN: TOKEN, WA_WABA_ID: '1', WA_API_VERSION: version }, { allowInsecureHttp: false })).toThrow(new ConfigError('WA_API_VERSION must look like v23.0'));
    }
    expect(() => cloudTemplates.fromEnv({ WA_TOKEN: TOKEN, WA_WABA_ID: '1', WA_API_URL: 'http://graph.example.test' }, { allowInsecureHttp: false })).toThrow(ConfigError);
    expect(cloudTemplates.fromEnv({ WA_TOKEN: TOKEN, WA_WABA_ID: '1', WA_API_URL: 'http://graph.example.test' }, { allowInsecureHttp: true }).ok).toBe(true);
  });

  it('says which of WA_WABA_ID and WA_TOKEN are missing', () => {
    const hint = 'set WA_WABA_ID to the WhatsApp Business Account id (WhatsApp Manager › Account tools, or Business Settings › Accounts › WhatsApp accounts)';
    expect(cloudTemplates.fromEnv({ WA_TOKEN: TOKEN }, { allowInsecureHttp: false })).toEqual({ ok: false, reason: `WA_WABA_ID is not set: ${hint}` });
    expect(cloudTemplates.fromEnv({}, { allowInsecureHttp: false })).toEqual({ ok: false, reason: `WA_WABA_ID and WA_TOKEN are not set: ${hint}, and WA_TOKEN to the access token` });
  });
});
