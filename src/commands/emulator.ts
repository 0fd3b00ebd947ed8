import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadEnv } from '../config/load-env.js';
import { credentialsFromEnv, DEFAULT_CREDENTIALS, emulatorEnv, startEmulator, type EmulatorLogEntry } from '../emulator/emulator-server.js';
import { DEFAULT_SCENARIO, loadScenario } from '../emulator/scenario.js';
import { statusCallbacks } from '../emulator/status-callbacks.js';
import { loadTemplateCatalog, SAMPLE_TEMPLATES_FILE } from '../emulator/template-catalog.js';
import type { Io } from '../io.js';
import { portOption, positiveIntegerOption } from './options.js';

interface EmulatorFlags {
  port: number;
  host: string;
  scenario?: string;
  mps: number;
  log?: string;
  webhookUrl?: string;
  templates?: string;
}

export function registerEmulator(program: Command, io: Io, cwd: string): void {
  program
    .command('emulator')
    .description('a local stand-in for the Cloud API, 360dialog and Twilio send APIs, for demos, tests and rehearsals')
    .requiredOption('--port <n>', 'port to listen on (0 picks a free one)', portOption)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--scenario <file>', 'outcomes per recipient (YAML or JSON); default: every send accepted')
    .option('--mps <n>', 'per-sender throughput before 130429 / 20429', positiveIntegerOption, 80)
    .option('--log <file>', "append every request received as a JSON line ('-': a line each on stderr); default: no request log")
    .option('--templates <file>', "the account's templates (YAML or JSON, as Meta's look-up returns them), served to the look-ups and enforced on sends (default: samples/templates.yaml)")
    .option('--webhook-url <url>', 'post signed status callbacks for Cloud API and 360dialog messages here (Twilio ones go to each message’s StatusCallback)')
    .action(async (flags: EmulatorFlags) => {
      const env = await loadEnv(io.env, cwd);
      const scenario = flags.scenario ? await loadScenario(flags.scenario) : DEFAULT_SCENARIO;
      const templatesFile = flags.templates ?? SAMPLE_TEMPLATES_FILE;
      const templates = await loadTemplateCatalog(templatesFile);
      // Quiet by default: run in the background of the terminal a send runs in, a line per request
      // would garble its progress line. Callbacks that fail are still said (they are problems).
      const logFile = flags.log && flags.log !== '-' ? await open(flags.log, 'a', 0o600) : undefined;
      const log = logFile
        ? (entry: EmulatorLogEntry) => void logFile.write(`${JSON.stringify(entry)}\n`)
        : flags.log === '-'
          ? (entry: EmulatorLogEntry) => io.stderr.write(`${entry.at} ${entry.provider} ${entry.status} ${entry.outcome}${entry.code ? ` ${entry.code}` : ''}${entry.to ? ` ${entry.to}` : ''}\n`)
          : () => undefined;
      const credentials = credentialsFromEnv(env);
      const callbacks = statusCallbacks({ webhookUrl: flags.webhookUrl, credentials, scenario, clock: io.clock, log: (line) => io.stderr.write(`${line}\n`) });
      const emulator = await startEmulator({ port: flags.port, host: flags.host, credentials, scenario, mps: flags.mps, log, onAccepted: callbacks.onAccepted, templates, clock: io.clock });
      // The variables that point `send` here; the credentials themselves are not printed.
      const pointers = Object.keys(emulatorEnv(emulator.url, credentials)).filter((name) => name.endsWith('_URL'));
      const variables = Object.keys(DEFAULT_CREDENTIALS);
      const fromEnv = variables.filter((name) => env[name]);
      io.stderr.write(
        `wa-broadcast emulator listening on ${emulator.url}\n` +
          `  point send at it: ${pointers.map((name) => `${name}=${emulator.url}`).join(' ')}\n` +
          `  credentials: the ${variables.join(', ')} in the environment, else the built-in demo ones` +
          `${fromEnv.length > 0 ? ` (from the environment: ${fromEnv.join(', ')})` : ''}\n` +
          `  templates: ${templates.length} from ${templatesFile} (${templates.map((t) => `${t.template.name} ${t.template.status.toLowerCase()}`).join(', ')})\n` +
          (flags.webhookUrl ? `  status callbacks to ${flags.webhookUrl} (Twilio's to each message's StatusCallback), signed as each platform signs them\n` : '') +
          `  request log: ${logFile ? flags.log : flags.log === '-' ? 'stderr' : 'none (--log <file> keeps one)'}\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await emulator.close();
      await callbacks.drain();
      await logFile?.close();
      io.stderr.write('wa-broadcast emulator stopped\n');
    });
}
