import { describe, expect, it } from 'vitest';
import { checkedFacts, FACTS_VERSION, signalsOfFacts } from '../../src/providers/event-facts.js';

const AT = 1_765_000_000_000;

describe('signalsOfFacts', () => {
  it('passes a refusal on', () => {
    expect(signalsOfFacts({ ok: false, why: 'payload is not JSON' }, 'meta', new Set())).toEqual({ ok: false, why: 'payload is not JSON' });
  });

  it('gives each status its rank, a failure its code (-1 without one), others -1', () => {
    const facts = [
      { status: 'queued', id: 'a', at: AT },
      { status: 'sent', id: 'a', cid: 'c', at: AT },
      { status: 'delivered', id: 'a', at: AT },
      { status: 'read', at: AT },
      { status: 'failed', id: 'a', code: 131026, at: AT },
      { status: 'failed', id: 'b', at: AT },
    ] as const;
    expect(signalsOfFacts({ ok: true, facts: [...facts] }, 'twilio', new Set())).toEqual({
      ok: true,
      signals: [
        { kind: 'status', family: 'twilio', messageId: 'a', cid: undefined, rank: 0, failed: false, code: -1, at: AT },
        { kind: 'status', family: 'twilio', messageId: 'a', cid: 'c', rank: 1, failed: false, code: -1, at: AT },
        { kind: 'status', family: 'twilio', messageId: 'a', cid: undefined, rank: 2, failed: false, code: -1, at: AT },
        { kind: 'status', family: 'twilio', messageId: undefined, cid: undefined, rank: 3, failed: false, code: -1, at: AT },
        { kind: 'status', family: 'twilio', messageId: 'a', cid: undefined, rank: 0, failed: true, code: 131026, at: AT },
        { kind: 'status', family: 'twilio', messageId: 'b', cid: undefined, rank: 0, failed: true, code: -1, at: AT },
      ],
    });
  });

  it("gives a preference as it is, and an inbound message a stop only when one of its words is a keyword", () => {
    const keywords = new Set(['STOP', 'UNSUBSCRIBE ME']);
    expect(
      signalsOfFacts(
        {
          ok: true,
          facts: [
            { preference: 'resume', via: 'twilio_opt_out', wa_id: '1', at: AT },
            { inbound: ['hello', ' unsubscribe   me '], from: '2', at: AT + 1 },
            { inbound: ['stopp', 'please stop'], from: '3', at: AT },
            { inbound: [], from: '4', at: AT },
          ],
        },
        'meta',
        keywords,
      ),
    ).toEqual({
      ok: true,
      signals: [
        { kind: 'preference', value: 'resume', via: 'twilio_opt_out', waId: '1', at: AT },
        { kind: 'preference', value: 'stop', via: 'keyword', waId: '2', at: AT + 1 },
      ],
    });
  });
});

describe('checkedFacts', () => {
  const good = [
    { status: 'sent', id: 'a', cid: 'c', at: AT },
    { status: 'failed', code: 131026, at: AT },
    { status: 'queued', at: AT },
    { preference: 'stop', via: 'user_preferences', wa_id: '1', at: AT },
    { preference: 'resume', via: 'twilio_opt_out', wa_id: '1', at: AT },
    { inbound: ['STOP', ''], from: '2', at: AT },
    { inbound: [], from: '2', at: AT },
  ];

  it('gives the facts of this version when every one is well-formed', () => {
    expect(FACTS_VERSION).toBe(1);
    expect(checkedFacts({ v: 1, facts: good })).toEqual(good);
    expect(checkedFacts({ v: 1, facts: [] })).toEqual([]);
  });

  it('is undefined for what is not facts of this version', () => {
    for (const value of [null, undefined, 'x', 1, [], { v: 2, facts: good }, { v: '1', facts: good }, { facts: good }, { v: 1 }, { v: 1, facts: {} }]) {
      expect(checkedFacts(value)).toBe(undefined);
    }
  });

  it.each([
    ['a fact that is not an object', null],
    ['an array', [{ status: 'sent', at: AT }]],
    ['a status not known', { status: 'deleted', at: AT }],
    ['an empty id', { status: 'sent', id: '', at: AT }],
    ['an id not text', { status: 'sent', id: 5, at: AT }],
    ['an empty cid', { status: 'sent', cid: '', at: AT }],
    ['a code not an integer', { status: 'failed', code: 1.5, at: AT }],
    ['a code in text', { status: 'failed', code: '131026', at: AT }],
    ['a status time not a number', { status: 'sent', at: '1765000000000' }],
    ['a status time not finite', { status: 'sent', at: null }],
    ['a status key too many', { status: 'sent', at: AT, extra: 1 }],
    ['a status without a time', { status: 'sent', id: 'a' }],
    ['a preference value not known', { preference: 'pause', via: 'user_preferences', wa_id: '1', at: AT }],
    ['a preference via not known', { preference: 'stop', via: 'keyword', wa_id: '1', at: AT }],
    ['a preference without wa_id', { preference: 'stop', via: 'user_preferences', wa_id: '', at: AT }],
    ['a preference time not a number', { preference: 'stop', via: 'user_preferences', wa_id: '1', at: 'now' }],
    ['a preference key too many', { preference: 'stop', via: 'user_preferences', wa_id: '1', at: AT, x: 1 }],
    ['inbound not a list', { inbound: 'STOP', from: '2', at: AT }],
    ['inbound words not text', { inbound: ['STOP', 1], from: '2', at: AT }],
    ['inbound without a sender', { inbound: ['STOP'], from: '', at: AT }],
    ['inbound time not finite', { inbound: ['STOP'], from: '2', at: Infinity }],
    ['inbound key too many', { inbound: ['STOP'], from: '2', at: AT, x: 1 }],
    ['a fact of no kind', { at: AT }],
  ])('is undefined when one fact is %s', (_name, fact) => {
    expect(checkedFacts({ v: 1, facts: [...good, fact] })).toBe(undefined);
  });
});
