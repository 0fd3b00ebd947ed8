// The byte scanner's edges: every line it reads, it reads as parseStoredFacts does (the contract of
// scan-status-facts.ts); every line parseStoredFacts refuses, it refuses too (-1, the columns as they
// were), and so reconcile reads it the slow way; and it reads the lines `webhook` writes (the fast
// path is taken). The checks of the receive time, the tag and the path are the same as
// parseStoredFacts' pattern: there it reads a line exactly when parseStoredFacts does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelOfTag } from '../../src/providers/index.js';
import { familyCode } from '../../src/reconcile/family-code.js';
import { parseEventLine, parseStoredFacts } from '../../src/reconcile/parse-event.js';
import { StatusFactsScanner, type StatusColumns } from '../../src/reconcile/scan-status-facts.js';
import { withFacts } from '../../src/webhook/with-facts.js';
import { metaLine, twilioLine } from './events.js';
import { emptyColumns, placed as placedAfter, viaParse as viaParseWith } from './stored-facts.js';

const keywords = new Set(['STOP']);
const empty = emptyColumns;
const SEED = 20261207;

/**
 * Bytes a buffer may hold before a line that would read as a status fact, or as the end of the
 * facts, were the scanner to look before its span (a read buffer holds other lines): at index 0
 * the facts' opening, at 1 the end of the facts, at 1 a fact's `}` and then the end, at 2 the
 * facts' opening.
 */
const FACTS_OPEN = ',"facts":{"v":1,"facts":[';
const DECOYS = ['{"type":"event"}\n', `${FACTS_OPEN}{"status":"read","at":9}]},"raw":"{}"}\n`, 'X]},"raw":"{}"}\n', 'X}]},"raw":"{}"}\n', `XX${FACTS_OPEN}{"status":"read","at":9}]},"raw":"{}"}\n`];

/** The line's bytes in a buffer after `before` (a decoy, by default the first) and before another line. */
const placed = (line: string | Buffer, before = DECOYS[0]!) => placedAfter(line, before);
const viaParse = (line: string | Buffer) => viaParseWith(line, keywords);

/** A fresh scanner's reading of the line, appended after a status already in the columns. */
function scan(line: string | Buffer, before?: string): { count: number; columns: StatusColumns; kept: StatusColumns } {
  const scanner = new StatusFactsScanner();
  const columns = empty();
  const first = placed(withStatuses([{ status: 'delivered', at: 3, id: 'kept' }]));
  expect(scanner.scan(first.buffer, first.start, first.end, columns)).toBe(1);
  const kept = structuredClone(columns);
  const { buffer, start, end } = placed(line, before);
  const count = scanner.scan(buffer, start, end, columns);
  return { count, columns, kept };
}

/** The scanner reads the line, as parseStoredFacts does. */
function expectRead(line: string | Buffer): void {
  const expected = viaParse(line);
  expect(expected, String(line)).toBeInstanceOf(Object);
  expect(expected, String(line)).not.toBe('other');
  const { ids, cids, numbers } = expected as StatusColumns;
  const { count, columns, kept } = scan(line);
  expect(count, String(line)).toBe(ids.length);
  expect(columns, String(line)).toEqual({ ids: [...kept.ids, ...ids], cids: [...kept.cids, ...cids], numbers: [...kept.numbers, ...numbers] });
}

/** The scanner refuses the line (-1, the columns as they were), whatever bytes lie before it. */
function expectRefused(line: string | Buffer): void {
  for (const before of DECOYS) {
    const { count, columns, kept } = scan(line, before);
    expect(count, `${JSON.stringify(before)} ${String(line)}`).toBe(-1);
    expect(columns, String(line)).toEqual(kept);
  }
}

/** Where the scanner reads a line, it reads what parseStoredFacts reads (else it refuses it). */
function expectAgrees(line: string | Buffer): boolean {
  const { count, columns, kept } = scan(line);
  if (count < 0) {
    expect(columns, String(line)).toEqual(kept);
    return false;
  }
  const expected = viaParse(line);
  expect(expected, String(line)).toBeInstanceOf(Object);
  const { ids, cids, numbers } = expected as StatusColumns;
  expect(count, String(line)).toBe(ids.length);
  expect(columns, String(line)).toEqual({ ids: [...kept.ids, ...ids], cids: [...kept.cids, ...cids], numbers: [...kept.numbers, ...numbers] });
  return true;
}

const RECEIVED = '2026-11-17T08:05:00.000Z';
const head = (receivedAt = RECEIVED, provider = 'meta', path = '"/webhook"') => `{"type":"event","received_at":"${receivedAt}","provider":"${provider}","path":${path}`;
const withStatuses = (facts: unknown[], start = head()) => `${start},"facts":${JSON.stringify({ v: 1, facts })},"raw":"{}"}`;
/** A line with the facts' text as given. */
const withFactsText = (facts: string, start = head()) => `${start},"facts":{"v":1,"facts":[${facts}]},"raw":"{}"}`;
const stored = (line: string) => {
  const record = JSON.parse(line);
  return JSON.stringify(withFacts(channelOfTag(record.provider)!, record));
};
const SENT = '{"status":"sent","at":1}';

describe('StatusFactsScanner: the receive time, checked as parseStoredFacts checks it', () => {
  const bases = ['2029-12-31T23:59:59.999Z', '2000-01-01T00:00:00.000Z', '2026-09-30T19:09:10.050Z', '2026-10-19T20:49:50.500Z'];
  const chars = [...'0123456789', '-', ':', 'T', '.', 'Z', '/', ' ', 'a', 't'];

  it('reads the lines of every boundary time (months 01 to 12, days 01 to 31, 23:59:59, nines)', () => {
    for (const time of bases) expectRead(withStatuses([{ status: 'sent', at: 1, id: 'wamid.A' }], head(time)));
  });

  it('every one-character change of a time: the scanner reads the line exactly when parseStoredFacts does', () => {
    let read = 0;
    let refused = 0;
    for (const base of bases) {
      for (let k = 0; k < base.length; k++) {
        for (const c of chars) {
          const time = base.slice(0, k) + c + base.slice(k + 1);
          const line = withFactsText(SENT, head(time));
          if (viaParse(line) === undefined) {
            refused++;
            const { count } = scan(line);
            expect(count, time).toBe(-1);
          } else {
            read++;
            expectRead(line);
          }
        }
      }
    }
    // Both sides are exercised: changes that keep a valid time, and changes that break it.
    expect([read > 200, refused > 1000]).toEqual([true, true]);
  });

  it('refuses month 00 and 13, day 00 and 32, hour 24, minute and second 60, a letter for a digit, a wrong separator', () => {
    const times = [
      '2026-00-17T08:05:00.000Z',
      '2026-13-17T08:05:00.000Z',
      '2026-11-00T08:05:00.000Z',
      '2026-11-32T08:05:00.000Z',
      '2026-11-17T24:05:00.000Z',
      '2026-11-17T08:60:00.000Z',
      '2026-11-17T08:05:60.000Z',
      '2a26-11-17T08:05:00.000Z',
      '2026-11-17T08:05:00.00aZ',
      '2026/11-17T08:05:00.000Z',
      '2026-11-17 08:05:00.000Z',
      '2026-11-17T08:05:00.000z',
    ];
    for (const time of times) {
      const line = withFactsText(SENT, head(time));
      expect(viaParse(line), time).toBe(undefined);
      expectRefused(line);
    }
  });
});

describe('StatusFactsScanner: the provider tag', () => {
  it('reads each tag a channel writes, with its family', () => {
    for (const [tag, family] of [
      ['meta', 'meta'],
      ['unsigned', 'meta'],
      ['twilio', 'twilio'],
    ] as const) {
      const line = withFactsText(SENT, head(RECEIVED, tag));
      expectRead(line);
      expect(scan(line).columns.numbers.slice(6)).toEqual([1, 0, -1, 1, familyCode(family), 0]);
    }
  });

  it('refuses an empty tag, a tag no channel writes, and a known tag followed by anything but the path', () => {
    for (const provider of ['', 'mexa', 'meta2', 'meta_', 'Meta', 'meta-123456789X', 'meta-12345678X', 'twilio.x']) {
      // 'meta-123456789X': were the tag taken to end at '-', the path would be looked for 10 bytes on, where this line's facts begin.
      const line = provider.startsWith('meta-') ? withFactsText(SENT, `{"type":"event","received_at":"${RECEIVED}","provider":"${provider}"`) : withFactsText(SENT, head(RECEIVED, provider));
      expect(viaParse(line), provider).toBe(undefined);
      expect(parseEventLine(line, keywords), provider).toEqual({ ok: false, why: `unknown provider ${JSON.stringify(provider)}` });
      expectRefused(line);
    }
  });

  it('does not keep a tag it has seen as a view of the read buffer, which the reader refills (a bug, fixed)', () => {
    // The reader reuses its buffer for the next chunk: a line at the same offset whose tag is no
    // channel's was read with the family of the tag once there.
    const scanner = new StatusFactsScanner();
    const columns = empty();
    for (const [first, second] of [
      ['meta', 'mexa'],
      ['twilio', 'twixio'],
    ]) {
      const buffer = Buffer.from(withFactsText(SENT, head(RECEIVED, first)));
      expect(scanner.scan(buffer, 0, buffer.length, columns)).toBe(1);
      const before = structuredClone(columns);
      buffer.write(withFactsText(SENT, head(RECEIVED, second)));
      expect(scanner.scan(buffer, 0, buffer.length, columns)).toBe(-1);
      expect(columns).toEqual(before);
      const again = Buffer.from(withFactsText(SENT, head(RECEIVED, first)));
      expect(scanner.scan(again, 0, again.length, columns)).toBe(1);
    }
    expect(columns.numbers).toEqual([1, 0, -1, 1, familyCode('meta'), 0, 1, 0, -1, 1, familyCode('meta'), 0, 1, 0, -1, 1, familyCode('twilio'), 0, 1, 0, -1, 1, familyCode('twilio'), 0]);
  });
});

describe('StatusFactsScanner: the path, read as parseStoredFacts’ pattern reads it', () => {
  // JSON's string: a backslash only before " \\ / b f n r t or u and four hex digits; no raw control character.
  const readable = ['"/webhook"', '""', '"/a\\"b"', '"/a\\\\"', '"\\/\\u0041"', '"\\u00aF"', '"\\b\\f\\n\\r\\t"', '"\\/\u00a8"', '"\\\\\u2028"', '"/\u2028\u2029"', '"/\u007f"', '"/twilio/status?cid=c%201"'];
  const refused = ['"/\\q"', '"\\\u1028"', '"\\\u2028"', '"\\\u2029"', '"/a\\\nb"', '"/a\\\rb"', '"/a\\"', '"/webhook', '"/web\\\u2028"', '"/a\tb"', '"/a\u001fb"', '"/a\nb"', '"\\u12"', '"\\u12"}', '"\\u00g0"', '"\\U0041"', '"\\x41"'];

  it('reads a path with JSON\'s escapes, line terminators not after a backslash, bytes past ASCII', () => {
    for (const path of readable) expectRead(withFactsText(SENT, head(RECEIVED, 'meta', path)));
  });

  it('refuses an escape JSON has not, a raw control character, and a path that never closes', () => {
    for (const path of refused) {
      const line = withFactsText(SENT, head(RECEIVED, 'meta', path));
      expect(viaParse(line), path).toBe(undefined);
      expectRefused(line);
    }
    // No closing quote before the line's end.
    const open = `{"type":"event","received_at":"${RECEIVED}","provider":"meta","path":"/webhook}`;
    expect(viaParse(open)).toBe(undefined);
    expectRefused(open);
  });
});

describe('StatusFactsScanner: the facts', () => {
  it('reads ids with spaces and `~`, a 15-digit time, codes and times 0', () => {
    expectRead(withStatuses([{ status: 'failed', at: 0, id: 'wamid A~', cid: ' c ', code: 0 }]));
    expectRead(withStatuses([{ status: 'read', at: 123456789012345, id: '~' }]));
    expectRead(withStatuses([{ status: 'queued', at: 999999999999999, code: 5 }]));
    expect(scan(withStatuses([{ status: 'failed', at: 123456789012345, code: 131049 }])).columns.numbers.slice(6)).toEqual([0, 1, 131049, 123456789012345, 0, 0]);
  });

  it('refuses every malformed fact, whatever lies before the line', () => {
    const facts = [
      'X"status":"sent","at":1}',
      '1',
      '"x"',
      '[]',
      '{}',
      '{"status":"sent","at":1X',
      '{"status":"sent","at":1X,{"status":"read","at":2}',
      '{"status":"sent"X"at":1}',
      '{"status":"sent",,"at":1}',
      '{"status":"sent","at":1,}',
      '{"status":"sent","at":}',
      '{"status":"sent","at":01}',
      '{"status":"sent","zz":7}',
      '{"status":"sent","at":1,"zz":"y"}',
      '{"status":"sent","at":1,"cid":5ab"}',
      '{"status":"sent","at":1,"id":X"}',
      '{"status":"sent","at":1,"id":""}',
      '{"status":"sent","at":1,"id":"a\tb"}',
      '{"status":"sent","at":1,"id":"a\x1fb"}',
      '{"status":"sent","at":1,"id":"a}',
      '{"status":"seen","at":1}',
      '{"status":"","at":1}',
      '{"at":1}',
      '{"status":"sent"}',
      '{"status":"sent","at":1}X',
      '{"status":"sent","at":1},',
      '{"status":"sent","at":1}{"status":"read","at":2}',
    ];
    for (const fact of facts) {
      const line = withFactsText(fact);
      expect(viaParse(line), fact).toBe(undefined);
      expectRefused(line);
    }
    // Not the facts' opening, or their end, or nothing after them.
    for (const line of [withFactsText(SENT).replace(']},"raw"', '],"raw"'), withFactsText(SENT).replace('"raw":"{}"}', '"rawx":"{}"}')]) {
      expect(viaParse(line), line).toBe(undefined);
      expectRefused(line);
    }
  });

  it('refuses a line whose facts parseStoredFacts reads but it does not (a byte past ASCII or DEL or an escape in an id, a fraction, a negative code, an exponent, 16 digits, a key twice, a space); reconcile then reads them the slow way', () => {
    for (const fact of ['{"status":"sent","at":1,"id":"\x7f"}', '{"status":"sent","at":1,"id":"é"}', '{"status":"sent","at":1,"cid":"\\u0041"}', '{"status":"sent","at":1.5}', '{"status":"sent","at":1,"code":-1}', '{"status":"sent","at":1e3}', '{"status":"sent","at":1234567890123456}', '{"status":"sent","at":1,"at":2}', ' {"status":"sent","at":1}']) {
      const line = withFactsText(fact);
      expect(viaParse(line), fact).toBeInstanceOf(Object);
      expect(scan(line).count, fact).toBe(-1);
    }
  });
});

describe('StatusFactsScanner against parseStoredFacts on generated lines (seeded properties)', () => {
  const ascii = fc.string({ unit: fc.constantFrom(...'abcAZ09 .=~-_:/+'), minLength: 1, maxLength: 10 });
  const time = fc.date({ min: new Date('1970-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString());
  const metaStatus = fc.record({ id: ascii, status: fc.constantFrom('sent', 'delivered', 'read', 'failed'), cid: fc.option(ascii, { nil: undefined }), code: fc.option(fc.integer({ min: 0, max: 999999 }), { nil: undefined }), ts: fc.option(fc.integer({ min: 0, max: 9_999_999_999 }), { nil: undefined }) });
  const webhookLine = fc.oneof(
    fc.tuple(fc.array(metaStatus, { minLength: 1, maxLength: 3 }), time).map(([statuses, at]) => stored(metaLine(statuses, at))),
    fc.tuple(ascii, fc.constantFrom('queued', 'sent', 'delivered', 'read', 'failed', 'undelivered'), fc.option(ascii, { nil: undefined }), fc.option(fc.integer({ min: 1, max: 99999 }), { nil: undefined }), time).map(([sid, status, cid, code, at]) =>
      stored(twilioLine({ MessageSid: sid, MessageStatus: status, ...(code === undefined ? {} : { ErrorCode: String(code) }) }, cid, at)),
    ),
  );

  it('reads every status line the webhook writes, as parseStoredFacts does', () => {
    fc.assert(
      fc.property(webhookLine, (line) => {
        expectRead(line);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('any one byte of such a line changed, removed or doubled: where it still reads the line, it reads what parseStoredFacts reads', () => {
    const edit = fc.tuple(fc.nat(), fc.constantFrom('change', 'remove', 'double'), fc.constantFrom(...'{}[],:"\\0159aAzX- \t', '\u00e9', '\u2028'));
    let read = 0;
    let runs = 0;
    fc.assert(
      fc.property(webhookLine, fc.array(edit, { minLength: 1, maxLength: 2 }), (line, edits) => {
        let bytes = Buffer.from(line);
        for (const [at, kind, char] of edits) {
          const k = at % bytes.length;
          const c = Buffer.from(char);
          bytes = Buffer.concat([bytes.subarray(0, k), kind === 'remove' ? Buffer.alloc(0) : kind === 'double' ? bytes.subarray(k, k + 1) : c, bytes.subarray(kind === 'double' ? k : k + 1)]);
        }
        runs++;
        if (expectAgrees(bytes)) read++;
      }),
      { seed: SEED, numRuns: 3000 },
    );
    // Many edits keep a line it reads (a letter in an id, a digit of a time): both sides are exercised.
    expect([runs, read > 300, read < 2700]).toEqual([3000, true, true]);
  });

  it('every single-byte change of a status line, exhaustively: the same', () => {
    const lines = [withStatuses([{ status: 'failed', at: 7, id: 'wamid.A', cid: 'c', code: 131049 }, { cid: 'd', at: 12, status: 'read' }]), withFactsText(`{"id":"w","status":"delivered","at":5}`, head(RECEIVED, 'twilio', '"/twilio/status?cid=c"'))];
    const chars = [...'{}[],:"\\019azX -'];
    let read = 0;
    for (const line of lines) {
      for (let k = 0; k < line.length; k++) {
        for (const c of [...chars, '']) if (expectAgrees(line.slice(0, k) + c + line.slice(k + 1))) read++;
        if (expectAgrees(line.slice(0, k) + line[k] + line.slice(k))) read++;
      }
    }
    expect(read).toBeGreaterThan(100);
  });
});
