import { open, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { accepted, intent, jsonl, metaLine, runRecord } from '../reconcile/events.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';

const CSV = 'phone,opt_in,name\n+447400123456,yes,Ana\n+447400123457,yes,Ben\n';
// Never reached: every case fails while reading the ledger, before any request.
const ENV = { WA_TOKEN: 'token', WA_PHONE_NUMBER_ID: '1', WA_API_URL: 'http://127.0.0.1:9' };

const good = [
  runRecord(),
  intent('+447400123456', 'r1-2-1', 1, { phone: '+447400123456', opt_in: 'yes', name: 'Ana' }),
  accepted('+447400123456', 'r1-2-1', 'wamid.A'),
];
const after = jsonl([intent('+447400123457', 'r1-3-1', 1, { phone: '+447400123457', opt_in: 'yes', name: 'Ben' })]);

/** A ledger whose line 4 is `bad` (a complete line, in the middle), the rest as send writes it. */
async function campaignWith(bad: string) {
  const dir = await fixture({ 'c.csv': CSV, 'c.yaml': SPEC, 'c.ledger.jsonl': `${jsonl(good)}${bad}\n${after}`, 'e.jsonl': `${metaLine([{ id: 'wamid.A', status: 'read' }])}\n` });
  const ledger = path.join(dir, 'c.ledger.jsonl');
  return {
    dir,
    ledger,
    send: () => run(['send', path.join(dir, 'c.csv'), '--template', path.join(dir, 'c.yaml'), '--ledger', ledger, '--yes'], ENV, dir),
    reconcile: () => run(['reconcile', '--ledger', ledger, '--events', path.join(dir, 'e.jsonl'), '--out', path.join(dir, 'lists'), '--now', '2026-11-20T00:00:00Z']),
  };
}

const intentOf = (fields: Record<string, unknown>) => JSON.stringify({ type: 'intent', at: '2026-11-17T08:00:02.000Z', cid: 'r1-9-1', phone: '+447400123458', line: 9, attempt: 1, ...fields });
const outcomeOf = (fields: Record<string, unknown>) => JSON.stringify({ type: 'outcome', at: '2026-11-17T08:00:02.000Z', cid: 'r1-2-1', phone: '+447400123456', outcome: 'accepted', message_id: 'wamid.B', ...fields });

describe('a ledger line of the wrong shape is exit 2 naming file:line, for send and reconcile alike', () => {
  it.each([
    ['fields missing', '{"type":"intent"}', 'intent record without "at"'],
    ['no phone', intentOf({ phone: undefined }), 'intent record without "phone"'],
    ['a numeric phone', intentOf({ phone: 447400123458 }), 'intent record\'s "phone" is the number 447400123458, not a +E.164 number as a string'],
    ['a time that is not a date', intentOf({ at: 'not a date' }), 'intent record\'s "at" is "not a date", not an ISO-8601 time'],
    ['attempt 0', intentOf({ attempt: 0 }), 'intent record\'s "attempt" is the number 0, not a positive integer'],
    ['attempt "2"', intentOf({ attempt: '2' }), 'intent record\'s "attempt" is "2", not a positive integer'],
    ['an unknown outcome', outcomeOf({ outcome: 'delivered' }), 'outcome record\'s "outcome" is "delivered", not one of accepted, failed, in_doubt, retry'],
    ['a run of an unknown provider', JSON.stringify({ ...runRecord(), provider: 'pigeon' }), 'run record\'s "provider" is "pigeon", not one of cloud, 360dialog, twilio'],
  ])('%s', async (_, bad, problem) => {
    const { dir, ledger, send, reconcile } = await campaignWith(bad);
    const expected = `wa-broadcast: ${ledger}:4: corrupt ledger line: ${problem}; the ledger was edited or damaged: restore it from a backup\n`;
    const sent = await send();
    expect([sent.code, sent.stderr]).toEqual([2, expected]);
    const reconciled = await reconcile();
    expect([reconciled.code, reconciled.stderr]).toEqual([2, expected]);
    expect(await readdir(dir)).not.toContain('lists'); // nothing written
  });

  it('a torn last line of any shape is still what a crash leaves: tolerated', async () => {
    const dir = await fixture({ 'l.jsonl': `${jsonl(good)}{"type":"intent"}`, 'e.jsonl': '' });
    const result = await run(['reconcile', '--ledger', path.join(dir, 'l.jsonl'), '--events', path.join(dir, 'e.jsonl'), '--out', path.join(dir, 'lists'), '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ recipients: 1 });
  });

  it('a tail of zeros (a disk that lost confirmed data) is refused by send and reconcile, saying where to cut', async () => {
    const { ledger, send, reconcile } = await campaignWith('');
    const keep = Buffer.byteLength(jsonl(good));
    await writeFile(ledger, Buffer.concat([Buffer.from(jsonl(good)), Buffer.alloc(4096)]));
    const expected = `wa-broadcast: ${ledger}: ends in 4096 bytes of zeros after its last complete line (byte ${keep}): the disk lost data it had confirmed as written, so attempts recorded there are unknown and resuming could message those people twice. Check the disk; to go on anyway (those sends may be repeated), cut the file there: truncate -s ${keep} ${ledger}\n`;
    const sent = await send();
    expect([sent.code, sent.stderr]).toEqual([2, expected]);
    const reconciled = await reconcile();
    expect([reconciled.code, reconciled.stderr]).toEqual([2, expected]);
  });

  it('a 600 MB line is an error at that line, found after reading no more than the cap of it', async () => {
    const { ledger, send, reconcile } = await campaignWith('');
    // Line 4 becomes 600 MB of zero bytes (a sparse file: no disk used). Reading it whole would
    // need 600 MB; the message says the reader stopped at its cap.
    const start = Buffer.byteLength(jsonl(good));
    await writeFile(ledger, jsonl(good));
    const handle = await open(ledger, 'r+');
    const length = 600 * 1024 * 1024;
    await handle.truncate(start + length);
    await handle.write(`\n${after}`, start + length);
    await handle.close();
    const expected = `wa-broadcast: ${ledger}:4: corrupt ledger line: longer than 4 MiB, which no line send writes is; the ledger was edited or damaged: restore it from a backup\n`;
    const sent = await send();
    expect([sent.code, sent.stderr]).toEqual([2, expected]);
    const reconciled = await reconcile();
    expect([reconciled.code, reconciled.stderr]).toEqual([2, expected]);
  });
});

describe('an events line over the cap', () => {
  it('is counted and named as a line not understood, without being read whole, and the lines after it count', async () => {
    const dir = await fixture({
      'l.jsonl': jsonl(good),
      'e.jsonl': `${metaLine([{ id: 'wamid.A', status: 'delivered' }])}\n{"type":"event","raw":"${'x'.repeat(5 * 1024 * 1024)}"}\n${metaLine([{ id: 'wamid.A', status: 'read' }])}\n`,
    });
    const events = path.join(dir, 'e.jsonl');
    const result = await run(['reconcile', '--ledger', path.join(dir, 'l.jsonl'), '--events', events, '--out', path.join(dir, 'lists'), '--json', '--now', '2026-11-20T00:00:00Z']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.events).toMatchObject({ lines: 3, matched: 2, unknown: 1 });
    expect(json.unknown_events).toEqual([{ file: events, line: 2, why: 'a line longer than 4 MiB (not read)' }]);
    expect(json.states).toMatchObject({ read: 1 });
  });
});
