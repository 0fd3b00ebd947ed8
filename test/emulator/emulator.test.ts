import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, startEmulator, whatsAppId, type EmulatorLogEntry, type EmulatorOptions } from '../../src/emulator/emulator-server.js';
import { parseScenario } from '../../src/emulator/scenario.js';
import { InputError } from '../../src/errors.js';
import { ManualClock } from '../manual-clock.js';

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function emulator(options: Partial<EmulatorOptions> = {}) {
  const log: EmulatorLogEntry[] = [];
  const e = await startEmulator({ port: 0, log: (entry) => log.push(entry), ...options });
  running.push(e);
  return { ...e, log };
}

const C = DEFAULT_CREDENTIALS;
const body = (to: string, cid = 'r-2-1') =>
  JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template: { name: 'hello', language: { code: 'en' } }, biz_opaque_callback_data: cid });

async function cloudSend(url: string, to: string, token = C.WA_TOKEN, phoneNumberId = C.WA_PHONE_NUMBER_ID) {
  const res = await fetch(`${url}/v23.0/${phoneNumberId}/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body(to) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function twilioSend(url: string, to: string, token = C.TWILIO_AUTH_TOKEN) {
  const form = new URLSearchParams({ To: `whatsapp:${to}`, From: 'whatsapp:+15550001111', ContentSid: `HX${'a'.repeat(32)}`, StatusCallback: 'https://h.example/s?cid=r-2-1' });
  const res = await fetch(`${url}/2010-04-01/Accounts/${C.TWILIO_ACCOUNT_SID}/Messages.json`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${C.TWILIO_ACCOUNT_SID}:${token}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe('emulator', () => {
  it('answers a Cloud API send like Meta: messages[].id, contacts[].wa_id (Mexico with its 1)', async () => {
    const e = await emulator();
    const { status, json } = await cloudSend(e.url, '+525512345678');
    expect(status).toBe(200);
    expect(json).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ input: '+525512345678', wa_id: '5215512345678' }], messages: [{ id: expect.stringMatching(/^wamid\./), message_status: 'accepted' }] });
    expect(e.log[0]).toMatchObject({ provider: 'cloud', status: 200, outcome: 'accepted', to: '+525512345678', cid: 'r-2-1' });
  });

  it('refuses a bad token with 190, a wrong phone-number id, and a wrong 360dialog key', async () => {
    const e = await emulator();
    expect(await cloudSend(e.url, '+447400123456', 'nope')).toMatchObject({ status: 401, json: { error: { code: 190, fbtrace_id: expect.any(String) } } });
    expect((await cloudSend(e.url, '+447400123456', C.WA_TOKEN, '999')).json.error.code).toBe(100);
    const res = await fetch(`${e.url}/messages`, { method: 'POST', headers: { 'd360-api-key': 'wrong', 'content-type': 'application/json' }, body: body('+447400123456') });
    expect(res.status).toBe(401);
    // Nothing in the log carries a credential.
    expect(JSON.stringify(e.log)).not.toContain('nope');
  });

  it('answers Twilio with a 201 message resource, and 20003 for bad credentials', async () => {
    const e = await emulator();
    const ok = await twilioSend(e.url, '+447400123456');
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'queued', to: 'whatsapp:+447400123456', direction: 'outbound-api', account_sid: C.TWILIO_ACCOUNT_SID });
    expect(e.log[0]).toMatchObject({ provider: 'twilio', cid: 'r-2-1' });
    const bad = await twilioSend(e.url, '+447400123456', 'wrong');
    expect(bad).toMatchObject({ status: 401, json: { code: 20003, more_info: 'https://www.twilio.com/docs/errors/20003' } });
  });

  it('limits each sender to its MPS in a sliding second (130429, 20429)', async () => {
    const clock = new ManualClock();
    const e = await emulator({ mps: 3, clock });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await cloudSend(e.url, `+44740012345${i}`)).json.error?.code ?? 'ok');
    expect(statuses).toEqual(['ok', 'ok', 'ok', 130429]);
    await clock.advance(999);
    expect((await cloudSend(e.url, '+447400123459')).json.error?.code).toBe(130429);
    await clock.advance(1);
    expect((await cloudSend(e.url, '+447400123459')).status).toBe(200);
    for (let i = 0; i < 3; i++) await twilioSend(e.url, `+44740012346${i}`);
    expect((await twilioSend(e.url, '+447400123469')).json.code).toBe(20429);
  });

  it('answers 131056 to a second message to the same user within 6 s', async () => {
    const clock = new ManualClock();
    const e = await emulator({ clock });
    expect((await cloudSend(e.url, '+447400123456')).status).toBe(200);
    await clock.advance(5_999);
    expect((await cloudSend(e.url, '+447400123456')).json.error.code).toBe(131056);
    await clock.advance(6_000);
    expect((await cloudSend(e.url, '+447400123456')).status).toBe(200);
    // The limit is per (business number, user): another sender may message the same user.
    const res = await fetch(`${e.url}/messages`, { method: 'POST', headers: { 'd360-api-key': C.D360_API_KEY!, 'content-type': 'application/json' }, body: body('+447400123456') });
    expect(res.status).toBe(200);
  });

  it('plays a scenario: an error code, a transient failure then success, held, and a dropped connection', async () => {
    const scenario = parseScenario({
      rules: [
        { match: '+447400123401', outcome: 'error', code: 131026 },
        { match: ['+447400123402'], outcome: 'transient', times: 2 },
        { match: '+4474001234*', outcome: 'held' },
        { match: '+447400999999', outcome: 'drop' },
      ],
    });
    const e = await emulator({ scenario });
    expect((await cloudSend(e.url, '+447400123401')).json.error.code).toBe(131026);
    const transient = [];
    for (let i = 0; i < 3; i++) transient.push((await cloudSend(e.url, '+447400123402')).status);
    expect(transient).toEqual([500, 500, 200]);
    expect((await cloudSend(e.url, '+447400123499')).json.messages[0].message_status).toBe('held_for_quality_assessment');
    await expect(cloudSend(e.url, '+447400999999')).rejects.toThrow();
    expect(e.log.at(-1)).toMatchObject({ outcome: 'dropped', message_id: expect.stringMatching(/^wamid\./) });
  });

  it('refuses a scenario that makes no sense', () => {
    expect(() => parseScenario({ rules: [{ match: '+44', outcome: 'explode' }] })).toThrow(InputError);
    expect(() => parseScenario({ rules: [{ match: '+44', outcome: 'error' }] })).toThrow('numeric code');
  });

  it('gives Mexican numbers the WhatsApp id with a 1, others their digits', () => {
    expect(whatsAppId('+525512345678')).toBe('5215512345678');
    expect(whatsAppId('+5491123456789')).toBe('5491123456789');
  });
});
