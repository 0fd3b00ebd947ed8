import type { Command } from 'commander';
import { loadEnv } from '../config/load-env.js';
import { makeRedactor } from '../config/redact.js';
import { ConfigError } from '../errors.js';
import type { Io } from '../io.js';
import { LedgerWriter } from '../ledger/ledger-writer.js';
import { startWebhook, type EventRecord } from '../webhook/webhook-server.js';
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
      if (!env.WA_APP_SECRET && !flags.allowUnsigned) {
        throw new ConfigError('webhook needs WA_APP_SECRET to verify X-Hub-Signature-256; to accept unsigned JSON callbacks (360dialog), pass --allow-unsigned');
      }
      if (flags.publicUrl && !/^https?:\/\//.test(flags.publicUrl)) throw new ConfigError('--public-url must be an http(s) URL');
      // Every secret the environment holds, not only the receiver's own: whatever reaches the log
      // or the events file from outside passes through it (DESIGN: stored outside text is redacted).
      const redact = makeRedactor(
        [env.WA_APP_SECRET, env.WA_VERIFY_TOKEN, env.TWILIO_AUTH_TOKEN, env.WA_TOKEN, env.D360_API_KEY],
        env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN ? [[env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN]] : [],
      );
      // A failed write answers 503 and the next callback tries again: the receiver recovers when the disk does.
      const events = await LedgerWriter.open<EventRecord>(flags.events, { afterFailure: 'retry' });
      const webhook = await startWebhook({
        port: flags.port,
        host: flags.host,
        events,
        appSecret: env.WA_APP_SECRET,
        verifyToken: env.WA_VERIFY_TOKEN,
        twilioAuthToken: env.TWILIO_AUTH_TOKEN,
        allowUnsigned: flags.allowUnsigned === true,
        publicUrl: flags.publicUrl,
        redact,
        log: (line) => io.stderr.write(`${line}\n`),
      });
      io.stderr.write(
        `wa-broadcast webhook listening on ${webhook.url}: GET and POST /webhook (Meta, 360dialog)` +
          `${env.TWILIO_AUTH_TOKEN ? ', POST /twilio/status (Twilio)' : '; Twilio callbacks refused: TWILIO_AUTH_TOKEN is not set'}\n` +
          `  events: ${flags.events}${env.WA_VERIFY_TOKEN ? '' : '; subscription handshake refused: WA_VERIFY_TOKEN is not set'}\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      // Idle and slow connections close at once, a body already arriving and the answers in
      // progress get the close grace (1 s), then the events file is flushed: exit 0 within seconds.
      // Rejects (exit 1, one line saying what was not saved) unless the flush really succeeded.
      await webhook.close();
      io.stderr.write('wa-broadcast webhook stopped; events flushed\n');
    });
}
