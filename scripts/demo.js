// `npm run demo`: a whole campaign on this machine, with no account and no credentials. Starts the
// emulator on a free port, validates the sample campaign, sends it through the emulator (each
// provider in turn), and shows where the ledger is. Run from a fresh clone after `npm ci`.
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../dist/main.js';
import { DEFAULT_CREDENTIALS, startEmulator } from '../dist/emulator/emulator-server.js';

const samples = fileURLToPath(new URL('../samples/', import.meta.url));
const work = await mkdtemp(path.join(tmpdir(), 'wa-broadcast-demo-'));
await cp(samples, work, { recursive: true });

const requests = [];
const emulator = await startEmulator({ port: 0, log: (entry) => requests.push(entry) });
const env = {
  ...process.env,
  WA_API_URL: emulator.url,
  WA_TOKEN: DEFAULT_CREDENTIALS.waToken,
  WA_PHONE_NUMBER_ID: DEFAULT_CREDENTIALS.waPhoneNumberId,
  D360_API_URL: emulator.url,
  D360_API_KEY: DEFAULT_CREDENTIALS.d360ApiKey,
  TWILIO_API_URL: emulator.url,
  TWILIO_ACCOUNT_SID: DEFAULT_CREDENTIALS.twilioAccountSid,
  TWILIO_AUTH_TOKEN: DEFAULT_CREDENTIALS.twilioAuthToken,
  TWILIO_FROM: '+15550001111',
};
const io = { stdout: process.stdout, stderr: process.stderr, env, stdinIsTTY: false, cwd: work };
const csv = path.join(work, 'campaign.csv');
const common = [csv, '--template', path.join(work, 'spring-sale.yaml'), '--suppress', path.join(work, 'suppress.csv')];

const step = (title) => process.stdout.write(`\n── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}\n\n`);
let failed = false;
try {
  process.stdout.write(`emulator listening on ${emulator.url}; working in ${work}\n`);
  step('1. validate: a dry run, nothing sent');
  failed ||= (await main(['validate', ...common], io)) !== 0;
  for (const provider of ['cloud', '360dialog', 'twilio']) {
    step(`2. send through ${provider} (emulated)`);
    failed ||= (await main(['send', ...common, '--provider', provider, '--ledger', path.join(work, `campaign.${provider}.ledger.jsonl`), '--yes'], io)) !== 0;
  }
  step('3. send again on the same ledger: nothing is sent twice');
  failed ||= (await main(['send', ...common, '--ledger', path.join(work, 'campaign.cloud.ledger.jsonl'), '--yes'], io)) !== 0;
  process.stdout.write(`\nThe emulator received ${requests.length} requests. Ledgers and sample files: ${work}\n`);
  process.stdout.write('Status callbacks (webhook) and the retry / SMS lists (reconcile) are the next steps to be built.\n');
} finally {
  await emulator.close();
}
process.exitCode = failed ? 1 : 0;
