import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS as C, startEmulator, type RunningEmulator } from '../../src/emulator/emulator-server.js';
import { loadTemplateCatalog, parseTemplateCatalog, SAMPLE_TEMPLATES_FILE } from '../../src/emulator/template-catalog.js';

/*
 * The emulator refuses template sends as Meta and Twilio do when it holds the account's templates
 * (samples/templates.yaml), and serves the three look-ups from them.
 */

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start() {
  emulator = await startEmulator({ port: 0, mps: 1000, templates: await loadTemplateCatalog(SAMPLE_TEMPLATES_FILE) });
  return emulator.url;
}

const image = { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/a.jpg' } }] };
const body = (...texts: string[]) => ({ type: 'body', parameters: texts.map((text) => ({ type: 'text', text })) });
let to = 447400100000;

async function cloudSend(url: string, template: unknown) {
  const response = await fetch(`${url}/v23.0/${C.WA_PHONE_NUMBER_ID}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${C.WA_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', to: `+${to++}`, type: 'template', template }),
  });
  const json = (await response.json()) as { error?: { code: number; error_data: { details: string } }; messages?: unknown[] };
  return { status: response.status, code: json.error?.code, details: json.error?.error_data.details, accepted: Array.isArray(json.messages) };
}

describe('emulator: template sends refused as Meta refuses them', () => {
  it.each([
    ['an unknown name', { name: 'no_such', language: { code: 'en_GB' } }, 404, 132001, 'template name (no_such) does not exist in en_GB'],
    ['a known name in another language', { name: 'spring_sale', language: { code: 'en_US' }, components: [image, body('a', 'b', 'c')] }, 404, 132001, 'template name (spring_sale) does not exist in en_US'],
    ['a paused template', { name: 'winter_sale', language: { code: 'en_GB' }, components: [body('a')] }, 400, 132015, 'template name (winter_sale) is paused'],
    ['a disabled template', { name: 'flash_offer', language: { code: 'en_GB' }, components: [body('a')] }, 400, 132016, 'template name (flash_offer) is disabled'],
    ['a template still in review', { name: 'summer_preview', language: { code: 'en_GB' }, components: [body('a')] }, 404, 132001, 'template name (summer_preview) does not exist in en_GB'],
    ['a body parameter missing', { name: 'spring_sale', language: { code: 'en_GB' }, components: [image, body('a', 'b')] }, 400, 132000, 'body: number of localizable_params (2) does not match the expected number of params (3)'],
    ['the image header left out', { name: 'spring_sale', language: { code: 'en_GB' }, components: [body('a', 'b', 'c')] }, 400, 132012, 'header: Format mismatch, expected IMAGE, received UNKNOWN'],
    ['a named template without parameter_name', { name: 'order_ready', language: { code: 'en_GB' }, components: [body('Ana', 'A-1', 'Soho'), { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: 'A-1' }] }] }, 400, 100, 'Parameter name is missing or empty'],
    [
      'a named template without its URL button',
      { name: 'order_ready', language: { code: 'en_GB' }, components: [{ type: 'body', parameters: ['first_name', 'order_number', 'store'].map((n) => ({ type: 'text', parameter_name: n, text: 'x' })) }] },
      400,
      131008,
      'buttons: Button at index 0 of type Url requires a parameter',
    ],
  ])('%s', async (_name, template, status, code, details) => {
    const url = await start();
    expect(await cloudSend(url, template)).toEqual({ status, code, details, accepted: false });
  });

  it('accepts sends that fit, named ones by parameter_name in any order', async () => {
    const url = await start();
    expect((await cloudSend(url, { name: 'spring_sale', language: { code: 'en_GB' }, components: [image, body('Ana', '20%', 'X'), { type: 'button', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'STOP' }] }] })).accepted).toBe(true);
    const named = ['store', 'first_name', 'order_number'].map((n) => ({ type: 'text', parameter_name: n, text: 'x' }));
    expect((await cloudSend(url, { name: 'order_ready', language: { code: 'en_GB' }, components: [{ type: 'body', parameters: named }, { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: 'A-1' }] }] })).accepted).toBe(true);
  });

  it('without a templates file, any template is accepted (as before)', async () => {
    emulator = await startEmulator({ port: 0, mps: 1000 });
    expect((await cloudSend(emulator.url, { name: 'no_such', language: { code: 'en_GB' } })).accepted).toBe(true);
  });
});

describe('emulator: Twilio Content sends', () => {
  const send = async (url: string, contentSid: string, variables?: string) => {
    const form = new URLSearchParams({ To: `whatsapp:+${to++}`, From: 'whatsapp:+15550001111', ContentSid: contentSid });
    if (variables !== undefined) form.set('ContentVariables', variables);
    const response = await fetch(`${url}/2010-04-01/Accounts/${C.TWILIO_ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${C.TWILIO_ACCOUNT_SID}:${C.TWILIO_AUTH_TOKEN}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    return { status: response.status, code: ((await response.json()) as { code?: number }).code };
  };

  it.each([
    ['an unknown ContentSid', `HX${'f'.repeat(32)}`, '{"1":"a"}', 21655],
    ['a paused template', 'HX2123456789abcdef0123456789abcdef', '{"1":"a"}', 63027],
    ['ContentVariables that are not JSON', 'HX0123456789abcdef0123456789abcdef', '{"1":', 21656],
    ['an empty variable', 'HX0123456789abcdef0123456789abcdef', '{"1":"","2":"b","3":"c"}', 21656],
    ['a variable the template does not have', 'HX0123456789abcdef0123456789abcdef', '{"1":"a","4":"d"}', 63028],
  ])('%s is refused with %s', async (_name, sid, variables, code) => {
    const url = await start();
    expect(await send(url, sid, variables)).toEqual({ status: 400, code });
  });

  it('a fitting send is accepted', async () => {
    const url = await start();
    expect((await send(url, 'HX0123456789abcdef0123456789abcdef', '{"1":"Ana","2":"20%","3":"X"}')).status).toBe(201);
  });
});

describe('emulator: the look-ups', () => {
  it('Meta: pages by cursor, refuses a wrong WABA id with 100 and a bad token with 190', async () => {
    const url = await start();
    const get = (path: string, token = C.WA_TOKEN) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const first = (await (await get(`/v23.0/${C.WA_WABA_ID}/message_templates?limit=2`)).json()) as { data: { name: string }[]; paging: { cursors: { after: string }; next?: string } };
    expect(first.data.map((t) => t.name)).toEqual(['spring_sale', 'order_ready']);
    expect(first.paging.next).toEqual(expect.any(String));
    const rest = (await (await get(`/v23.0/${C.WA_WABA_ID}/message_templates?limit=10&after=${first.paging.cursors.after}`)).json()) as { data: { name: string }[]; paging: { next?: string } };
    expect(rest.data.map((t) => t.name)).toEqual(['winter_sale', 'flash_offer', 'summer_preview']);
    expect(rest.paging.next).toBeUndefined();
    expect(((await (await get('/v23.0/999/message_templates')).json()) as { error: { code: number } }).error.code).toBe(100);
    expect((await get(`/v23.0/${C.WA_WABA_ID}/message_templates`, 'wrong')).status).toBe(401);
  });

  it('refuses a templates file that makes no sense, naming what is wrong', () => {
    expect(() => parseTemplateCatalog({ templates: [{ name: 'a', language: 'en' }] }, 't.yaml')).toThrow('template 1 (a) has no "status"');
    expect(() => parseTemplateCatalog({ templates: [{ name: 'a', language: 'en', status: 'APPROVED', twilio_content_sid: 'HX1' }] }, 't.yaml')).toThrow('twilio_content_sid must be HX followed by 32 hex digits');
    expect(() => parseTemplateCatalog([], 't.yaml')).toThrow('a templates file is a mapping with a "templates" list');
  });
});
