import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelOfTag } from '../../src/providers/index.js';
import { StatusFactsScanner, type StatusColumns } from '../../src/reconcile/scan-status-facts.js';
import { withFacts } from '../../src/webhook/with-facts.js';
import { metaLine, twilioLine } from './events.js';
import { emptyColumns, placed, viaParse as viaParseWith } from './stored-facts.js';

const keywords = new Set(['STOP']);
const empty = emptyColumns;
const viaParse = (line: string) => viaParseWith(line, keywords);

const scanner = new StatusFactsScanner();
function scan(line: string, into = empty()): { count: number; columns: StatusColumns } {
  const { buffer, start, end } = placed(line);
  return { count: scanner.scan(buffer, start, end, into), columns: into };
}

const stored = (line: string) => {
  const record = JSON.parse(line);
  return JSON.stringify(withFacts(channelOfTag(record.provider)!, record));
};
const withStatuses = (facts: unknown[], head = '{"type":"event","received_at":"2026-11-17T08:05:00.000Z","provider":"meta","path":"/webhook"') => `${head},"facts":${JSON.stringify({ v: 1, facts })},"raw":"{}"}`;

describe('StatusFactsScanner: statuses read from the bytes of an events line', () => {
  it('reads the webhook’s status lines (Meta, Twilio, several statuses, failures with and without a code) as parseStoredFacts does', () => {
    const lines = [
      stored(metaLine([{ id: 'wamid.A', status: 'sent', cid: 'c1' }])),
      stored(metaLine([{ id: 'wamid.A', status: 'delivered' }, { id: 'wamid.B', status: 'read', cid: 'c2', ts: 1795000100 }])),
      stored(metaLine([{ id: 'wamid.A', status: 'failed', code: 131049 }])),
      stored(metaLine([{ id: 'wamid.A', status: 'failed' }])),
      stored(twilioLine({ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '63049' }, 'c3')),
      stored(twilioLine({ MessageSid: 'SM2', MessageStatus: 'queued' })),
      withStatuses([]),
      withStatuses([{ at: 5, status: 'sent' }]),
      withStatuses([{ code: 7, cid: 'x', id: 'y', at: 0, status: 'read' }]),
    ];
    for (const line of lines) {
      const expected = viaParse(line);
      expect(expected, line).toBeInstanceOf(Object);
      expect(expected, line).not.toBe('other');
      const { count, columns } = scan(line);
      expect(count, line).toBe((expected as StatusColumns).ids.length);
      expect(columns, line).toEqual(expected);
    }
  });

  it('appends to what the columns hold already', () => {
    const into = empty();
    scan(stored(metaLine([{ id: 'wamid.A', status: 'sent' }])), into);
    const { count, columns } = scan(stored(metaLine([{ id: 'wamid.B', status: 'read' }])), into);
    expect(count).toBe(1);
    expect(columns.ids).toEqual(['wamid.A', 'wamid.B']);
    expect(columns.numbers).toHaveLength(12);
  });

  it('gives way (-1, the columns as they were) for every line it does not read exactly so, which parseStoredFacts then reads', () => {
    const line = withStatuses([{ status: 'sent', at: 1, id: 'wamid.A', cid: 'c' }]);
    expect(scan(line).count).toBe(1);
    const others = [
      line.replace('"at":1', '"at":1.0'),
      line.replace('"at":1', '"at":1e0'),
      line.replace('"at":1', '"at":01'),
      line.replace('"at":1', '"at":-1'),
      line.replace('"at":1', '"at":1234567890123456'),
      line.replace('"at":1', '"at": 1'),
      line.replace('"at":1', '"at":1,"at":2'),
      line.replace('"id":"wamid.A"', '"id":""'),
      line.replace('"id":"wamid.A"', '"id":"wamid.Ä"'),
      line.replace('"id":"wamid.A"', '"id":"wamid.\\u0041"'),
      line.replace('"id":"wamid.A"', '"id":7'),
      line.replace('"status":"sent"', '"status":"seen"'),
      line.replace('"status":"sent"', '"status":"sent","extra":1'),
      line.replace(',"at":1', ''),
      line.replace('{"v":1,', '{"v":2,'),
      line.replace('"facts":[', '"facts": ['),
      withStatuses([{ status: 'sent', at: 1 }, { preference: 'stop', via: 'user_preferences', wa_id: '1', at: 1 }]),
      withStatuses([{ inbound: ['STOP'], from: '1', at: 1 }]),
      line.replace('"provider":"meta"', '"provider":"pigeon"'),
      line.replace('"provider":"meta"', '"provider":"Meta"'),
      line.replace('"received_at":"2026-11-17T08:05:00.000Z"', '"received_at":"2026-11-17T24:05:00.000Z"'),
      line.replace('"received_at":"2026-11-17T08:05:00.000Z"', '"received_at":"2026-11-17T08:05:00Z"'),
      line.replace('"path":"/webhook"', '"path":"/web\\\rhook"'),
      line.replace('"path":"/webhook"', '"path":"/webhook","extra":1'),
      line.slice(0, -1),
    ];
    for (const other of others) {
      expect(other, other).not.toBe(line);
      const before = empty();
      scan(withStatuses([{ status: 'read', at: 2, id: 'kept' }]), before);
      const copy = structuredClone(before);
      expect(scan(other, before).count, other).toBe(-1);
      expect(before, other).toEqual(copy);
    }
  });

  it('where it reads a line, reads it as parseStoredFacts does (generated statuses, keys in any order; a property)', () => {
    const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('wamid.HBgL==', 'c-2-1', '"', '\\', ''));
    const fact = fc.record(
      {
        status: fc.constantFrom('queued', 'sent', 'delivered', 'read', 'failed', 'played'),
        at: fc.oneof(fc.integer({ min: 0, max: 2 ** 50 }), fc.double(), fc.constant(1795000000000)),
        id: text,
        cid: text,
        code: fc.oneof(fc.integer({ min: -2, max: 200000 }), fc.constant(1.5)),
      },
      { requiredKeys: [] },
    );
    const order = fc.shuffledSubarray(['status', 'at', 'id', 'cid', 'code'], { minLength: 0, maxLength: 5 });
    const line = fc.array(fc.tuple(fact, order), { maxLength: 3 }).map((facts) => withStatuses(facts.map(([f, keys]) => Object.fromEntries(keys.filter((k) => k in f).map((k) => [k, f[k as keyof typeof f]])))));
    let read = 0;
    fc.assert(
      fc.property(line, (l) => {
        const expected = viaParse(l);
        const { count, columns } = scan(l);
        if (count >= 0) {
          read++;
          expect(columns).toEqual(expected);
        }
      }),
      { seed: 20261207, numRuns: 400 },
    );
    // A good share of generated lines are well-formed statuses: the fast reading is what is tested.
    expect(read).toBeGreaterThan(60);
  });
});
