import { describe, expect, it } from 'vitest';
import { ConfigError, ProviderStopError } from '../../../src/errors.js';
import { dialog360TemplateLookup, dialog360Templates } from '../../../src/providers/360dialog/dialog360-templates.js';
import type { GetTransport } from '../../../src/providers/http-transport.js';
import { scriptedAnswers } from '../../scripted-answers.js';

const KEY = 'd360-secret-key-abcdef';
const template = (name: string, language = 'en') => ({ name, language, status: 'approved', id: `${name}-${language}` });

const page = (templates: unknown[], total?: number) => ({ status: 200, body: { waba_templates: templates, ...(total === undefined ? {} : { total }) } });
const lookup = () => dialog360TemplateLookup({ baseUrl: 'https://waba.example.test//', apiKey: KEY }, (text) => text.replaceAll(KEY, '[redacted]'));
const where = 'the template look-up (360dialog) (GET https://waba.example.test/v1/configs/templates)';

async function message(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderStopError);
  return (error as Error).message;
}

describe('dialog360TemplateLookup', () => {
  it('asks 1,000 a page from offset 0 with the key, and pages until total', async () => {
    const { transport, requests, left } = scriptedAnswers(page([template('a'), template('b')], 3), page([template('c')], 3));
    expect((await lookup().list(transport)).map((t) => `${t.name} ${t.status}`)).toEqual(['a APPROVED', 'b APPROVED', 'c APPROVED']);
    expect(requests.map((r) => [r.method, r.url, r.headers])).toEqual([
      ['GET', 'https://waba.example.test/v1/configs/templates?limit=1000&offset=0', { 'd360-api-key': KEY }],
      ['GET', 'https://waba.example.test/v1/configs/templates?limit=1000&offset=2', { 'd360-api-key': KEY }],
    ]);
    expect([left(), lookup().where]).toEqual([0, '360dialog']);
  });

  it('stops at an empty page, a page without total, or total reached', async () => {
    expect(await lookup().list(scriptedAnswers(page([], 5)).transport)).toEqual([]);
    expect((await lookup().list(scriptedAnswers(page([template('a')])).transport)).map((t) => t.name)).toEqual(['a']);
    expect((await lookup().list(scriptedAnswers({ status: 200, body: { waba_templates: [template('a')], total: '9' } }).transport)).map((t) => t.name)).toEqual(['a']);
    expect((await lookup().list(scriptedAnswers(page([template('a')], 1)).transport)).map((t) => t.name)).toEqual(['a']);
  });

  it('names a bad template by its place over all pages', async () => {
    expect(await message(lookup().list(scriptedAnswers(page([template('a')], 2), page([{ name: 'b' }], 2)).transport))).toBe('the template look-up (360dialog) answered an unexpected shape: waba_templates[1] (b) has no "language"');
  });

  it('gives up after 200 pages, and on an answer without waba_templates', async () => {
    let n = 0;
    const endless: GetTransport = async () => ({ ok: true, response: { status: 200, headers: {}, body: JSON.stringify({ waba_templates: [template(`t${n++}`)], total: 1_000_000 }) } });
    expect(await message(lookup().list(endless))).toBe('the template look-up (360dialog) answered an unexpected shape: more than 200 pages of templates');
    expect(n).toBe(200);
    expect(await message(lookup().list(scriptedAnswers({ status: 200, body: { templates: [] } }).transport))).toBe('the template look-up (360dialog) answered an unexpected shape: no "waba_templates" list');
  });

  it('says what to do after a refusal, by status', async () => {
    const refused = (status: number) => message(lookup().list(scriptedAnswers({ status, body: { meta: { developer_message: `nope ${KEY}` } } }).transport));
    expect(await refused(401)).toBe(`${where} answered HTTP 401: nope [redacted]; check D360_API_KEY: the API key of this channel in the 360dialog hub`);
    expect(await refused(403)).toBe(`${where} answered HTTP 403: nope [redacted]; check D360_API_KEY: the API key of this channel in the 360dialog hub`);
    expect(await refused(429)).toBe(`${where} answered HTTP 429: nope [redacted]; too many calls just now: try again in a minute`);
    expect(await refused(500)).toBe(`${where} answered HTTP 500: nope [redacted]; try again later`);
  });

  it("finds the name in the language, with the name's other languages", async () => {
    const { transport } = scriptedAnswers(page([template('spring', 'fr'), template('autumn'), template('spring'), template('spring', 'de')], 4));
    const found = await lookup().findByName(transport, 'spring', 'en');
    expect([found.template?.id, found.others.map((t) => t.id)]).toEqual(['spring-en', ['spring-fr', 'spring-de']]);
    const missing = await lookup().find(scriptedAnswers(page([template('spring', 'fr')], 1)).transport, { name: 'spring', language: 'en', contentSid: undefined });
    expect([missing.template, missing.others.map((t) => t.id)]).toEqual([undefined, ['spring-fr']]);
  });
});

describe('dialog360Templates.fromEnv', () => {
  it('configures the look-up on waba-v2.360dialog.io unless told, the key redacted', async () => {
    const setup = dialog360Templates.fromEnv({ D360_API_KEY: KEY }, { allowInsecureHttp: false });
    if (!setup.ok) throw new Error(setup.reason);
    const { transport, requests } = scriptedAnswers(page([]));
    await setup.lookup.list(transport);
    expect(requests[0]!.url).toBe('https://waba-v2.360dialog.io/v1/configs/templates?limit=1000&offset=0');
    expect(setup.redact(`x ${KEY}`)).not.toContain(KEY);
    const custom = dialog360Templates.fromEnv({ D360_API_KEY: KEY, D360_API_URL: 'http://127.0.0.1:4010' }, { allowInsecureHttp: false });
    if (!custom.ok) throw new Error(custom.reason);
    const second = scriptedAnswers(page([]));
    await custom.lookup.list(second.transport);
    expect(second.requests[0]!.url).toBe('http://127.0.0.1:4010/v1/configs/templates?limit=1000&offset=0');
  });

  it('needs D360_API_KEY and a safe base URL', () => {
    expect(() => dialog360Templates.fromEnv({}, { allowInsecureHttp: false })).toThrow(new ConfigError('the template look-up (360dialog) needs D360_API_KEY: set it in the environment or in .env'));
    expect(() => dialog360Templates.fromEnv({ D360_API_KEY: KEY, D360_API_URL: 'http://waba.example.test' }, { allowInsecureHttp: false })).toThrow(ConfigError);
    expect(dialog360Templates.fromEnv({ D360_API_KEY: KEY, D360_API_URL: 'http://waba.example.test' }, { allowInsecureHttp: true }).ok).toBe(true);
  });
});
