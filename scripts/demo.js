// `npm run demo`: a whole campaign on this machine, with no account and no credentials. Starts the
// webhook receiver and the emulator on free ports, validates the sample campaign, sends it through
// the emulator (each provider in turn), waits for the signed status callbacks, and shows where the
// ledgers and the events file are. Run from a fresh clone after `npm ci`.
import { chmod, cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../dist/clock.js';
import { main } from '../dist/main.js';
import { DEFAULT_CREDENTIALS, emulatorEnv, startEmulator } from '../dist/emulator/emulator-server.js';
import { parseScenario } from '../dist/emulator/scenario.js';
import { statusCallbacks } from '../dist/emulator/status-callbacks.js';
import { loadTemplateCatalog, SAMPLE_TEMPLATES_FILE } from '../dist/emulator/template-catalog.js';
import { JsonlAppender } from '../dist/fs/jsonl-appender.js';
import { PROVIDER_NAMES } from '../dist/providers/index.js';
import { parseEventLine } from '../dist/reconcile/parse-event.js';
import { startWebhook } from '../dist/webhook/webhook-server.js';

const samples = fileURLToPath(new URL('../samples/', import.meta.url));
const work = await mkdtemp(path.join(tmpdir(), 'wa-broadcast-demo-'));
await cp(samples, work, { recursive: true });
// cp keeps the samples' 0644; the campaign and the suppression list hold phone numbers: 0600, as
// every file the tool writes with them is.
for (const entry of await readdir(work, { withFileTypes: true })) if (entry.isFile()) await chmod(path.join(work, entry.name), 0o600);

const APP_SECRET = 'demo-app-secret';
const eventsFile = path.join(work, 'events.jsonl');
const webhook = await startWebhook({
  port: 0,
  events: await JsonlAppender.open(eventsFile),
  secrets: { WA_APP_SECRET: APP_SECRET, WA_VERIFY_TOKEN: 'demo-verify-token', TWILIO_AUTH_TOKEN: DEFAULT_CREDENTIALS.TWILIO_AUTH_TOKEN },
  allowUnsigned: false,
  publicUrl: undefined,
});
// Some recipients fail the way only status callbacks tell (not on WhatsApp, Meta's per-user
// marketing limit, an experiment, an opt-out, marketing to a US number); one is never delivered;
// two answers are lost on the way back (in doubt), and the callbacks settle one of them.
const scenario = parseScenario({
  rules: [
    { match: '+33612345678', outcome: 'accepted', callback: 'failed', callback_code: 131026 },
    { match: '+5511912345678', outcome: 'accepted', callback: 'failed', callback_code: 131049 },
    { match: '+306912345678', outcome: 'accepted', callback: 'failed', callback_code: 130472 },
    { match: '+919876543210', outcome: 'accepted', callback: 'failed', callback_code: 131050 },
    { match: '+12125550199', outcome: 'accepted', callback: 'failed', callback_code: 131049 },
    { match: '+4915123456789', outcome: 'accepted', callback: 'none' },
    { match: '+34612345678', outcome: 'drop' },
    { match: '+447400123459', outcome: 'drop', callback: 'none' },
  ],
});
const callbacks = statusCallbacks({ webhookUrl: `${webhook.url}/webhook`, credentials: { ...DEFAULT_CREDENTIALS, WA_APP_SECRET: APP_SECRET }, scenario });
const requests = [];
// The emulated platform's date: the system's, until step 7 moves it (and send's) a day ahead.
let aheadMs = 0;
const platformClock = { now: systemClock.now, sleep: systemClock.sleep, date: () => new Date(Date.now() + aheadMs) };
// The emulated account holds samples/templates.yaml: the look-ups answer from it, and sends that do not fit it are refused.
const emulator = await startEmulator({ port: 0, scenario, clock: platformClock, log: (entry) => requests.push(entry), onAccepted: callbacks.onAccepted, templates: await loadTemplateCatalog(SAMPLE_TEMPLATES_FILE) });
const env = {
  ...process.env,
  // Every provider pointed at the emulator, with the demo credentials it accepts.
  ...emulatorEnv(emulator.url),
  TWILIO_STATUS_CALLBACK_URL: `${webhook.url}/twilio/status`,
};
const io = { stdout: process.stdout, stderr: process.stderr, env, stdinIsTTY: false, cwd: work };
const csv = path.join(work, 'campaign.csv');
const common = [csv, '--template', path.join(work, 'spring-sale.yaml'), '--suppress', path.join(work, 'suppress.csv')];

const step = (title) => process.stdout.write(`\n── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}\n\n`);
let failed = false;
try {
  process.stdout.write(`emulator on ${emulator.url}, webhook receiver on ${webhook.url}; working in ${work}\n`);
  step('0. templates: what the account holds, as WhatsApp Manager shows it');
  failed ||= (await main(['templates'], io)) !== 0;
  step('1. validate: a dry run, nothing sent (--online: the spec against the approved template too)');
  failed ||= (await main(['validate', ...common, '--online'], io)) !== 0;
  step('1b. the preflight: a paused template stops before any message (exit 3 is expected here)');
  const paused = path.join(work, 'winter-sale.yaml');
  await writeFile(paused, (await readFile(path.join(work, 'spring-sale.yaml'), 'utf8')).replace('name: spring_sale', 'name: winter_sale'));
  const before = requests.length;
  failed ||= (await main(['send', csv, '--template', paused, '--ledger', path.join(work, 'winter.ledger.jsonl'), '--yes'], io)) !== 3;
  // Only look-ups of the account (its templates, its onboarding) went out: no message.
  failed ||= requests.slice(before).some((entry) => entry.outcome !== 'looked_up' && entry.outcome !== 'served');
  for (const provider of PROVIDER_NAMES) {
    step(`2. send through ${provider} (emulated)`);
    failed ||= (await main(['send', ...common, '--provider', provider, '--ledger', path.join(work, `campaign.${provider}.ledger.jsonl`), '--yes'], io)) !== 0;
  }
  step('3. send again on the same ledger: nothing is sent twice');
  failed ||= (await main(['send', ...common, '--ledger', path.join(work, 'campaign.cloud.ledger.jsonl'), '--yes'], io)) !== 0;
  step('4. status callbacks, signed, received and on disk');
  await callbacks.drain();
  // Read as reconcile reads them: each line by the callback parser of the provider that sent it.
  const counts = {};
  const statusNames = ['queued', 'sent', 'delivered', 'read'];
  for (const line of (await readFile(eventsFile, 'utf8')).trim().split('\n')) {
    const parsed = parseEventLine(line, new Set());
    for (const signal of parsed.ok ? parsed.signals : []) {
      const status = signal.kind !== 'status' ? signal.kind : signal.failed ? 'failed' : statusNames[signal.rank];
      counts[status] = (counts[status] ?? 0) + 1;
    }
  }
  process.stdout.write(`${Object.entries(counts).map(([status, n]) => `${status}: ${n}`).join(', ')}\n`);

  // What a cron job does every 15 minutes, at three clock readings: now, a day later (the per-user
  // marketing limit's 24 h have passed), a month later (the 30-day TTL has passed).
  const ledger = path.join(work, 'campaign.cloud.ledger.jsonl');
  const lists = path.join(work, 'lists');
  const reconcile = (now) => main(['reconcile', '--ledger', ledger, '--events', eventsFile, '--out', lists, '--now', now.toISOString()], io);
  const later = (hours) => new Date(Date.now() + hours * 3600_000);
  step('5. reconcile now: delivered, read, SMS fallback, opted out, in doubt');
  failed ||= (await reconcile(new Date())) !== 0;
  step('6. reconcile as if 25 hours later: the 131049 retry is due');
  failed ||= (await reconcile(later(25))) !== 0;
  process.stdout.write(`\n${await readFile(path.join(lists, 'retry.csv'), 'utf8')}`);
  step('7. send the retry list on the same ledger, as if 25 hours later');
  // send reads the time a retry is due (due_at) on its clock: the demo's runs 25 hours ahead, as a
  // cron job's would, and so does the emulated platform's: it messaged this number seconds ago, and
  // on its own clock Meta's 6-second pair rate (131056) would hold the retry back once, which a real
  // retry a day later never meets.
  process.stdout.write('(send and the emulated platform both 25 hours ahead: the retry goes at once)\n\n');
  aheadMs = 25 * 3600_000;
  const dayLater = { ...io, clock: { now: systemClock.now, sleep: systemClock.sleep, date: () => later(25) } };
  failed ||= (await main(['send', path.join(lists, 'retry.csv'), '--template', path.join(work, 'spring-sale.yaml'), '--ledger', ledger, '--yes'], dayLater)) !== 0;
  await callbacks.drain();
  step('8. reconcile as if 31 days later: undelivered messages are past their TTL');
  failed ||= (await reconcile(later(31 * 24))) !== 0;
  for (const name of ['sms-fallback.csv', 'suppress.csv', 'in-doubt.csv']) {
    process.stdout.write(`\n${name}:\n${await readFile(path.join(lists, name), 'utf8')}`);
  }
  process.stdout.write(`\nThe emulator received ${requests.length} requests. Ledgers, events, lists and sample files: ${work}\n`);
} finally {
  await emulator.close();
  await webhook.close();
}
process.exitCode = failed ? 1 : 0;
