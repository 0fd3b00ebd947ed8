import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { channelOfTag } from '../../src/providers/index.js';
import { DEFAULT_OPT_OUT_KEYWORDS, parseEventLine, parseStoredFacts } from '../../src/reconcile/parse-event.js';
import { reconcileCampaign } from '../../src/reconcile/reconcile-campaign.js';
import { withFacts } from '../../src/webhook/with-facts.js';
import type { EventRecord } from '../../src/webhook/event-record.js';
import { tempDir } from '../helpers.js';
import { accepted, intent, jsonl, metaLine, metaValueLine, outcome, runRecord, twilioLine } from './events.js';

const T = 1795000000; // 2026-11-18T11:06:40Z, in Unix seconds as Meta sends them
const phone = (i: number) => `+4474${String(10_000_000 + i)}`;

/** A campaign with a recipient for every kind of callback reconcile reads, and an in-doubt attempt, a retry and a second attempt. */
const LEDGER: LedgerRecord[] = [runRecord()];
for (let i = 0; i < 24; i++) {
  LEDGER.push(intent(phone(i), `c${i}`, 1, { phone: phone(i), opt_in: 'yes', name: `N${i}`, '2024': 'x' }));
  if (i === 20 || i === 22) LEDGER.push(outcome(phone(i), `c${i}`, 'in_doubt', 'ETIMEDOUT'));
  else if (i === 21) LEDGER.push(outcome(phone(i), `c${i}`, 'retry', 'not_sent'));
  else LEDGER.push(accepted(phone(i), `c${i}`, `wamid.${i}`, i === 5 ? '5215512345678' : undefined));
}
LEDGER.push(intent(phone(3), 'c3-2', 2), accepted(phone(3), 'c3-2', 'wamid.3b'));
LEDGER.push(intent('+14155550123', 'ctw', 1, { phone: '+14155550123', opt_in: 'yes', name: 'Tw' }), accepted('+14155550123', 'ctw', 'SMtw'));

/** Callbacks as webhooks before stored facts wrote them (raw only). */
const OLD_LINES = [
  metaLine([{ id: 'wamid.0', status: 'sent', cid: 'c0' }, { id: 'wamid.0', status: 'read', cid: 'c0', ts: T }]),
  metaLine([{ id: 'wamid.1', status: 'delivered' }]),
  metaLine([{ id: 'wamid.2', status: 'failed', code: 131049, ts: T }]),
  metaLine([{ id: 'wamid.3', status: 'failed', code: 131026, ts: T }, { id: 'wamid.3b', status: 'failed', code: 130472, ts: T + 5 }]),
  metaLine([{ id: 'wamid.4', status: 'failed', code: 131050, ts: T }]),
  metaLine([{ id: 'wamid.6', status: 'failed', ts: T }]),
  metaLine([{ id: 'wamid.7', status: 'failed', code: 132015, ts: T }]),
  metaLine([{ id: 'wamid.8', status: 'failed', code: 131000, ts: T }]),
  metaLine([{ id: 'wamid.9', status: 'sent' }]),
  metaLine([{ id: 'wamid.x', status: 'delivered', cid: 'c20' }]),
  metaLine([{ id: 'wamid.other', status: 'read' }]),
  metaValueLine({ statuses: [{ id: 'wamid.10', status: 'played', timestamp: String(T) }, { id: 'wamid.11', status: 'deleted' }] }),
  metaValueLine({ user_preferences: [{ wa_id: '5215512345678', value: 'stop', category: 'marketing_messages', timestamp: String(T) }] }),
  metaValueLine({ user_preferences: [{ wa_id: phone(12).slice(1), value: 'stop', timestamp: String(T) }, { wa_id: phone(12).slice(1), value: 'resume', timestamp: String(T + 60) }] }),
  metaValueLine({ messages: [{ from: phone(13).slice(1), timestamp: String(T), type: 'text', text: { body: '  unsubscribe ' } }] }),
  metaValueLine({ messages: [{ from: phone(14).slice(1), timestamp: String(T), type: 'button', button: { text: 'Stop promotions', payload: 'p' } }] }),
  metaValueLine({ messages: [{ from: phone(15).slice(1), type: 'interactive', interactive: { button_reply: { id: 'OPTOUT', title: 'No more' } } }] }),
  metaValueLine({ messages: [{ from: phone(16).slice(1), type: 'text', text: { body: 'thanks!' } }] }),
  twilioLine({ MessageSid: 'SMtw', MessageStatus: 'undelivered', ErrorCode: '63049' }, 'ctw'),
  twilioLine({ MessageSid: 'SMnone', MessageStatus: 'sending' }),
  twilioLine({ From: `whatsapp:${phone(17)}`, Body: 'STOP', OptOutType: 'STOP' }),
  twilioLine({ From: `whatsapp:${phone(18)}`, Body: 'quit', MessageStatus: 'received' }),
  twilioLine({ From: `whatsapp:${phone(19)}`, Body: 'START', OptOutType: 'START' }),
  twilioLine({ MessageStatus: 'delivered' }),
  'not json',
  JSON.stringify({ type: 'event', received_at: '2026-11-17T08:05:00.000Z', provider: 'carrier-pigeon', path: '/webhook', raw: '{}' }),
  JSON.stringify({ type: 'event', received_at: '2026-11-17T08:05:00.000Z', provider: 'meta', path: '/webhook', raw: 'not json either' }),
];

/** A line as the webhook writes it now: its channel's facts beside raw (withFacts, the webhook's own). */
function withStoredFacts(line: string): string {
  let record: EventRecord;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  const channel = channelOfTag(record.provider);
  return channel ? JSON.stringify(withFacts(channel, record)) : line;
}

async function reconcileLines(lines: string[]) {
  const dir = await tempDir();
  await writeFile(path.join(dir, 'l.jsonl'), jsonl(LEDGER));
  await writeFile(path.join(dir, 'e.jsonl'), lines.join('\n') + '\n');
  const out = path.join(dir, 'out');
  const result = await reconcileCampaign({ ledgerFile: path.join(dir, 'l.jsonl'), eventFiles: [path.join(dir, 'e.jsonl')], outDir: out, now: Date.parse('2026-12-20T00:00:00Z'), optOutKeywords: DEFAULT_OPT_OUT_KEYWORDS });
  const files: Record<string, string> = {};
  for (const name of (await readdir(out)).sort()) files[name] = await readFile(path.join(out, name), 'utf8');
  const { files: _paths, unknown, ...rest } = result;
  return { files, unknown: unknown.map(({ line, why }) => ({ line, why })), ...rest };
}

const NEW_LINES = OLD_LINES.map(withStoredFacts);

describe('events with stored facts (webhook) and without (files written before them)', () => {
  it('reconcile to the same lists, byte for byte, with the same counts and the same lines not understood', async () => {
    // Every line the channels understand carries facts; the three they do not are stored as they were.
    expect(NEW_LINES.filter((line) => line.includes('"facts":{"v":1,')).length).toBe(OLD_LINES.length - 4);
    const old = await reconcileLines(OLD_LINES);
    const now = await reconcileLines(NEW_LINES);
    expect(now).toEqual(old);
    // The corpus reaches every list and both kinds of line not understood.
    expect(Object.values(old.summary.lists).every((count) => count > 0)).toBe(true);
    expect(old.summary.states.read + old.summary.states.delivered).toBeGreaterThan(0);
    expect(old.unknown.map((u) => u.why)).toEqual(['a Twilio form without MessageSid and MessageStatus', 'not JSON', 'unknown provider "carrier-pigeon"', 'payload is not JSON']);
  });

  it('are read from the facts, not from raw: a line whose raw says nothing gives the same lists', async () => {
    const blank = (line: string) => (line.includes('"facts":{"v":1,') ? JSON.stringify({ ...JSON.parse(line), raw: '{}' }) : line);
    const old = await reconcileLines(OLD_LINES);
    expect(await reconcileLines(NEW_LINES.map(blank))).toEqual(old);
    // In another key order (facts after raw) the fast reading gives way to JSON.parse, which uses the facts too.
    const reordered = (line: string) => {
      if (!line.includes('"facts":{"v":1,')) return line;
      const { facts, ...rest } = JSON.parse(blank(line));
      return JSON.stringify({ ...rest, facts });
    };
    expect(await reconcileLines(NEW_LINES.map(reordered))).toEqual(old);
  });

  it('facts of another version, or malformed, are not trusted: raw is read', async () => {
    const old = await reconcileLines(OLD_LINES);
    // Facts that would say every message was read, if they were believed.
    const lying = (v: unknown, fact: unknown) => (line: string) => {
      if (!line.includes('"facts":{"v":1,')) return line;
      const { type, received_at, provider, path: at, raw } = JSON.parse(line);
      return JSON.stringify({ type, received_at, provider, path: at, facts: { v, facts: [fact] }, raw });
    };
    const read = { status: 'read', id: 'wamid.2', at: 1 };
    for (const [v, fact] of [
      [2, read],
      ['1', read],
      [1, { ...read, status: 'seen' }],
      [1, { ...read, id: 7 }],
      [1, { ...read, id: '' }],
      [1, { ...read, at: '1' }],
      [1, { ...read, extra: true }],
      [1, { preference: 'stop', via: 'keyword', wa_id: '1', at: 1 }],
      [1, { inbound: 'STOP', from: '1', at: 1 }],
    ] as const) {
      expect(await reconcileLines(NEW_LINES.map(lying(v, fact))), JSON.stringify([v, fact])).toEqual(old);
    }
    // And believed when well-formed: the check is not what makes the lists equal.
    expect((await reconcileLines(NEW_LINES.map(lying(1, read)))).summary).not.toEqual(old.summary);
  });
});

describe('parseStoredFacts: the fast reading of a line as webhook writes it', () => {
  const keywords = new Set(['STOP']);
  const bytes = (line: string) => Buffer.from(`junk\n${line}\nmore`);
  const read = (line: string) => parseStoredFacts(bytes(line), 5, 5 + Buffer.byteLength(line), keywords);

  it('reads the facts before raw, as JSON.parse of the whole line would', () => {
    for (const line of NEW_LINES.filter((l) => l.includes('"facts":{"v":1,'))) {
      expect(read(line), line).toEqual(parseEventLine(line, keywords));
    }
  });

  it('gives way (undefined) for any line not exactly so, which parseEventLine then reads', () => {
    const line = NEW_LINES[0]!;
    for (const other of [
      OLD_LINES[0]!,
      line.replace('"facts":{"v":1,', '"facts":{"v":2,'),
      line.replace('{"type":"event","received_at"', '{"received_at"'),
      line.replace('"received_at":"2026-11-17T08:05:00.000Z"', '"received_at":"2026-11-17 08:05"'),
      line.replace('"provider":"meta"', '"provider":"pigeon"'),
      (() => {
        const { facts, ...rest } = JSON.parse(line);
        return JSON.stringify({ ...rest, facts });
      })(),
      line.replace('"path":"/webhook"', '"path":"/webhook","extra":1'),
      line.slice(0, -1),
    ]) {
      expect(other).not.toBe(line);
      expect(read(other), other).toBeUndefined();
    }
  });
});
