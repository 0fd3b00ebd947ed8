// parseEventLine's refusals, the default opt-out keywords, and parseStoredFacts' edges: it never
// gives an answer parseEventLine would not (its contract), it reads every line `webhook` writes
// (at any receive time), and it looks at no byte outside its span.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelOfTag } from '../../src/providers/index.js';
import { DEFAULT_OPT_OUT_KEYWORDS, normaliseKeyword, parseEventLine, parseStoredFacts } from '../../src/reconcile/parse-event.js';
import { withFacts } from '../../src/webhook/with-facts.js';
import { metaLine, metaValueLine, twilioLine } from './events.js';

const keywords = new Set(['STOP']);
const SEED = 20261207;
const RECEIVED = '2026-11-17T08:05:00.000Z';
const head = (receivedAt = RECEIVED) => `{"type":"event","received_at":"${receivedAt}","provider":"meta","path":"/webhook"`;
const withFactsLine = (facts: unknown[], start = head()) => `${start},"facts":${JSON.stringify({ v: 1, facts })},"raw":"{}"}`;
const stored = (line: string) => {
  const record = JSON.parse(line);
  return JSON.stringify(withFacts(channelOfTag(record.provider)!, record));
};

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** parseStoredFacts over the line where it lies in a read buffer, between other lines. */
function fast(line: string | Buffer, set: ReadonlySet<string> = keywords) {
  const bytes = typeof line === 'string' ? Buffer.from(line) : line;
  const buffer = Buffer.concat([Buffer.from('{"type":"event"}\n'), bytes, Buffer.from('\n,"raw":"{}"}')]);
  return parseStoredFacts(buffer, 17, 17 + bytes.length, set);
}

describe('parseEventLine', () => {
  it('refuses a line that is JSON but not an object (null, a number, a string, true)', () => {
    for (const line of ['null', '5', '"event"', 'true']) expect(parseEventLine(line, keywords), line).toEqual({ ok: false, why: 'not an event record written by `webhook`' });
    expect(parseEventLine('{"type":"event"', keywords)).toEqual({ ok: false, why: 'not JSON' });
  });

  it('reads a line without a path (the channel reads raw with the path empty)', () => {
    const record = JSON.parse(twilioLine({ MessageSid: 'SM1', MessageStatus: 'delivered' }));
    delete record.path;
    expect(parseEventLine(JSON.stringify(record), keywords)).toEqual({ ok: true, signals: [{ kind: 'status', family: 'twilio', messageId: 'SM1', cid: undefined, rank: 2, failed: false, code: -1, at: Date.parse(RECEIVED) }] });
  });
});

describe('DEFAULT_OPT_OUT_KEYWORDS', () => {
  const DEFAULTS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT OUT', 'STOP PROMOTIONS'];

  it('are the documented words', () => {
    expect(DEFAULT_OPT_OUT_KEYWORDS).toEqual(DEFAULTS);
  });

  it('each, as a whole reply in any case and spacing, opts its sender out; other replies do not', () => {
    const set = new Set(DEFAULT_OPT_OUT_KEYWORDS.map(normaliseKeyword));
    for (const word of DEFAULTS) {
      for (const text of [word, ` ${word.toLowerCase().replace(' ', '   ')} `]) {
        const line = stored(metaValueLine({ messages: [{ from: '447400123456', timestamp: '1795000000', type: 'text', text: { body: text } }] }));
        const expected = { ok: true, signals: [{ kind: 'preference', value: 'stop', via: 'keyword', waId: '447400123456', at: 1795000000000 }] };
        expect(parseEventLine(line, set), text).toEqual(expected);
        expect(fast(line, set), text).toEqual(expected);
      }
    }
    for (const text of ['', 'STOP IT', 'STOPPED', 'OPT', 'thanks']) {
      const line = withFactsLine([{ inbound: [text], from: '447400123456', at: 1 }]);
      expect(parseEventLine(line, set), text).toEqual({ ok: true, signals: [] });
    }
  });
});

describe('parseStoredFacts', () => {
  const sent = [{ status: 'sent', at: 1, id: 'wamid.A' }];

  it('reads the facts of lines at every month, the days and hours at their bounds, as parseEventLine does', () => {
    const times: string[] = [];
    for (let month = 1; month <= 12; month++) times.push(`2026-${String(month).padStart(2, '0')}-15T12:30:30.500Z`);
    for (const day of ['01', '05', '09', '10', '19', '20', '29', '30', '31']) times.push(`2026-10-${day}T08:05:00.000Z`);
    for (const hour of ['00', '05', '09', '10', '19', '20', '21', '22', '23']) times.push(`2026-10-15T${hour}:59:59.999Z`);
    for (const time of times) {
      const line = withFactsLine(sent, head(time));
      const expected = { ok: true, signals: [{ kind: 'status', family: 'meta', messageId: 'wamid.A', cid: undefined, rank: 1, failed: false, code: -1, at: 1 }] };
      expect(parseEventLine(line, keywords), time).toEqual(expected);
      expect(fast(line), time).toEqual(expected);
    }
  });

  it('does not read a line whose receive time is not one (month 00 or 13, day 00 or 32, hour 24, a letter); parseEventLine refuses it', () => {
    for (const time of ['2026-00-15T12:30:30.500Z', '2026-13-15T12:30:30.500Z', '2026-0a-15T12:30:30.500Z', '2026-10-00T08:05:00.000Z', '2026-10-32T08:05:00.000Z', '2026-10-3aT08:05:00.000Z', '2026-10-0aT08:05:00.000Z', '2026-10-15T24:05:00.000Z', '2026-10-15T2a:05:00.000Z']) {
      const line = withFactsLine(sent, head(time));
      expect(fast(line), time).toBe(undefined);
      expect(parseEventLine(line, keywords), time).toEqual({ ok: false, why: 'event without a valid received_at' });
    }
  });

  it('reads only the line’s own head: a webhook record nested inside another line is not it', () => {
    // The line's received_at is not a time; a key of the line holds a record as webhook writes
    // it. The text after that record's head, cut where the line's own head would end, is facts.
    const inner = `${head()},"facts":`;
    const tail = '{"v":1,"facts":[{"status":"sent","at":1}],"x":';
    const start = '{"type":"event","received_at":"bad","pad":"';
    const outer = `${start}${'x'.repeat(inner.length - start.length - '","y":'.length)}","y":${tail}`;
    expect(outer.length - tail.length).toBe(inner.length);
    const line = `${outer}${inner}{"v":1,"facts":[]}}},"raw":"{}"}`;
    expect(JSON.parse(line).y.x.provider).toBe('meta');
    expect(parseEventLine(line, keywords)).toEqual({ ok: false, why: 'event without a valid received_at' });
    expect(fast(line)).toBe(undefined);
  });

  it('gives undefined, reading nothing past the line, for a short line at the end of its buffer', () => {
    for (const line of ['{}', '{"type":"event","recei":"x"}', '{"type":"event","received_at":}', '{"type":"event","received_at":"x"}', '{"type":"event","received_at":"12"}']) {
      const buffer = Buffer.from(`${'x'.repeat(40)}\n${line}`);
      expect(parseStoredFacts(buffer, 41, buffer.length, keywords), line).toBe(undefined);
      expect(parseStoredFacts(Buffer.from(line), 0, line.length, keywords), line).toBe(undefined);
    }
  });

  it('gives undefined for a span that ends before the line’s raw (the raw after it not the span’s)', () => {
    const line = withFactsLine(sent);
    const buffer = Buffer.from(line);
    const raw = line.indexOf(',"raw":"');
    expect(fast(line)).toEqual({ ok: true, signals: [{ kind: 'status', family: 'meta', messageId: 'wamid.A', cid: undefined, rank: 1, failed: false, code: -1, at: 1 }] });
    expect(parseStoredFacts(buffer, 0, raw, keywords)).toBe(undefined);
    expect(parseEventLine(line.slice(0, raw), keywords)).toEqual({ ok: false, why: 'not JSON' });
    // The same facts alone on their line, the raw on the next (fast() puts `,"raw":"{}"}` there).
    expect(fast(line.slice(0, raw))).toBe(undefined);
  });

  it('gives undefined for facts that are not JSON, of another version, or not well-formed', () => {
    for (const facts of ['{"v":1,"facts":[}', '{"v":1,"facts":[{"status":"sent","at":1,"id":"a}]}', '{"v":2,"facts":[]}', '{"v":1,"facts":[{"status":"sent"}]}', '[]', 'null']) {
      const line = `${head()},"facts":${facts},"raw":"{}"}`;
      expect(fast(line), facts).toBe(undefined);
    }
  });
});

describe('parseStoredFacts against parseEventLine on generated lines (seeded properties)', () => {
  const text = fc.string({ unit: fc.constantFrom(...'abZ09 .=~-_"\\é\u2028'), minLength: 1, maxLength: 8 });
  const time = fc.date({ min: new Date('1970-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString());
  const webhookLine = fc.oneof(
    fc.tuple(fc.array(fc.record({ id: text, status: fc.constantFrom('sent', 'delivered', 'read', 'failed'), cid: fc.option(text, { nil: undefined }), code: fc.option(fc.integer({ min: 0, max: 999999 }), { nil: undefined }) }), { minLength: 1, maxLength: 3 }), time).map(([statuses, at]) => stored(metaLine(statuses, at))),
    fc.tuple(text, fc.constantFrom('sent', 'delivered', 'undelivered', 'failed'), fc.option(text, { nil: undefined }), time).map(([sid, status, cid, at]) => stored(twilioLine({ MessageSid: sid, MessageStatus: status }, cid, at))),
    fc.tuple(text, time).map(([body, at]) => stored(metaValueLine({ messages: [{ from: '447400123456', type: 'text', text: { body } }] }, at))),
  );

  it('reads every line the webhook writes, as parseEventLine does', () => {
    fc.assert(
      fc.property(webhookLine, (line) => {
        const read = fast(line);
        expect(read).toBeInstanceOf(Object);
        expect(read).toEqual(parseEventLine(line, keywords));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('any one or two bytes changed, removed or doubled: where it reads the line, it reads what parseEventLine reads', () => {
    const edit = fc.tuple(fc.nat(), fc.constantFrom('change', 'remove', 'double'), fc.constantFrom(...'{}[],:"\\019aqX- \t', 'é'));
    let read = 0;
    fc.assert(
      fc.property(webhookLine, fc.array(edit, { minLength: 1, maxLength: 2 }), (line, edits) => {
        // Edits before raw: parseStoredFacts does not look at raw (nor at what follows it).
        const before = Buffer.byteLength(line.slice(0, line.indexOf(',"raw":"')));
        let bytes = Buffer.from(line);
        for (const [at, kind, char] of edits) {
          const k = at % before;
          bytes = Buffer.concat([bytes.subarray(0, k), kind === 'remove' ? Buffer.alloc(0) : kind === 'double' ? bytes.subarray(k, k + 1) : Buffer.from(char), bytes.subarray(kind === 'double' ? k : k + 1)]);
        }
        const got = fast(bytes);
        const line2 = bytes.toString('utf8');
        if (got === undefined) return;
        read++;
        // What it reads is JSON (the path as JSON reads a string: no raw tab, no `\\q`).
        expect(isJson(line2)).toBe(true);
        expect(got).toEqual(parseEventLine(line2, keywords));
      }),
      { seed: SEED, numRuns: 2000 },
    );
    expect(read).toBeGreaterThan(200);
  });
});
