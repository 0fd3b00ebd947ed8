import { describe, expect, it } from 'vitest';
import { ConfigError, ProviderStopError } from '../../../src/errors.js';
import type { GetTransport } from '../../../src/providers/http-transport.js';
import { twilioTemplateLookup, twilioTemplates } from '../../../src/providers/twilio/twilio-templates.js';
import type { AccountTemplate } from '../../../src/template/account-template.js';
import { accountTemplate } from '../../template-builders.js';
import { scriptedAnswers } from '../../scripted-answers.js';

const SID = `AC${'a'.repeat(32)}`;
const AUTH = 'twilio-secret-token-xyz';
const HX = `HX${'a'.repeat(32)}`;

const lookup = () => twilioTemplateLookup({ baseUrl: 'https://content.example.test//', accountSid: SID, authToken: AUTH }, (text) => text.replaceAll(AUTH, '[redacted]'));
const find = (transport: GetTransport, contentSid = HX) => lookup().find(transport, { name: 'x', language: 'en', contentSid });
const shape = (overrides: Partial<AccountTemplate>): AccountTemplate =>
  accountTemplate({ name: HX, language: 'en', category: undefined, status: 'UNSUBMITTED', quality: undefined, id: HX, twilioVariables: [], ...overrides });
async function stopMessage(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProviderStopError);
  return (error as Error).message;
}

describe('twilioTemplateLookup: a Content resource', () => {
  it('reads the Content and its approval whole, the SID encoded, with Basic auth', async () => {
    const content = { sid: HX, language: 'en', friendly_name: 'Some content', variables: { 2: '10%', 1: 'Ana', 10: 7 }, types: { 'twilio/text': { body: 'Hi {{1}}, {{2}} off {{10}}' } } };
    const approval = { whatsapp: { name: 'tree_fiddy', category: 'utility', status: 'rejected', rejection_reason: 'INVALID_FORMAT' } };
    const { transport, requests } = scriptedAnswers({ status: 200, body: content }, { status: 200, body: approval });
    expect((await find(transport)).template).toEqual(
      shape({
        name: 'tree_fiddy',
        category: 'UTILITY',
        status: 'REJECTED',
        body: { text: 'Hi {{1}}, {{2}} off {{10}}', parameters: [{ name: '1', example: 'Ana' }, { name: '2', example: '10%' }, { name: '10', example: '7' }] },
        rejectedReason: 'INVALID_FORMAT',
        twilioVariables: [
          { key: '1', example: 'Ana' },
          { key: '2', example: '10%' },
          { key: '10', example: '7' },
        ],
      }),
    );
    expect(requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['GET', `https://content.example.test/v1/Content/${HX}`, `Basic ${Buffer.from(`${SID}:${AUTH}`).toString('base64')}`],
      ['GET', `https://content.example.test/v1/Content/${HX}/ApprovalRequests`, `Basic ${Buffer.from(`${SID}:${AUTH}`).toString('base64')}`],
    ]);
    const encoded = scriptedAnswers({ status: 404, body: {} });
    await find(encoded.transport, 'HX/1');
    expect(encoded.requests[0]!.url).toBe('https://content.example.test/v1/Content/HX%2F1');
  });

  it('is named when a variable is not a number, names in alphabetical order, an example that is not text or a number none', async () => {
    const content = { sid: HX, language: 'en', variables: { other: { a: 1 }, first: 3 }, types: { 'twilio/text': { body: 'Hi {{first}}' } } };
    const { transport } = scriptedAnswers({ status: 200, body: content }, { status: 404, body: {} });
    expect((await find(transport)).template).toEqual(
      shape({
        parameterFormat: 'named',
        body: { text: 'Hi {{first}}', parameters: [{ name: 'first', example: '3' }] },
        twilioVariables: [
          { key: 'first', example: '3' },
          { key: 'other', example: undefined },
        ],
      }),
    );
  });

  it('orders numbered variables by number, and finds the {{…}} of every type, header, media and action too', async () => {
    const content = {
      sid: HX,
      language: 'pt_BR',
      variables: {},
      types: { 'twilio/card': { title: 'Hi {{3}}', subtitle: null, actions: [{ url: 'https://x.example/{{12}}' }, 5], media: ['https://m.example/{{2}}.png'] }, 'twilio/text': { body: 'Body {{1}}' } },
    };
    const { transport } = scriptedAnswers({ status: 200, body: content }, { status: 404, body: {} });
    expect((await find(transport)).template).toEqual(
      shape({
        language: 'pt_BR',
        body: { text: 'Body {{1}}', parameters: [{ name: '1', example: undefined }] },
        twilioVariables: [
          { key: '1', example: undefined },
          { key: '2', example: undefined },
          { key: '3', example: undefined },
          { key: '12', example: undefined },
        ],
      }),
    );
  });

  it("names it by its friendly name, else its SID, when the approval has no name; no approval is UNSUBMITTED", async () => {
    const named = scriptedAnswers({ status: 200, body: { sid: HX, language: 'en', friendly_name: 'Some content' } }, { status: 200, body: { whatsapp: { name: '', status: '', category: 5, rejection_reason: '' } } });
    expect((await find(named.transport)).template).toEqual(shape({ name: 'Some content' }));
    const bare = scriptedAnswers({ status: 200, body: { sid: HX, language: 'en', friendly_name: 7, types: 'x', variables: [] } }, { status: 200, body: { whatsapp: 'approved' } });
    expect((await find(bare.transport)).template).toEqual(shape({}));
    const none = scriptedAnswers({ status: 200, body: { sid: HX, language: 'en' } }, { status: 200, body: [] });
    expect((await find(none.transport)).template).toEqual(shape({}));
  });

  it('is not found for a 404 on the Content, and refuses a Content without sid or language', async () => {
    expect(await find(scriptedAnswers({ status: 404, body: { code: 20404 } }).transport)).toEqual({ template: undefined, others: [] });
    const gone = { status: 404, body: {} };
    expect(await stopMessage(find(scriptedAnswers({ status: 200, body: [] }, gone).transport))).toBe('the template look-up (Twilio Content API) answered an unexpected shape: the Content is not an object');
    expect(await stopMessage(find(scriptedAnswers({ status: 200, body: { language: 'en' } }, gone).transport))).toBe('the template look-up (Twilio Content API) answered an unexpected shape: the Content has no "sid"');
    expect(await stopMessage(find(scriptedAnswers({ status: 200, body: { sid: HX } }, gone).transport))).toBe(`the template look-up (Twilio Content API) answered an unexpected shape: the Content (${HX}) has no "language"`);
  });

  it("says what to do after a refusal, with Twilio's message and code", async () => {
    const where = `the template look-up (Twilio Content API) (GET https://content.example.test/v1/Content/${HX})`;
    const refused = (status: number, body: unknown) => stopMessage(find(scriptedAnswers({ status, body }).transport));
    expect(await refused(401, { code: 20003, message: 'Authenticate' })).toBe(`${where} answered HTTP 401: Authenticate (20003); check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN`);
    expect(await refused(403, { message: 'Forbidden', code: '20403' })).toBe(`${where} answered HTTP 403: Forbidden; check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN`);
    expect(await refused(429, { message: 'Too Many Requests' })).toBe(`${where} answered HTTP 429: Too Many Requests; too many calls just now: try again in a minute`);
    expect(await refused(500, { code: 20500 })).toBe(`${where} answered HTTP 500; try again later`);
    expect(await refused(500, [])).toBe(`${where} answered HTTP 500; try again later`);
  });
});

describe('twilioTemplateLookup: the list', () => {
  const item = (sid: string, name: string, approval: unknown = { name, status: 'approved' }) => ({ sid, language: 'en', types: { 'twilio/text': { body: 'Hi' } }, approval_requests: approval });

  it('asks 1,000 a page, then each next_page_url on its own base URL, until there is none', async () => {
    const { transport, requests, left } = scriptedAnswers(
      { status: 200, body: { contents: [item('HX1', 'one')], meta: { next_page_url: 'https://content.twilio.com/v1/ContentAndApprovals?PageSize=1000&Page=1&PageToken=PT1' } } },
      { status: 200, body: { contents: [item('HX2', 'two', 'x')], meta: { next_page_url: '' } } },
    );
    expect((await lookup().list(transport)).map((t) => `${t.id} ${t.name} ${t.status}`)).toEqual(['HX1 one APPROVED', 'HX2 HX2 UNSUBMITTED']);
    expect(requests.map((r) => r.url)).toEqual(['https://content.example.test/v1/ContentAndApprovals?PageSize=1000', 'https://content.example.test/v1/ContentAndApprovals?PageSize=1000&Page=1&PageToken=PT1']);
    expect([left(), lookup().where]).toEqual([0, 'Twilio Content']);
    const noMeta = scriptedAnswers({ status: 200, body: { contents: [] } });
    expect(await lookup().list(noMeta.transport)).toEqual([]);
    const numeric = scriptedAnswers({ status: 200, body: { contents: [], meta: { next_page_url: 5 } } });
    expect(await lookup().list(numeric.transport)).toEqual([]);
  });

  it('names a bad item by its place, and refuses an answer without contents', async () => {
    expect(await stopMessage(lookup().list(scriptedAnswers({ status: 200, body: { contents: [item('HX1', 'one'), { sid: 'HX2' }] } }).transport))).toBe(
      'the template look-up (Twilio Content API) answered an unexpected shape: contents[1] (HX2) has no "language"',
    );
    expect(await stopMessage(lookup().list(scriptedAnswers({ status: 200, body: { contents: 'x' } }).transport))).toBe('the template look-up (Twilio Content API) answered an unexpected shape: no "contents" list');
    expect(await stopMessage(lookup().list(scriptedAnswers({ status: 200, body: [1] }).transport))).toBe('the template look-up (Twilio Content API) answered an unexpected shape: no "contents" list');
  });

  it('gives up after 200 pages', async () => {
    let n = 0;
    const endless: GetTransport = async () => ({ ok: true, response: { status: 200, headers: {}, body: JSON.stringify({ contents: [], meta: { next_page_url: `https://content.twilio.com/v1/ContentAndApprovals?Page=${++n}` } }) } });
    expect(await stopMessage(lookup().list(endless))).toBe('the template look-up (Twilio Content API) answered an unexpected shape: more than 200 pages of templates');
    expect(n).toBe(200);
  });
});

describe('twilioTemplates.fromEnv', () => {
  it('configures the look-up on content.twilio.com unless told, the token and the Basic pair redacted', async () => {
    const setup = twilioTemplates.fromEnv({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: AUTH }, { allowInsecureHttp: false });
    if (!setup.ok) throw new Error(setup.reason);
    const { transport, requests } = scriptedAnswers({ status: 200, body: { contents: [] } });
    await setup.lookup.list(transport);
    expect(requests[0]!.url).toBe('https://content.twilio.com/v1/ContentAndApprovals?PageSize=1000');
    const basic = Buffer.from(`${SID}:${AUTH}`).toString('base64');
    expect(setup.redact(`${AUTH} ${basic}`)).not.toContain(AUTH);
    expect(setup.redact(basic)).not.toContain(basic);
    const custom = twilioTemplates.fromEnv({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: AUTH, TWILIO_CONTENT_URL: 'http://127.0.0.1:4010' }, { allowInsecureHttp: false });
    if (!custom.ok) throw new Error(custom.reason);
    const second = scriptedAnswers({ status: 200, body: { contents: [] } });
    await custom.lookup.list(second.transport);
    expect(second.requests[0]!.url).toBe('http://127.0.0.1:4010/v1/ContentAndApprovals?PageSize=1000');
  });

  it('needs both credentials and a safe base URL', () => {
    const missing = new ConfigError('the template look-up (Twilio) needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set them in the environment or in .env');
    expect(() => twilioTemplates.fromEnv({ TWILIO_ACCOUNT_SID: SID }, { allowInsecureHttp: false })).toThrow(missing);
    expect(() => twilioTemplates.fromEnv({ TWILIO_AUTH_TOKEN: AUTH }, { allowInsecureHttp: false })).toThrow(missing);
    expect(() => twilioTemplates.fromEnv({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: AUTH, TWILIO_CONTENT_URL: 'http://content.example.test' }, { allowInsecureHttp: false })).toThrow(ConfigError);
    expect(twilioTemplates.fromEnv({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: AUTH, TWILIO_CONTENT_URL: 'http://content.example.test' }, { allowInsecureHttp: true }).ok).toBe(true);
  });
});
