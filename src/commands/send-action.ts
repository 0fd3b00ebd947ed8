import path from 'node:path';
import { inDoubtNotes } from '../campaign/campaign-end.js';
import { systemClock } from '../clock.js';
import { requestRate } from '../campaign/campaign-stats.js';
import { sendCampaign, type SendResult } from '../campaign/send-campaign.js';
import { loadEnv } from '../config/load-env.js';
import { InterruptedError, LedgerError, ProviderStopError, UsageError } from '../errors.js';
import { shellQuote } from '../invocation.js';
import type { Io } from '../io.js';
import type { MarketingApiPolicy } from '../providers/marketing-api-policy.js';
import { environmentRedactor, providerFromEnv, templateLookupFromEnv, usesDemoCredentials, type ProviderName } from '../providers/index.js';
import { plural } from '../plural.js';
import { askYesNo } from './ask-yes-no.js';
import { describePlan, warningLines, type Destination } from './describe-plan.js';
import type { AudienceFlags } from './options.js';
import { colorEnabled, progressReporter, ThrottleNews } from './progress.js';
import { dailyLimitHeldLine, pacingAdviceLine, nothingToSendLine, summaryKeys, summaryLine, summaryTable } from './send-summary.js';

export interface SendFlags extends AudienceFlags {
  provider: ProviderName;
  mps: number;
  ledger?: string;
  yes?: boolean;
  json?: boolean;
  quiet?: boolean;
  dryRun?: string | boolean;
  rejects?: string;
  dailyLimit?: number;
  concurrency?: number;
  timeout: number;
  maxConsecutiveFailures: number;
  allowChangedInputs?: boolean;
  allowInsecureHttp?: boolean;
  statusCallback?: string;
  marketingApi?: MarketingApiPolicy;
  /** False with `--no-preflight`. */
  preflight?: boolean;
}

export interface SendEnvironment {
  /** Whether a person can answer the confirmation (stdin is a terminal). */
  interactive: boolean;
  cwd: string;
  /** The command line as the user typed it (how they started the tool, then its arguments): the resume command repeats it. */
  commandLine: readonly string[];
}

/**
 * `send`, once its flags are parsed (see send.ts for them).
 *
 * What it prints, by mode (SPEC.md "--json"): by default the plan, the progress line, the summary
 * table (stdout) and a summary line; with --quiet only warnings, errors and the summary line;
 * with --json one object on stdout and only warnings and errors on stderr. Asking for
 * confirmation always shows the whole plan: nobody should answer a question they cannot read.
 * Away from a terminal (cron), every line on stderr starts with an ISO timestamp.
 */
export async function sendAction(csvFile: string, flags: SendFlags, io: Io, environment: SendEnvironment): Promise<void> {
  const env = await loadEnv(io.env, environment.cwd);
  const redact = environmentRedactor(env);
  const clock = io.clock ?? systemClock;
  const stderrTTY = io.stderr.isTTY === true;
  const out = (text: string) => io.stdout.write(redact(text));
  /** One or more lines on stderr; in a log each starts with the time and the tool's name. */
  const say = (text: string) => {
    const lines = stderrTTY ? text : text.split('\n').map((line) => `${clock.date().toISOString()} wa-broadcast: ${line}`).join('\n');
    io.stderr.write(redact(`${lines}\n`));
  };
  const chatty = !flags.json && !flags.quiet;
  // What the provider's setup says (the route and why, a missing status callback) waits for the
  // plan, so that a run with nothing to send stays one line. Warnings (`! …`) are said in every
  // mode, the rest only when chatty (SPEC: with --json, stderr holds only warnings and errors).
  let pendingNotices: string[] | undefined = [];
  const notice = (line: string) => {
    if (pendingNotices) pendingNotices.push(line);
    else if (chatty || line.startsWith('!')) say(line);
  };
  const flushNotices = () => {
    const lines = (pendingNotices ?? []).filter((line) => chatty || line.startsWith('!'));
    pendingNotices = undefined;
    if (lines.length > 0) say(lines.join('\n'));
  };
  const dryRun = flags.dryRun !== undefined && flags.dryRun !== false;
  if (!dryRun && !flags.yes && !environment.interactive) {
    throw new UsageError('refusing to send without confirmation: not at a terminal; pass --yes to send');
  }
  const ledgerFile = flags.ledger ?? defaultLedger(csvFile);
  const concurrency = flags.concurrency ?? Math.min(256, Math.max(16, Math.ceil(flags.mps / 2)));
  const interrupt = new AbortController();
  let firstSignalAt: number | undefined;
  /** Set while the confirmation waits for an answer: a signal then cancels it, and nothing was sent. */
  let prompting = false;
  let cancelledAtPrompt = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = clock.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      if (!prompting) say('stopping: no new requests; waiting for those in flight (Ctrl-C again to quit at once)');
      interrupt.abort();
      return;
    }
    // npx and npm forward the terminal's Ctrl-C to us as well: the same keypress arrives twice.
    if (now - firstSignalAt < 1000) return;
    removeSignals();
    process.kill(process.pid, signal); // a second Ctrl-C: quit at once, as the user asked
  };
  const removeSignals = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  /** Where the messages go, from the provider's setup: the confirmation says it. */
  let destination: Destination | undefined;
  let progress: ReturnType<typeof progressReporter> | undefined;
  const quietNews = new ThrottleNews();
  let result: SendResult;
  try {
    result = await sendCampaign(
      {
        csvFile,
        templateFile: flags.template,
        ledgerFile,
        provider: flags.provider,
        mps: flags.mps,
        concurrency,
        timeoutMs: flags.timeout * 1000,
        maxConsecutiveFailures: flags.maxConsecutiveFailures,
        allowChangedInputs: flags.allowChangedInputs === true,
        dryRunFile: dryRun ? (typeof flags.dryRun === 'string' ? flags.dryRun : defaultRequestsFile(csvFile)) : undefined,
        defaultCountry: flags.defaultCountry,
        suppressFile: flags.suppress,
        phoneColumn: flags.phoneColumn,
        optInColumn: flags.optInColumn,
        preflight: flags.preflight !== false,
        delimiter: flags.delimiter,
        encoding: flags.encoding,
        optInValues: flags.optInValues,
        rejectsFile: flags.rejects,
        dailyRecipientLimit: flags.dailyLimit,
      },
      {
        // The provider comes from the environment, here: the use case is handed the result.
        resolveProvider: async (spec) => {
          const allowInsecureHttp = flags.allowInsecureHttp === true;
          const setup = providerFromEnv(flags.provider, env, spec, {
            allowInsecureHttp,
            statusCallbackUrl: flags.statusCallback,
            placeholders: dryRun,
            marketingApi: flags.marketingApi ?? 'auto',
            notice,
          });
          destination = { provider: flags.provider, baseUrl: setup.baseUrl, sender: setup.sender, emulator: usesDemoCredentials(flags.provider, env) };
          for (const warning of setup.warnings ?? []) notice(warning);
          await setup.prepare?.();
          // The look-up's configuration only when it will be used: a dry run may lack credentials.
          const templates = dryRun || flags.preflight === false ? undefined : templateLookupFromEnv(flags.provider, env, { allowInsecureHttp });
          return { ...setup, templates };
        },
        clock,
        // The machine's waits for a CPU widen the pacer's window; on a test's manual clock there are none to see.
        watchLoopStalls: clock === systemClock,
        signal: interrupt.signal,
        redact,
        confirm: async (plan) => {
          // The plan, then what the provider's setup said (the route and why) beneath it.
          if (flags.yes) {
            const lines = chatty ? [describePlan(plan, destination, csvFile)] : warningLines(plan);
            if (lines.length > 0) say(lines.join('\n'));
            flushNotices();
            return true;
          }
          say(describePlan(plan, destination, csvFile));
          flushNotices();
          prompting = true;
          const answer = await askYesNo(`Send ${plural(plan.toSend, 'message')}? [y/N] `, {
            input: io.stdin ?? process.stdin,
            output: io.stderr,
            signal: interrupt.signal,
          });
          prompting = false;
          cancelledAtPrompt = answer === 'cancelled';
          return answer === 'yes';
        },
        onProgress: (stats, plan) => {
          if (!chatty) {
            const note = quietNews.of(stats);
            if (note) say(`! ${note}`);
            return;
          }
          if (stats.requests === 0) return;
          progress ??= progressReporter({ stream: io.stderr, total: plan.toSend, clock, color: colorEnabled(env, io.stderr) });
          progress.update(stats);
        },
      },
    );
  } finally {
    progress?.stop();
    removeSignals();
  }

  if (result.kind === 'dry_run') {
    if (chatty) say(describePlan(result.plan, destination, csvFile));
    flushNotices();
    say(`dry run: ${plural(result.requests, 'request')} written to ${result.file}; nothing was sent`);
    if (flags.json) out(`${JSON.stringify({ dry_run: true, requests: result.requests, file: result.file, ...summaryKeys(undefined, result.plan, ledgerFile) })}\n`);
    return;
  }
  if (result.kind === 'nothing_to_send') {
    if (flags.json) out(`${JSON.stringify({ nothing_to_send: true, ...summaryKeys(undefined, result.plan, ledgerFile) })}\n`);
    else say(nothingToSendLine(result.plan));
    return;
  }
  const heldLine = dailyLimitHeldLine(result.plan);
  if (result.kind === 'cancelled') {
    if (flags.json) out(`${JSON.stringify({ cancelled: true, ...summaryKeys(undefined, result.plan, ledgerFile) })}\n`);
    // Ctrl-C or Ctrl-D at the question is an interruption (exit 130); "no" is an answer (exit 0).
    if (cancelledAtPrompt) throw new InterruptedError('cancelled: nothing was sent');
    say('cancelled: nothing was sent');
    return;
  }

  const { stats, end, durationMs } = result;
  if (flags.json) {
    const summary = { ...summaryKeys(stats, result.plan, ledgerFile), duration_s: round(durationMs / 1000), rate: round(requestRate(stats)) };
    out(`${JSON.stringify({ ...summary, ...(end.reason === 'stopped' ? { stopped: { code: end.code, title: end.title, fix: end.fix } } : {}), ...(end.reason === 'interrupted' ? { interrupted: true } : {}) })}\n`);
  } else {
    if (chatty) out(`${summaryTable(stats, result.plan, durationMs)}\n`);
    // On a terminal the table says it all; a log (and --quiet) keeps one line per run.
    if (chatty && stderrTTY) say(`ledger: ${ledgerFile}`);
    else say(summaryLine(stats, result.plan, end, durationMs, ledgerFile));
  }
  if (heldLine && !flags.json) say(heldLine);
  // Said in every mode (a warning under --json and --quiet too): the one thing to change next time.
  const advice = pacingAdviceLine(stats);
  if (advice) say(`! ${advice}`);
  if (stats.duplicate_message_ids > 0) {
    say(
      `! ${plural(stats.duplicate_message_ids, 'answer')} repeated a message id the provider had already returned for another recipient: recorded as in doubt (duplicate_message_id), not accepted, and never re-sent automatically; ask the provider why`,
    );
  }
  const resume = resumeCommand(environment.commandLine);
  if (end.reason === 'stopped') {
    // How many this run leaves in doubt, and which answers the ledger could not record: one line still.
    const notes = inDoubtNotes(stats).map((note) => `${note}. `).join('');
    if (end.code === 'ledger') throw new LedgerError(redact(`stopped: ${end.title}; ${end.fix}. ${notes}Resume with: ${resume}`));
    throw new ProviderStopError(redact(`stopped: ${end.title} (${end.code}): ${end.fix}. ${notes}Nothing more was sent; resume when fixed: ${resume}`));
  }
  if (end.reason === 'interrupted') throw new InterruptedError(`interrupted: the ledger is up to date; resume with: ${resume}`);
}

/**
 * The command to run again to resume: the one the user ran, as they ran it (through npx, an
 * installed bin or node), with the same arguments (their flags are what the ledger's plan was
 * made with); nothing added, so an interactive run resumes with its confirmation.
 */
function resumeCommand(commandLine: readonly string[]): string {
  return commandLine.map(shellQuote).join(' ');
}

export function defaultLedger(csvFile: string): string {
  return /\.csv$/i.test(csvFile) ? csvFile.replace(/\.csv$/i, '.ledger.jsonl') : `${csvFile}.ledger.jsonl`;
}

function defaultRequestsFile(csvFile: string): string {
  const dir = path.dirname(csvFile);
  return path.join(dir, `${path.basename(csvFile).replace(/\.csv$/i, '')}.requests.jsonl`);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
