import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS as C } from '../../src/emulator/emulator-server.js';
import { tempDir } from '../helpers.js';
import { runCli, serveCli, untilChanged } from './cli-process.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const APP_SECRET = 'e2e-app-secret';
const HOUR = 3600_000;

/** Runs the built bin to completion. */
const bin = (args: string[], env: NodeJS.ProcessEnv, cwd: string) => runCli(args, { cwd, env: { ...process.env, ...env } });
/** Starts a long-running command of the built bin and resolves once it listens (its `url`). */
const serve = (args: string[], env: NodeJS.ProcessEnv, cwd: string) => serveCli(args, { cwd, env: { ...process.env, ...env } });

async function lines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Waits until the events file holds `count` lines (callbacks come a little after each send), and no more. */
async function eventsSettle(file: string, count: number): Promise<void> {
  await untilChanged(path.dirname(file), async () => (await lines(file)).length >= count);
  expect(await lines(file)).toHaveLength(count);
}

describe('end to end through the built bin: send → emulator → webhook → reconcile → send the retry list', () => {
  it('fills the lists as the rules say at three clock readings, and the retry loop sends only what is due, once', async () => {
    const dir = await tempDir();
    await copyFile(path.join(SAMPLES, 'spring-sale.yaml'), path.join(dir, 'offer.yaml'));
    await writeFile(
      path.join(dir, 'campaign.csv'),
      [
        'phone,opt_in,first_name,discount,code,country',
        '+447400123456,yes,Ana,20%,SPRING-ANA,',
        '+55 11 91234-5678,yes,João,-20%,PRIMAVERA-JO,',
        '06 12 34 56 78,yes,Élodie,25%,PRINTEMPS-E,FR',
        '+91 98765 43210,yes,Priya,10%,SPRING-PRIYA,',
        '+49 151 23456789,yes,Jürgen,10%,FRUEHLING-J,',
        '+30 691 234 5678,yes,Nikos,20%,ANOIXI-N,',
        '+34 612 345 678,yes,José,20%,PRIMAVERA-J,',
      ].join('\n') + '\n',
    );
    await writeFile(
      path.join(dir, 'scenario.json'),
      JSON.stringify({
        rules: [
          { match: '+5511912345678', outcome: 'accepted', callback: 'failed', callback_code: 131049 },
          { match: '+33612345678', outcome: 'accepted', callback: 'failed', callback_code: 131026 },
          { match: '+919876543210', outcome: 'accepted', callback: 'failed', callback_code: 131050 },
          { match: '+4915123456789', outcome: 'accepted', callback: 'none' },
          { match: '+306912345678', outcome: 'drop', callback: 'none' },
          { match: '+34612345678', outcome: 'drop' },
        ],
      }),
    );
    const events = path.join(dir, 'events.jsonl');
    const webhook = (await serve(['webhook', '--port', '0', '--events', events], { WA_APP_SECRET: APP_SECRET }, dir)).url;
    // Every request goes to emulator.log (appended to, across emulators).
    const startEmulator = () => serve(['emulator', '--port', '0', '--scenario', 'scenario.json', '--webhook-url', `${webhook}/webhook`, '--log', 'emulator.log'], { WA_APP_SECRET: APP_SECRET }, dir);
    const emulator = await startEmulator();
    let env = { WA_API_URL: emulator.url, WA_TOKEN: C.WA_TOKEN, WA_PHONE_NUMBER_ID: C.WA_PHONE_NUMBER_ID };

    const sent = await bin(['send', 'campaign.csv', '--template', 'offer.yaml', '--yes', '--json'], env, dir);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ accepted: 5, in_doubt: 2 });
    // Three statuses for Ana and José (dropped answer, delivered message), two for each failure.
    await eventsSettle(events, 3 + 3 + 2 * 3);

    const start = Date.now();
    const reconcile = async (offsetMs: number) => {
      const result = await bin(['reconcile', '--ledger', 'campaign.ledger.jsonl', '--events', 'events.jsonl', '--out', 'lists', '--now', new Date(start + offsetMs).toISOString(), '--json'], {}, dir);
      expect(result.code, result.stderr).toBe(0);
      const list = async (name: string) => (await lines(path.join(dir, 'lists', name))).slice(1);
      return { summary: JSON.parse(result.stdout), list };
    };

    // Minutes later: delivered and read are in no list; the per-user limit waits; SMS, suppress, in doubt.
    const soon = await reconcile(10 * 60_000);
    expect(soon.summary.states).toEqual({ read: 2, delivered: 0, sent: 1, waiting_retry: 1, retry: 0, sms_fallback: 1, suppressed: 1, in_doubt: 1, failed: 0 });
    // Not due yet, but listed with its due time; send leaves it for later and sends nobody.
    expect(await soon.list('retry.csv')).toEqual([expect.stringMatching(/^\+5511912345678,yes,João,'-20%,PRIMAVERA-JO,,per_user_limit,131049,1,\d{4}-\d\d-\d\dT[\d:.]+Z$/)]);
    const early = await bin(['send', 'lists/retry.csv', '--ledger', 'campaign.ledger.jsonl', '--yes', '--json'], env, dir);
    expect(early.code, early.stderr).toBe(0);
    expect(JSON.parse(early.stdout)).toMatchObject({ nothing_to_send: true, accepted: 0, not_due: 1 });
    const unstamped = await bin(['send', 'lists/retry.csv', '--ledger', 'campaign.ledger.jsonl', '--yes'], env, dir);
    expect(unstamped.stderr).toMatch(/nothing to send \(.*1 not due yet, the next at \d{4}-\d\d-\d\dT[\d:.]+Z/);
    expect(await soon.list('sms-fallback.csv')).toEqual(['+33612345678,Élodie,25%,PRINTEMPS-E,FR,not_on_whatsapp,131026,1']);
    expect(await soon.list('suppress.csv')).toEqual(['+919876543210,opted_out,131050']);
    expect((await soon.list('in-doubt.csv'))[0]).toMatch(/^\+306912345678,[0-9a-f]+-7-1,/);

    // A day later: the 131049 retry is due, formula-safe, with the campaign's variables.
    const dayLater = await reconcile(25 * HOUR);
    expect(dayLater.summary.states).toMatchObject({ retry: 1, waiting_retry: 0 });
    expect(await dayLater.list('retry.csv')).toEqual([expect.stringMatching(/^\+5511912345678,yes,João,'-20%,PRIMAVERA-JO,,per_user_limit,131049,1,/)]);
    // The due time, as the list says it, is in the past of real time only a day later: rewrite it to now for the send below.
    const retryFile = path.join(dir, 'lists', 'retry.csv');
    await writeFile(retryFile, (await readFile(retryFile, 'utf8')).replace(/,\d{4}-\d\d-\d\dT[\d:.]+Z\n/, `,${new Date().toISOString()}\n`));

    // The platform a day later: a new emulator. The first messaged João seconds ago, and its pair
    // rate (131056, one message to a user in 6 s) would hold the retry back 6 s in real time, which a
    // retry a day later never meets.
    emulator.child.kill('SIGTERM');
    await emulator.exited;
    env = { ...env, WA_API_URL: (await startEmulator()).url };
    // The cron job's next step: the retry list, on the campaign's ledger (whose run names the template).
    const retry = await bin(['send', 'lists/retry.csv', '--ledger', 'campaign.ledger.jsonl', '--yes', '--json'], env, dir);
    expect(retry.code, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({ accepted: 1, skipped: 0, retries: 0 });
    const requests = (await lines(path.join(dir, 'emulator.log'))).map((line) => JSON.parse(line));
    const toJoao = requests.filter((r) => r.to === '+5511912345678' && r.outcome === 'accepted');
    expect(toJoao).toHaveLength(2);
    // The round trip gives back the original value, not the spreadsheet-safe one.
    expect(JSON.stringify(toJoao[1])).not.toContain("'-20%");
    // Fed again (the cron job ran twice before reconciling): nobody is sent twice.
    const again = await bin(['send', 'lists/retry.csv', '--template', 'offer.yaml', '--ledger', 'campaign.ledger.jsonl', '--yes', '--json'], env, dir);
    expect(JSON.parse(again.stdout)).toMatchObject({ accepted: 0, skipped: 1 });
    await eventsSettle(events, 3 + 3 + 2 * 3 + 2);

    // A month later: past the 30-day TTL the undelivered go to SMS, the refused retry too.
    const monthLater = await reconcile(31 * 24 * HOUR);
    expect(monthLater.summary.states).toMatchObject({ read: 2, sent: 0, retry: 0, sms_fallback: 3, suppressed: 1, in_doubt: 1 });
    const attemptsOfJoao = (await lines(path.join(dir, 'campaign.ledger.jsonl'))).filter((l) => l.includes('"intent"') && l.includes('+5511912345678')).length;
    expect(await monthLater.list('sms-fallback.csv')).toEqual([
      '+5511912345678,João,\'-20%,PRIMAVERA-JO,,retries_exhausted,131049,' + attemptsOfJoao,
      '+33612345678,Élodie,25%,PRINTEMPS-E,FR,not_on_whatsapp,131026,1',
      '+4915123456789,Jürgen,10%,FRUEHLING-J,,ttl_expired,,1',
    ]);
  }, 60_000);
});
