import { describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS } from '../../src/emulator/emulator-server.js';
import { accountOf, parseScenario } from '../../src/emulator/scenario.js';
import { cloud } from '../../src/providers/cloud/index.js';
import { dialog360 } from '../../src/providers/360dialog/index.js';
import { parseEventLine } from '../../src/reconcile/parse-event.js';

const body = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ messaging_product: 'whatsapp', to: '447400123456', type: 'template', template: { name, language: { code: 'en' } }, biz_opaque_callback_data: 'r1-2-1', ...extra });

describe('the emulated Marketing Messages API', () => {
  const account = accountOf(parseScenario({ rules: [], template_categories: { order_update: 'utility' } }));
  const cloudPath = (route: string) => `/v23.0/${DEFAULT_CREDENTIALS.WA_PHONE_NUMBER_ID}/${route}`;
  const headers = { authorization: `Bearer ${DEFAULT_CREDENTIALS.WA_TOKEN}` };

  it('takes marketing templates only (131055 for a utility one), through cloud and 360dialog, and prices them marketing_lite', () => {
    const refused = cloud.emulator.read({ method: 'POST', path: cloudPath('marketing_messages'), headers, body: body('order_update') }, DEFAULT_CREDENTIALS, account);
    expect(refused).toMatchObject({ ok: false, code: 131055, answer: { status: 400 } });
    const viaD360 = dialog360.emulator.read({ method: 'POST', path: '/marketing_messages', headers: { 'd360-api-key': DEFAULT_CREDENTIALS.D360_API_KEY! }, body: body('order_update') }, DEFAULT_CREDENTIALS, account);
    expect(viaD360).toMatchObject({ ok: false, code: 131055 });
    expect(cloud.emulator.read({ method: 'POST', path: cloudPath('marketing_messages'), headers, body: body('spring_sale') }, DEFAULT_CREDENTIALS, account)).toMatchObject({ ok: true, pricingCategory: 'marketing_lite' });
    // The same template through /messages is priced marketing.
    const messages = cloud.emulator.read({ method: 'POST', path: cloudPath('messages'), headers, body: body('spring_sale') }, DEFAULT_CREDENTIALS, account);
    expect(messages.ok && messages.pricingCategory).toBe(undefined);
  });

  it('not onboarded: STRICT is refused with 134102; without it Meta sends through Cloud API (priced marketing)', () => {
    const eligible = accountOf(parseScenario({ rules: [], onboarding_status: 'ELIGIBLE' }));
    expect(cloud.emulator.read({ method: 'POST', path: cloudPath('marketing_messages'), headers, body: body('spring_sale', { product_policy: 'STRICT' }) }, DEFAULT_CREDENTIALS, eligible)).toMatchObject({ ok: false, code: 134102 });
    const fallback = cloud.emulator.read({ method: 'POST', path: cloudPath('marketing_messages'), headers, body: body('spring_sale') }, DEFAULT_CREDENTIALS, eligible);
    expect(fallback.ok && fallback.pricingCategory).toBe(undefined);
  });

  it('status callbacks priced marketing_lite are read like the others', () => {
    const message = { provider: 'cloud', messageId: 'wamid.MM1', to: '+447400123456', waId: '447400123456', correlationId: 'r1-2-1', statusCallback: undefined, pricingCategory: 'marketing_lite' };
    const callback = cloud.emulator.statusCallback(message, { status: 'delivered' }, { webhookUrl: 'http://127.0.0.1:1/webhook', credentials: DEFAULT_CREDENTIALS, at: Date.parse('2026-11-24T10:00:00Z') })!;
    expect(callback.body).toContain('"category":"marketing_lite"');
    const line = JSON.stringify({ type: 'event', received_at: '2026-11-24T10:00:01Z', provider: 'meta', path: '/webhook', raw: callback.body });
    expect(parseEventLine(line, new Set())).toEqual({ ok: true, signals: [{ kind: 'status', family: 'meta', messageId: 'wamid.MM1', cid: 'r1-2-1', rank: 2, failed: false, code: -1, at: Date.parse('2026-11-24T10:00:00Z') }] });
  });

  it('serves the WABA’s onboarding field, with the token only', () => {
    const query = new URLSearchParams('fields=marketing_messages_onboarding_status');
    const path = `/v23.0/${DEFAULT_CREDENTIALS.WA_WABA_ID}`;
    expect(cloud.emulator.serve!({ method: 'GET', path, headers, body: '', query }, DEFAULT_CREDENTIALS, account)).toEqual({ status: 200, body: { id: DEFAULT_CREDENTIALS.WA_WABA_ID, marketing_messages_onboarding_status: 'ONBOARDED' } });
    expect(cloud.emulator.serve!({ method: 'GET', path, headers: {}, body: '', query }, DEFAULT_CREDENTIALS, account)).toMatchObject({ status: 401 });
  });
});
