import { describe, expect, it } from 'vitest';
import { metaCallbackFacts, parseMetaCallback } from '../../../src/providers/cloud-api/parse-meta-callback.js';

const AT = 1_765_000_000_000;
const facts = (payload: unknown) => metaCallbackFacts({ raw: typeof payload === 'string' ? payload : JSON.stringify(payload), path: '/webhook', receivedAt: AT });
const wrap = (value: Record<string, unknown>) => ({ object: 'whatsapp_business_account', entry: [{ id: 'w', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', ...value } }] }] });

describe('metaCallbackFacts: what is not a callback', () => {
  it('refuses what is not JSON, has no entry list, or no change with a value', () => {
    expect(facts('{')).toEqual({ ok: false, why: 'payload is not JSON' });
    for (const payload of ['null', '[]', '{}', '{"entry":{}}', '"entry"']) expect(facts(payload)).toEqual({ ok: false, why: 'not a WhatsApp Business Account callback (no entry[])' });
    const noValue = { ok: false, why: 'a callback with no changes[].value' };
    expect(facts({ entry: [] })).toEqual(noValue);
    expect(facts({ entry: [null, { changes: 'x' }, {}, { changes: [null, {}, { value: 'x' }, { value: null }] }] })).toEqual(noValue);
  });

  it('is no fact for a value without statuses, preferences or messages', () => {
    expect(facts(wrap({}))).toEqual({ ok: true, facts: [] });
    expect(facts({ entry: [{ changes: [{ value: {} }] }, null] })).toEqual({ ok: true, facts: [] });
  });
});

describe('metaCallbackFacts: statuses', () => {
  it.each([
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'read'],
    ['played', 'read'],
    ['failed', 'failed'],
  ])('reads %s as %s, at its timestamp, with its ids', (given, status) => {
    expect(facts(wrap({ statuses: [{ id: 'wamid.A', status: given, timestamp: '1765000123', biz_opaque_callback_data: 'c-1', recipient_id: '447400123456' }] }))).toEqual({
      ok: true,
      facts: [{ status, id: 'wamid.A', cid: 'c-1', at: 1_765_000_123_000 }],
    });
  });

  it('has no fact for another status, or a status that is not text', () => {
    expect(facts(wrap({ statuses: [{ id: 'a', status: 'deleted' }, { id: 'b', status: 'constructor' }, { id: 'c', status: 3 }, { id: 'd' }, null, 'x'] }))).toEqual({ ok: true, facts: [] });
  });

  it('takes the receive time when the timestamp is absent, not a number or not after 0', () => {
    for (const timestamp of [undefined, 'soon', '0', '-5', 'Infinity', null]) {
      expect(facts(wrap({ statuses: [{ status: 'sent', timestamp }] }))).toEqual({ ok: true, facts: [{ status: 'sent', at: AT }] });
    }
    expect(facts(wrap({ statuses: [{ status: 'sent', timestamp: 1765000123 }] }))).toEqual({ ok: true, facts: [{ status: 'sent', at: 1_765_000_123_000 }] });
  });

  it('leaves out an empty or missing id and correlation id', () => {
    expect(facts(wrap({ statuses: [{ status: 'sent', id: '', biz_opaque_callback_data: '' }] }))).toEqual({ ok: true, facts: [{ status: 'sent', at: AT }] });
    expect(facts(wrap({ statuses: [{ status: 'sent', id: 7, biz_opaque_callback_data: {} }] }))).toEqual({ ok: true, facts: [{ status: 'sent', at: AT }] });
  });

  it("keeps a failure's first error code, and only a failure's", () => {
    expect(facts(wrap({ statuses: [{ status: 'failed', id: 'a', errors: [{ code: 131026 }, { code: 131000 }] }] }))).toEqual({ ok: true, facts: [{ status: 'failed', id: 'a', code: 131026, at: AT }] });
    expect(facts(wrap({ statuses: [{ status: 'failed', id: 'a', errors: [{ code: '131049' }] }] }))).toEqual({ ok: true, facts: [{ status: 'failed', id: 'a', code: 131049, at: AT }] });
    expect(facts(wrap({ statuses: [{ status: 'failed', id: 'a', errors: [{ title: 'x' }] }] }))).toEqual({ ok: true, facts: [{ status: 'failed', id: 'a', at: AT }] });
    expect(facts(wrap({ statuses: [{ status: 'failed', id: 'a' }] }))).toEqual({ ok: true, facts: [{ status: 'failed', id: 'a', at: AT }] });
    expect(facts(wrap({ statuses: [{ status: 'delivered', id: 'a', errors: [{ code: 131026 }] }] }))).toEqual({ ok: true, facts: [{ status: 'delivered', id: 'a', at: AT }] });
  });

  it('keeps every status of every change of every entry, in order', () => {
    const payload = { entry: [{ changes: [{ value: { statuses: [{ status: 'sent', id: 'a' }, { status: 'delivered', id: 'a' }] } }] }, { changes: [{ value: { statuses: [{ status: 'read', id: 'b' }] } }] }] };
    expect(facts(payload)).toEqual({ ok: true, facts: [{ status: 'sent', id: 'a', at: AT }, { status: 'delivered', id: 'a', at: AT }, { status: 'read', id: 'b', at: AT }] });
  });
});

describe('metaCallbackFacts: user preferences and inbound messages', () => {
  it("reads Meta's marketing stop and resume, in any case, at their timestamp", () => {
    expect(facts(wrap({ user_preferences: [{ wa_id: '447400123456', detail: 'x', category: 'marketing_messages', value: 'STOP', timestamp: 1765000123 }, { wa_id: '447400123457', value: 'resume' }] }))).toEqual({
      ok: true,
      facts: [
        { preference: 'stop', via: 'user_preferences', wa_id: '447400123456', at: 1_765_000_123_000 },
        { preference: 'resume', via: 'user_preferences', wa_id: '447400123457', at: AT },
      ],
    });
  });

  it('ignores a preference of another category or value, or without a wa_id', () => {
    expect(facts(wrap({ user_preferences: [{ wa_id: '1', value: 'stop', category: 'utility' }, { wa_id: '1', value: 'pause' }, { value: 'stop' }, { wa_id: '', value: 'stop' }, { wa_id: '1', value: 5 }] }))).toEqual({ ok: true, facts: [] });
  });

  it("keeps an inbound message's text, button text and payload, interactive title and id", () => {
    expect(
      facts(
        wrap({
          messages: [
            { from: '447400123456', timestamp: '1765000123', text: { body: 'Stop please' } },
            { from: '447400123456', button: { text: 'Unsubscribe', payload: 'STOP_PROMOS' } },
            { from: '447400123456', interactive: { button_reply: { id: 'opt_out', title: 'Opt out' } } },
          ],
        }),
      ),
    ).toEqual({
      ok: true,
      facts: [
        { inbound: ['Stop please'], from: '447400123456', at: 1_765_000_123_000 },
        { inbound: ['Unsubscribe', 'STOP_PROMOS'], from: '447400123456', at: AT },
        { inbound: ['Opt out', 'opt_out'], from: '447400123456', at: AT },
      ],
    });
  });

  it('has no fact for a message without words or a sender', () => {
    expect(facts(wrap({ messages: [{ from: '1', image: { id: 'x' } }, { text: { body: 'STOP' } }, { from: '', text: { body: 'STOP' } }, { from: '1', text: { body: 5 }, button: { text: 1, payload: {} }, interactive: { button_reply: { id: 2, title: null } } }] }))).toEqual({ ok: true, facts: [] });
  });
});

describe('parseMetaCallback', () => {
  it('gives the signals of the facts, the Meta family, opt-out keywords matched', () => {
    const raw = JSON.stringify(wrap({ statuses: [{ status: 'failed', id: 'wamid.A', biz_opaque_callback_data: 'c-1', errors: [{ code: 131026 }] }], messages: [{ from: '447400123456', text: { body: ' stop ' } }] }));
    expect(parseMetaCallback({ raw, path: '/webhook', receivedAt: AT }, new Set(['STOP']))).toEqual({
      ok: true,
      signals: [
        { kind: 'status', family: 'meta', messageId: 'wamid.A', cid: 'c-1', rank: 0, failed: true, code: 131026, at: AT },
        { kind: 'preference', value: 'stop', via: 'keyword', waId: '447400123456', at: AT },
      ],
    });
    expect(parseMetaCallback({ raw: '{', path: '/webhook', receivedAt: AT }, new Set())).toEqual({ ok: false, why: 'payload is not JSON' });
  });
});
