import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { recordingServer } from '../recording-server.js';
import { accepted, intent, jsonl, metaLine, outcome, runRecord } from '../reconcile/events.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';

const PHONES = ['+447400123451', '+447400123452', '+447400123453', '+447400123454'];
const CSV = `phone,opt_in,name\n${PHONES.map((p, i) => `${p},yes,N${i}`).join('\n')}\n`;
const SAME = { status: 200, body: JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: '+1', wa_id: '1' }], messages: [{ id: 'wamid.SAME' }] }) };

const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A provider (on loopback, port 0) that answers every request with the same message id. */
async function hostileCampaign() {
  const server = await recordingServer(Array.from({ length: 10 }, () => SAME));
  servers.push(server);
  const dir = await fixture({ 'c.csv': CSV, 'c.yaml': SPEC });
  const ledger = path.join(dir, 'c.ledger.jsonl');
  const env = { WA_API_URL: server.url, WA_TOKEN: 'token-SECRET', WA_PHONE_NUMBER_ID: '1' };
  const send = (...extra: string[]) => run(['send', path.join(dir, 'c.csv'), '--template', path.join(dir, 'c.yaml'), '--ledger', ledger, '--yes', '--mps', '500', '--concurrency', '1', ...extra], env, dir);
  return { dir, ledger, server, send };
}

describe('send: a provider that returns the same message id for every recipient', () => {
  it('accepts the first, records the others as in doubt (duplicate_message_id) with a warning, and reconcile gives that id’s events to no one', async () => {
    const { dir, ledger, server, send } = await hostileCampaign();
    const result = await send('--json');
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(4);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 1, in_doubt: 3, duplicate_message_ids: 3, errors: { duplicate_message_id: 3 } });
    expect(result.stderr).toContain('! 3 answers repeated a message id the provider had already returned for another recipient: recorded as in doubt (duplicate_message_id)');
    const outcomes = (await readFile(ledger, 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'outcome');
    expect(outcomes.map((r) => [r.phone, r.outcome, r.code])).toEqual([
      [PHONES[0], 'accepted', undefined],
      [PHONES[1], 'in_doubt', 'duplicate_message_id'],
      [PHONES[2], 'in_doubt', 'duplicate_message_id'],
      [PHONES[3], 'in_doubt', 'duplicate_message_id'],
    ]);

    // Resuming sends none of them again.
    const again = await send('--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ accepted: 0, skipped: 1, skipped_in_doubt: 3 });
    expect(server.requests).toHaveLength(4);

    // A "read" for that id could be anyone's: it goes to no one.
    await writeFile(path.join(dir, 'e.jsonl'), `${metaLine([{ id: 'wamid.SAME', status: 'read' }])}\n`);
    const reconciled = await run(['reconcile', '--ledger', ledger, '--events', path.join(dir, 'e.jsonl'), '--out', path.join(dir, 'lists'), '--json']);
    expect(reconciled.code).toBe(0);
    const summary = JSON.parse(reconciled.stdout);
    expect(summary).toMatchObject({ states: { read: 0, sent: 1, in_doubt: 3 }, duplicate_message_ids: 1, events: { matched: 0, ambiguous: 1 } });
    expect(await readFile(path.join(dir, 'lists', 'in-doubt.csv'), 'utf8')).toMatch(new RegExp(`^phone,.*\\n${PHONES.slice(1).map((p) => `\\${p},[^\\n]*,duplicate_message_id,1\\n`).join('')}$`));
  });

  it('stops (exit 3) after --max-consecutive-failures such answers in a row, saying why', async () => {
    const { server, send } = await hostileCampaign();
    const result = await send('--max-consecutive-failures', '2');
    expect(result.code).toBe(3);
    expect(server.requests).toHaveLength(3);
    expect(result.stderr).toMatch(/wa-broadcast: stopped: 2 success answers in a row could not be used .*\(duplicate_message_id\): the provider, or a proxy in front of it, is answering wrongly/);
    expect(result.stderr).not.toContain('token-SECRET');
  });

  it('notices an id returned in an earlier run of the ledger for another recipient', async () => {
    const first = await recordingServer([{ status: 200, body: JSON.stringify({ messages: [{ id: 'wamid.FIRST' }] }) }]);
    servers.push(first);
    const dir = await fixture({ 'one.csv': `phone,opt_in,name\n${PHONES[0]},yes,N0\n`, 'c.csv': CSV, 'c.yaml': SPEC });
    const ledger = path.join(dir, 'c.ledger.jsonl');
    const send = (csv: string, url: string, ...extra: string[]) =>
      run(['send', path.join(dir, csv), '--template', path.join(dir, 'c.yaml'), '--ledger', ledger, '--yes', '--concurrency', '1', '--json', ...extra], { WA_API_URL: url, WA_TOKEN: 'token', WA_PHONE_NUMBER_ID: '1' }, dir);
    expect(JSON.parse((await send('one.csv', first.url)).stdout)).toMatchObject({ accepted: 1 });
    // The next run (the whole list, on the same ledger) is answered with the first run's id for the next recipient.
    const next = await recordingServer([{ status: 200, body: JSON.stringify({ messages: [{ id: 'wamid.FIRST' }] }) }, ...['R1', 'R2'].map((id) => ({ status: 200, body: JSON.stringify({ messages: [{ id: `wamid.${id}` }] }) }))]);
    servers.push(next);
    const result = await send('c.csv', next.url, '--allow-changed-inputs');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 2, in_doubt: 1, skipped: 1, duplicate_message_ids: 1 });
    expect(next.unused()).toEqual([]);
  });
});

describe('reconcile: a ledger (written before send checked) with one message id for two recipients', () => {
  it('applies that id’s events to neither, decides both as if no event matched, and says so', async () => {
    const row = (phone: string, name: string) => ({ phone, opt_in: 'yes', name });
    const ledger = [
      runRecord(),
      intent('+447400123451', 'c1', 1, row('+447400123451', 'Ana')),
      accepted('+447400123451', 'c1', 'wamid.SAME'),
      intent('+447400123452', 'c2', 1, row('+447400123452', 'Ben')),
      accepted('+447400123452', 'c2', 'wamid.SAME'),
      intent('+447400123453', 'c3', 1, row('+447400123453', 'Cy')),
      accepted('+447400123453', 'c3', 'wamid.C'),
      intent('+447400123454', 'c4', 1, row('+447400123454', 'Di')),
      outcome('+447400123454', 'c4', 'in_doubt', 'ETIMEDOUT'),
    ];
    const events = [
      // Today: Ben would be put on sms-fallback.csv for a failure that may have been Ana's.
      metaLine([{ id: 'wamid.SAME', status: 'failed', code: 131026 }]),
      metaLine([{ id: 'wamid.SAME', status: 'delivered' }]),
      metaLine([{ id: 'wamid.C', status: 'read' }]),
      // An event naming the ambiguous id with our correlation id of an attempt in doubt still counts for it.
      metaLine([{ id: 'wamid.SAME', status: 'read', cid: 'c4' }]),
    ];
    const dir = await fixture({ 'l.jsonl': jsonl(ledger), 'e.jsonl': `${events.join('\n')}\n` });
    const result = await run(['reconcile', '--ledger', path.join(dir, 'l.jsonl'), '--events', path.join(dir, 'e.jsonl'), '--out', path.join(dir, 'lists'), '--now', '2026-11-18T00:00:00Z', '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ states: { sent: 2, read: 2, sms_fallback: 0, delivered: 0 }, duplicate_message_ids: 1, events: { matched: 2, ambiguous: 2, unmatched: 0 } });
    expect(await readFile(path.join(dir, 'lists', 'sms-fallback.csv'), 'utf8')).toBe('phone,name,reason,error_code,attempts\n');
    expect(result.stderr).toContain('! 1 message id was given to more than one recipient');
    const summary = JSON.parse(await readFile(path.join(dir, 'lists', 'summary.json'), 'utf8'));
    expect(summary.duplicate_message_ids).toBe(1);
  });
});
