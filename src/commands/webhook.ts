import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import { loadEnv } from '../config/load-env.js';
import { ConfigError } from '../errors.js';
import type { Io } from '../io.js';
import { JsonlAppender } from '../fs/jsonl-appender.js';
import { refuseZeroedTail } from '../ledger/read-ledger.js';
import type { ReceiverContext } from '../providers/callback-channel.js';
import { callbackChannels, environmentRedactor, providersOf } from '../providers/index.js';
import type { EventRecord } from '../webhook/event-record.js';
import { startWebhook } from '../webhook/webhook-server.js';
import { portOption } from './options.js';

interface WebhookFlags {
  port: number;
  events: string;
  host: string;
  publicUrl?: string;
  allowUnsigned?: boolean;
}

export function registerWebhook(program: Command, io: Io, cwd: string): void {
  program
    .command('webhook')
    .description('receive status callbacks (Meta and 360dialog JSON, Twilio forms), verify them, append them durably')
    .requiredOption('--port <n>', 'port to listen on (0 picks a free one)', portOption)
    .requiredOption('--events <file>', 'events file (JSON lines, appended; one file per receiver)')
    .option('--host <address>', 'address to listen on (put TLS in front: a reverse proxy)', '127.0.0.1')
    .option('--public-url <url>', 'the URL Twilio calls, scheme and host (and port), when a proxy sits in front')
    .option('--allow-unsigned', 'accept JSON callbacks without X-Hub-Signature-256 (360dialog does not sign)')
    .action(async (flags: WebhookFlags) => {
      const env = await loadEnv(io.env, cwd);
      const channels = callbackChannels();
      // Each channel's secrets, from the environment (WA_APP_SECRET, TWILIO_AUTH_TOKEN…).
      const secrets = Object.fromEntries(channels.flatMap((channel) => channel.secrets.variables.map((name) => [name, env[name] || undefined])));
      const context: ReceiverContext = { secrets, allowUnsigned: flags.allowUnsigned === true };
      for (const channel of channels) {
        const problem = channel.startupProblem?.(context);
        if (problem) throw new ConfigError(problem);
      }
      if (flags.publicUrl && !/^https?:\/\//.test(flags.publicUrl)) throw new ConfigError('--public-url must be an http(s) URL');
      // A failed write answers 503 and the next callback tries again: the receiver recovers when the disk does.
      // A tail of zeros is refused as for a ledger: a disk that lost events it had confirmed.
      // Its lock lost (removed, or taken over by another receiver): the server answers 503 from then
      // on (webhook-server.ts) and the receiver shuts down, exit 1. Staying up would hold the port
      // and fail every callback until someone noticed; exiting lets a supervisor start it again,
      // which then takes the lock afresh or is refused naming the receiver that holds it.
      let onLockLost: (() => void) | undefined;
      const clock = io.clock ?? systemClock;
      const events = await JsonlAppender.open<EventRecord>(flags.events, { afterFailure: 'retry', checkTail: refuseZeroedTail, onLost: () => onLockLost?.(), clock });
      const webhook = await startWebhook({
        port: flags.port,
        host: flags.host,
        events,
        secrets,
        allowUnsigned: context.allowUnsigned,
        publicUrl: flags.publicUrl,
        // Only an injected one: by default the connection guard keeps its own, whose timers do not
        // hold the process (a receiver that could not listen must still exit).
        ...(io.clock ? { clock: io.clock } : {}),
        // Every secret the environment holds, not only the receiver's own: whatever reaches the log
        // or the events file from outside passes through it (DESIGN: stored outside text is redacted).
        redact: environmentRedactor(env),
        // In a log (systemd without the journal's stamps, a file), each line says when.
        log: (line) => io.stderr.write(`${io.stderr.isTTY ? '' : `${clock.date().toISOString()} `}${line}\n`),
      });
      const described = channels.map((channel) => ({ channel, ...channel.describe(context) }));
      const serving = described
        .filter((d) => d.accepting)
        .map(({ channel }) => `${channel.handshake ? 'GET and POST' : 'POST'} ${channel.path} (${providersOf(channel).join(', ')})`);
      const notes = described.flatMap((d) => (d.note ? [d.note] : []));
      io.stderr.write(
        `wa-broadcast webhook listening on ${webhook.url}: ${serving.join(', ') || 'no callbacks accepted'}\n` +
          `  events: ${flags.events}${notes.map((note) => `; ${note}`).join('')}\n`,
      );
      await new Promise<void>((resolve) => {
        const done = () => {
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          resolve();
        };
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
        onLockLost = done;
        if (events.lockLost !== undefined) done();
      });
      // Idle and slow connections close at once, a body already arriving and the answers in
      // progress get the close grace (1 s), then the events file is flushed: exit 0 within seconds.
      // Rejects (exit 1, one line saying what was not saved) unless the flush really succeeded.
      await webhook.close();
      io.stderr.write('wa-broadcast webhook stopped; events flushed\n');
    });
}
