import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { SUMMARY_FILE } from '../../src/reconcile/reconcile-campaign.js';
import { RECONCILE_LISTS } from '../../src/reconcile/reconcile-lists.js';
import { fixture, run } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';
import { accepted, intent, jsonl, metaLine, metaValueLine, outcome, runRecord, twilioLine } from '../reconcile/events.js';

const row = (phone: string, name: string, extra: Record<string, string> = {}) => ({ phone, opt_in: 'yes', name, ...extra });

/** A campaign in every state reconcile knows, as send and webhook would have written it. */
const LEDGER: (LedgerRecord | string)[] = [
  runRecord(),
  intent('+447400123456', 'c1', 1, row('+447400123456', 'Ana')),
  accepted('+447400123456', 'c1', 'wamid.1'),
  intent('+5511912345678', 'c2', 1, row('+55 11 91234-5678', 'João', { discount: '-20%' })),
  accepted('+5511912345678', 'c2', 'wamid.2'),
  intent('+33612345678', 'c3', 1, row('06 12 34 56 78', '=HYPERLINK("http://x")')),
  accepted('+33612345678', 'c3', 'wamid.3'),
  intent('+919876543210', 'c4', 1, row('+91 98765 43210', 'Priya')),
  accepted('+919876543210', 'c4', 'wamid.4'),
  intent('+306912345678', 'c5', 1, row('+30 691 234 5678', 'Nikos')),
  outcome('+306912345678', 'c5', 'in_doubt', 'ETIMEDOUT'),
  intent('+4915123456789', 'c6', 1, row('+49 151 23456789', 'Jürgen')),
  accepted('+4915123456789', 'c6', 'wamid.6'),
];
const T_FAIL = 1795000000; // 2026-11-18T11:06:40Z
const EVENTS = [
  metaLine([{ id: 'wamid.1', status: 'sent', cid: 'c1' }]),
  metaLine([{ id: 'wamid.1', status: 'read', cid: 'c1' }]),
  metaLine([{ id: 'wamid.2', status: 'failed', cid: 'c2', code: 131049, ts: T_FAIL }]),
  metaLine([{ id: 'wamid.3', status: 'failed', cid: 'c3', code: 131026, ts: T_FAIL }]),
  metaLine([{ id: 'wamid.4', status: 'delivered', cid: 'c4' }]),
  metaValueLine({ messages: [{ from: '919876543210', id: 'wamid.in', timestamp: String(T_FAIL), type: 'text', text: { body: 'STOP' } }] }),
  metaLine([{ id: 'wamid.6', status: 'sent', cid: 'c6' }]),
  twilioLine({ MessageSid: 'SMother', MessageStatus: 'delivered' }, 'elsewhere'),
];

async function campaign(events = EVENTS, ledger = LEDGER) {
  const dir = await fixture({ 'campaign.ledger.jsonl': jsonl(ledger), 'events.jsonl': events.join('\n') + '\n' });
  const reconcile = (now: string, ...extra: string[]) =>
    run(['reconcile', '--ledger', path.join(dir, 'campaign.ledger.jsonl'), '--events', path.join(dir, 'events.jsonl'), '--out', path.join(dir, 'lists'), '--now', now, ...extra]);
  const list = (name: string) => readFile(path.join(dir, 'lists', name), 'utf8');
  return { dir, reconcile, list };
}

describe('reconcile', () => {
  it('without --now applies the rules at the clock’s time (the injected one, not the machine’s)', async () => {
    const { dir } = await campaign();
    const clock = new ManualClock();
    await clock.advance(36 * 3600_000); // 2026-11-25T12:00:00Z
    const result = await run(['reconcile', '--ledger', path.join(dir, 'campaign.ledger.jsonl'), '--events', path.join(dir, 'events.jsonl'), '--out', path.join(dir, 'lists'), '--json'], {}, dir, { clock });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).now).toBe('2026-11-25T12:00:00.000Z');
    expect(result.stderr).toBe(''); // --json: stderr holds only warnings (reconcile-json.test.ts)
  });

  it('writes each list as SPEC fixes it: phone first as +E.164, the original variables, formula-safe cells, owner-only files', async () => {
    const { dir, reconcile, list } = await campaign();
    const result = await reconcile('2026-11-19T12:00:00Z');
    expect(result.code).toBe(0);
    expect(await list('retry.csv')).toBe(
      'phone,opt_in,name,discount,reason,error_code,attempts,due_at\n' + "+5511912345678,yes,João,'-20%,per_user_limit,131049,1,2026-11-19T11:06:40.000Z\n",
    );
    expect(await list('sms-fallback.csv')).toBe('phone,name,discount,reason,error_code,attempts\n' + `+33612345678,"'=HYPERLINK(""http://x"")",,not_on_whatsapp,131026,1\n`);
    expect(await list('suppress.csv')).toBe('phone,reason,error_code\n+919876543210,keyword,\n');
    expect(await list('in-doubt.csv')).toBe('phone,correlation_id,attempted_at,error_code,attempts\n+306912345678,c5,2026-11-17T08:00:01.000Z,ETIMEDOUT,1\n');
    const summary = JSON.parse(await list('summary.json'));
    expect(summary).toEqual({
      now: '2026-11-19T12:00:00.000Z',
      recipients: 6,
      // The marketer's funnel: Nikos is in doubt (not accepted); João and the French number were
      // accepted, then failed in a callback; Ana read, Priya delivered.
      funnel: {
        accepted: { count: 5, percent: 83.3 },
        delivered: { count: 2, percent: 33.3 },
        read: { count: 1, percent: 16.7 },
        failed: { count: 2, percent: 33.3, by_code: { '131026': 1, '131049': 1 } },
      },
      deliveries_visible: true,
      states: { read: 1, delivered: 0, sent: 1, waiting_retry: 0, retry: 1, sms_fallback: 1, suppressed: 1, in_doubt: 1, failed: 0 },
      lists: { 'retry.csv': 1, 'sms-fallback.csv': 1, 'suppress.csv': 1, 'in-doubt.csv': 1, 'failed.csv': 0 },
      reasons: { in_doubt: 1, keyword: 1, not_on_whatsapp: 1, per_user_limit: 1 },
      errors: { '131026': 1, '131049': 1, ETIMEDOUT: 1 },
      next_retry_at: null,
      duplicate_message_ids: 0,
    });
    for (const name of await readdir(path.join(dir, 'lists'))) expect((await stat(path.join(dir, 'lists', name))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'lists'))).mode & 0o777).toBe(0o700);
    expect(result.stderr).toMatch(/6 recipients in the ledger/);
    expect(result.stderr).toMatch(/retry\.csv\s+│\s+1/);
    expect(result.stderr).toMatch(/accepted\s+│\s+5\s+│\s+83\.3 %/);
    expect(result.stderr).toMatch(/read\s+│\s+1\s+│\s+16\.7 %/);
    expect(result.stderr).toMatch(/failed with 131049\s+│\s+1/);
    expect(result.stderr).not.toMatch(/no status events matched/);
    expect(result.stdout).toBe('');
  });

  it('without any events for the campaign (a Twilio send without a status callback), says so and declares nobody ttl_expired a month later', async () => {
    const ledger = [runRecord({ provider: 'twilio' }), intent('+447400123456', 'c1', 1, row('+447400123456', 'Ana')), accepted('+447400123456', 'c1', 'SM1')];
    const other = [twilioLine({ MessageSid: 'SMother', MessageStatus: 'delivered' }, 'elsewhere')];
    const { reconcile, list } = await campaign(other, ledger);
    const result = await reconcile('2026-12-30T00:00:00Z', '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ deliveries_visible: false, states: { sent: 1, sms_fallback: 0 }, funnel: { accepted: { count: 1, percent: 100 }, delivered: { count: 0 } } });
    expect(await list('sms-fallback.csv')).toBe('phone,name,reason,error_code,attempts\n');
    expect(result.stderr).toMatch(/no status events matched this campaign: reconcile cannot see deliveries, so nobody is declared ttl_expired/);
    // With one event for the campaign, deliveries can be seen: the undelivered one is ttl_expired.
    const seen = await campaign([twilioLine({ MessageSid: 'SM1', MessageStatus: 'sent' })], ledger);
    await seen.reconcile('2026-12-30T00:00:00Z');
    expect(await seen.list('sms-fallback.csv')).toContain('+447400123456,Ana,ttl_expired,,1\n');
  });

  it('waits out the 24 h of 131049 and names the next due time; a month later sends the undelivered to SMS', async () => {
    const { reconcile, list } = await campaign();
    const early = await reconcile('2026-11-18T12:00:00Z', '--json');
    const json = JSON.parse(early.stdout);
    expect(json).toMatchObject({ states: { waiting_retry: 1, retry: 0, sent: 1 }, next_retry_at: '2026-11-19T11:06:40.000Z', events: { files: 1, lines: 8, unknown: 0, unmatched: 1 } });
    expect(json.files).toMatchObject({ retry: expect.stringMatching(/lists.retry\.csv$/), summary: expect.stringMatching(/summary\.json$/) });
    // Not due yet, but listed with its due time (send skips it until then): in exactly one list.
    expect(await list('retry.csv')).toBe("phone,opt_in,name,discount,reason,error_code,attempts,due_at\n+5511912345678,yes,João,'-20%,per_user_limit,131049,1,2026-11-19T11:06:40.000Z\n");
    await reconcile('2026-12-20T00:00:00Z');
    expect(await list('sms-fallback.csv')).toContain('+4915123456789,Jürgen,,ttl_expired,,1\n');
    // Past the 30-day TTL counted from the first attempt, 131049 is not retried either.
    expect(await list('sms-fallback.csv')).toContain('+5511912345678,João,\'-20%,retries_exhausted,131049,1\n');
  });

  it('gives byte-identical outputs for the events duplicated and shuffled', async () => {
    const a = await campaign();
    const shuffledEvents = [...EVENTS, ...EVENTS.slice(2), ...EVENTS].reverse();
    const b = await campaign(shuffledEvents);
    expect((await a.reconcile('2026-11-19T12:00:00Z')).code).toBe(0);
    expect((await b.reconcile('2026-11-19T12:00:00Z')).code).toBe(0);
    for (const name of [...RECONCILE_LISTS.map((list) => list.file), SUMMARY_FILE]) expect(await b.list(name)).toBe(await a.list(name));
  });

  it('reads a ledger with a torn last line; names a corrupt middle line, exit 2', async () => {
    const torn = await fixture({ 'l.jsonl': jsonl(LEDGER) + '{"type":"outcome","cid":"c6","pho', 'e.jsonl': '' });
    const ok = await run(['reconcile', '--ledger', path.join(torn, 'l.jsonl'), '--events', path.join(torn, 'e.jsonl'), '--out', path.join(torn, 'out'), '--now', '2026-11-19T12:00:00Z']);
    expect(ok.code).toBe(0);
    const lines = jsonl(LEDGER).split('\n');
    lines.splice(3, 0, '{"type":"intent","phone":'); // now line 4
    const corrupt = await fixture({ 'l.jsonl': lines.join('\n'), 'e.jsonl': '' });
    const bad = await run(['reconcile', '--ledger', path.join(corrupt, 'l.jsonl'), '--events', path.join(corrupt, 'e.jsonl'), '--out', path.join(corrupt, 'out')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/l\.jsonl:4: corrupt ledger line/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    await expect(stat(path.join(corrupt, 'out'))).rejects.toThrow(); // nothing written
  });

  it('finds a listed recipient’s row whatever the key order of its intent: a "phone" cell in the row is not the recipient', async () => {
    const ledger = [
      runRecord({ phone_column: 'mobile' }),
      intent('+447400123456', 'c1', 1, { mobile: '+447400123456', phone: '', opt_in: 'yes', name: 'Ana' }),
      accepted('+447400123456', 'c1', 'wamid.1'),
      // Valid, but not in send's key order: the row (with a landline that is Ana's number) comes first.
      JSON.stringify({ type: 'intent', row: { mobile: '+447400123457', phone: '+447400123456', opt_in: 'yes', name: 'Ben' }, at: '2026-11-17T08:00:01.000Z', cid: 'c2', phone: '+447400123457', line: 3, attempt: 1 }),
      outcome('+447400123457', 'c2', 'failed', '131026', 'sms_fallback'),
    ];
    const { reconcile, list } = await campaign([metaLine([{ id: 'wamid.1', status: 'read', cid: 'c1' }])], ledger);
    expect((await reconcile('2026-11-19T12:00:00Z')).code).toBe(0);
    expect(await list('sms-fallback.csv')).toBe('phone,name,reason,error_code,attempts\n+447400123457,Ben,not_on_whatsapp,131026,1\n');
  });

  it('counts and names event lines it does not understand, and goes on', async () => {
    const { reconcile, list } = await campaign([...EVENTS.slice(0, 3), 'garbage', '{"type":"event","received_at":"2026-11-18T00:00:00Z","provider":"meta","raw":"{}"}', ...EVENTS.slice(3)]);
    const result = await reconcile('2026-11-19T12:00:00Z', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).events).toMatchObject({ unknown: 2 });
    expect(result.stderr).toMatch(/events\.jsonl:4: not JSON/);
    expect(result.stderr).toMatch(/events\.jsonl:5: not a WhatsApp Business Account callback/);
    expect(await list('retry.csv')).toContain('+5511912345678');
  });

  it('refuses bad usage with one line and exit 2: no ledger, a missing events file, a bad --now', async () => {
    const { dir } = await campaign();
    const ledger = path.join(dir, 'campaign.ledger.jsonl');
    const cases = [
      [['reconcile', '--ledger', path.join(dir, 'nope.jsonl'), '--out', path.join(dir, 'o')], /nope\.jsonl: .*(no such|not found|does not exist)/i],
      [['reconcile', '--ledger', ledger, '--events', path.join(dir, 'missing.jsonl'), '--out', path.join(dir, 'o')], /missing\.jsonl/],
      [['reconcile', '--ledger', ledger, '--out', path.join(dir, 'o'), '--now', 'yesterday'], /--now.*ISO-8601/],
      [['reconcile', '--ledger', ledger], /--out/],
    ] as const;
    for (const [argv, message] of cases) {
      const result = await run([...argv]);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    await writeFile(path.join(dir, 'a-file'), '');
    const inTheWay = await run(['reconcile', '--ledger', ledger, '--out', path.join(dir, 'a-file')]);
    expect([inTheWay.code, inTheWay.stderr]).toEqual([2, `wa-broadcast: ${path.join(dir, 'a-file')}: --out must be a folder, and this is a file\n`]);
    const swapped = await run(['reconcile', '--ledger', path.join(dir, 'events.jsonl'), '--out', path.join(dir, 'o')]);
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toMatch(/events\.jsonl:1: this is an events file written by webhook, not a ledger/);
    const empty = await fixture({ 'l.jsonl': '' });
    const none = await run(['reconcile', '--ledger', path.join(empty, 'l.jsonl'), '--out', path.join(empty, 'o')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/the ledger is empty/);
  });

  it('matches Twilio callbacks by MessageSid and by the cid in the callback URL; 21610 suppresses, 63049 waits', async () => {
    const ledger = [
      runRecord({ provider: 'twilio' }),
      intent('+447400123456', 't1', 1, row('+447400123456', 'Ana')),
      accepted('+447400123456', 't1', 'SM1'),
      intent('+447400123457', 't2', 1, row('+447400123457', 'Ben')),
      accepted('+447400123457', 't2', 'SM2'),
      intent('+447400123458', 't3', 1, row('+447400123458', 'Cy')),
      outcome('+447400123458', 't3', 'in_doubt', 'ECONNRESET'),
    ];
    const events = [
      twilioLine({ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '21610' }, 't1'),
      twilioLine({ MessageSid: 'SM2', MessageStatus: 'undelivered', ErrorCode: '63049' }, 't2', '2026-11-18T00:00:00.000Z'),
      twilioLine({ MessageSid: 'SM3', MessageStatus: 'read' }, 't3'),
    ];
    const { reconcile, list } = await campaign(events, ledger);
    const result = await reconcile('2026-11-18T12:00:00Z', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ states: { suppressed: 1, waiting_retry: 1, read: 1 }, next_retry_at: '2026-11-19T00:00:00.000Z' });
    expect(await list('suppress.csv')).toBe('phone,reason,error_code\n+447400123456,opted_out,21610\n');
  });

  it('a 131050 followed by a resume puts the person on retry.csv (reason resumed), not suppress.csv', async () => {
    const events = [
      ...EVENTS,
      metaLine([{ id: 'wamid.6', status: 'failed', cid: 'c6', code: 131050, ts: T_FAIL }]),
      metaValueLine({ user_preferences: [{ wa_id: '4915123456789', category: 'marketing_messages', value: 'resume', timestamp: String(T_FAIL + 3600) }] }),
    ];
    const { reconcile, list } = await campaign(events);
    expect((await reconcile('2026-11-19T12:00:00Z')).code).toBe(0);
    expect(await list('suppress.csv')).toBe('phone,reason,error_code\n+919876543210,keyword,\n');
    expect(await list('retry.csv')).toContain('+4915123456789,yes,Jürgen,,resumed,131050,1,2026-11-18T12:06:40.000Z\n');
  });

  it('leaves stale temp files of a killed run behind no more', async () => {
    const { dir, reconcile } = await campaign();
    await reconcile('2026-11-19T12:00:00Z');
    await writeFile(path.join(dir, 'lists', '.retry.csv.999999999.tmp'), 'partial');
    await reconcile('2026-11-19T12:00:00Z');
    expect((await readdir(path.join(dir, 'lists'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
