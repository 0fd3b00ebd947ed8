import type { Command } from 'commander';
import type { Io } from '../io.js';
import { MARKETING_API_POLICIES } from '../providers/marketing-api-policy.js';
import { PROVIDER_NAMES } from '../providers/index.js';
import { audienceOptions, choiceOption, csvReadingOptions, positiveIntegerOption } from './options.js';
import type { SendEnvironment, SendFlags } from './send-action.js';

export function registerSend(program: Command, io: Io, environment: SendEnvironment): void {
  csvReadingOptions(
    audienceOptions(
      program
        .command('send')
        .description('send one template message per sendable recipient, paced, recorded in a ledger, resumable')
        .argument('<csv>', 'recipients CSV, as for validate'),
    ),
  )
    .option('--daily-limit <n>', 'stop cleanly once this many unique recipients were messaged in the last 24 h (counting earlier runs of the ledger)', positiveIntegerOption)
    .option('--rejects <csv>', 'write every rejected row, as it was, plus line, reason and detail, to this CSV')
    .option('--provider <name>', `${PROVIDER_NAMES.join(' | ')}`, choiceOption(PROVIDER_NAMES), 'cloud')
    .option('--mps <n>', "messages per second: the sender's throughput limit", positiveIntegerOption, 80)
    .option('--ledger <file>', 'the campaign ledger (default: the CSV with .ledger.jsonl for .csv)')
    .option('--yes', 'send without asking (required when not at a terminal)')
    .option('--json', 'print one JSON object on stdout at the end (stderr: only warnings and errors)')
    .option('--quiet', 'print only warnings, errors and one summary line')
    .option('--dry-run [file]', 'send nothing: write the exact requests to a file (default: <csv>.requests.jsonl)')
    .option('--concurrency <n>', 'requests in flight at once (default: mps / 2, from 16 to 256)', positiveIntegerOption)
    .option('--timeout <seconds>', 'longest wait for one request', positiveIntegerOption, 30)
    .option('--max-consecutive-failures <n>', 'stop after this many sends in a row failed or left in doubt', positiveIntegerOption, 25)
    .option('--allow-changed-inputs', 'resume although the CSV or template changed since the ledger’s last run')
    .option('--allow-insecure-http', 'allow a plain http:// base URL to another machine')
    .option('--marketing-api <mode>', 'marketing templates through the Marketing Messages API: auto (when the account is onboarded; 360dialog routes itself) | always | never', choiceOption(MARKETING_API_POLICIES), 'auto')
    .option('--no-preflight', 'send without first checking the template against the account (WhatsApp Manager, 360dialog, Twilio Content)')
    .option('--status-callback <url>', "Twilio: where Twilio posts status callbacks (or TWILIO_STATUS_CALLBACK_URL)")
    // The implementation (got, ora, the pipeline) loads only when send runs: validate starts faster and smaller.
    .action(async (csvFile: string, flags: SendFlags) => (await import('./send-action.js')).sendAction(csvFile, flags, io, environment));
}
