import path from 'node:path';
import Table from 'cli-table3';
import { systemClock } from '../campaign/clock.js';
import { requestRate, type CampaignStats } from '../campaign/campaign-stats.js';
import { sendCampaign, type SendPlan, type SendResult } from '../campaign/send-campaign.js';
import { loadEnv } from '../config/load-env.js';
import { InterruptedError, LedgerError, ProviderStopError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { environmentRedactor, providerFromEnv, type ProviderName } from '../providers/index.js';
import { FIXED_REJECT_REASONS } from '../recipients/audience.js';
import { plural } from '../recipients/plural.js';
import type { countryOption } from './options.js';
import { shellQuote } from '../invocation.js';
import { askYesNo } from './ask-yes-no.js';
import { formatDuration, progressReporter } from './progress.js';
import type { SendEnvironment } from './send.js';

export interface SendFlags {
  template?: string;
  provider: ProviderName;
  mps: number;
  ledger?: string;
  yes?: boolean;
  json?: boolean;
  dryRun?: string | boolean;
  suppress?: string;
  defaultCountry?: ReturnType<typeof countryOption>;
  phoneColumn: string;
  optInColumn: string;
  delimiter?: string;
  encoding?: string;
  optInValues?: string[];
  rejects?: string;
  concurrency?: number;
  timeout: number;
  maxConsecutiveFailures: number;
  allowChangedInputs?: boolean;
  allowInsecureHttp?: boolean;
  statusCallback?: string;
}

/** `send`, once its flags are parsed (see send.ts for them). */
export async function sendAction(csvFile: string, flags: SendFlags, io: Io, environment: SendEnvironment): Promise<void> {
  const env = await loadEnv(io.env, environment.cwd);
  const redact = environmentRedactor(env);
  const out = (text: string) => io.stdout.write(redact(text));
  const say = (text: string) => io.stderr.write(redact(`${text}\n`));
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
    const now = Date.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      if (!prompting) say('wa-broadcast: stopping: no new requests; waiting for those in flight (Ctrl-C again to quit at once)');
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

  let progress: ReturnType<typeof progressReporter> | undefined;
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
        delimiter: flags.delimiter,
        encoding: flags.encoding,
        optInValues: flags.optInValues,
        rejectsFile: flags.rejects,
      },
      {
        // The provider comes from the environment, here: the use case is handed the result.
        resolveProvider: (spec) =>
          providerFromEnv(flags.provider, env, spec, {
            allowInsecureHttp: flags.allowInsecureHttp === true,
            statusCallbackUrl: flags.statusCallback,
            placeholders: dryRun,
          }),
        clock: io.clock ?? systemClock,
        signal: interrupt.signal,
        redact,
        confirm: async (plan) => {
          say(describePlan(plan));
          if (flags.yes) return true;
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
          if (stats.requests === 0) return;
          progress ??= progressReporter({ stream: io.stderr as NodeJS.WritableStream & { isTTY?: boolean }, total: plan.toSend });
          progress.update(stats);
        },
      },
    );
  } finally {
    progress?.stop();
    removeSignals();
  }

  if (result.kind === 'dry_run') {
    say(describePlan(result.plan));
    say(`dry run: ${result.requests} request(s) written to ${result.file}; nothing was sent`);
    if (flags.json) out(`${JSON.stringify({ dry_run: true, requests: result.requests, file: result.file, ...summaryKeys(undefined, result.plan, ledgerFile) })}\n`);
    return;
  }
  if (result.kind === 'cancelled') {
    if (flags.json) out(`${JSON.stringify({ cancelled: true, ...summaryKeys(undefined, result.plan, ledgerFile) })}\n`);
    // Ctrl-C or Ctrl-D at the question is an interruption (exit 130); "no" is an answer (exit 0).
    if (cancelledAtPrompt) throw new InterruptedError('cancelled: nothing was sent');
    say('cancelled: nothing was sent');
    return;
  }

  const { stats, end, durationMs } = result;
  const summary = { ...summaryKeys(stats, result.plan, ledgerFile), duration_s: round(durationMs / 1000), rate: round(requestRate(stats)) };
  const table = summaryTable(stats, result.plan, durationMs);
  if (flags.json) {
    say(table);
    out(`${JSON.stringify({ ...summary, ...(end.reason === 'stopped' ? { stopped: { code: end.code, title: end.title, fix: end.fix } } : {}), ...(end.reason === 'interrupted' ? { interrupted: true } : {}) })}\n`);
  } else {
    out(`${table}\n`);
  }
  if (stats.duplicate_message_ids > 0) {
    say(
      `! ${stats.duplicate_message_ids} answer(s) repeated a message id the provider had already returned for another recipient: recorded as in doubt (duplicate_message_id), not accepted, and never re-sent automatically; ask the provider why`,
    );
  }
  const resume = resumeCommand(environment.commandLine);
  if (end.reason === 'stopped') {
    if (end.code === 'ledger') throw new LedgerError(redact(`stopped: ${end.title}; ${end.fix}. Resume with: ${resume}`));
    throw new ProviderStopError(redact(`stopped: ${end.title} (${end.code}): ${end.fix}. Nothing more was sent; resume when fixed: ${resume}`));
  }
  if (end.reason === 'interrupted') throw new InterruptedError(`interrupted: the ledger is up to date; resume with: ${resume}`);
  say(`ledger: ${ledgerFile}`);
}

/** The fixed `--json` keys (SPEC.md) plus a few more. */
function summaryKeys(stats: CampaignStats | undefined, plan: SendPlan, ledger: string) {
  const rejected = Object.fromEntries(Object.entries(plan.validation.rejected).filter(([reason, n]) => n > 0 || (FIXED_REJECT_REASONS as readonly string[]).includes(reason)));
  return {
    accepted: stats?.accepted ?? 0,
    failed: stats?.failed ?? 0,
    in_doubt: stats?.in_doubt ?? 0,
    skipped: stats?.skipped ?? plan.alreadyDone,
    skipped_in_doubt: stats?.skipped_in_doubt ?? plan.inDoubt,
    held: stats?.held ?? 0,
    retries: stats?.retries ?? 0,
    duplicate_message_ids: stats?.duplicate_message_ids ?? 0,
    rejected,
    errors: stats?.errors ?? {},
    ledger,
  };
}

function describePlan(plan: SendPlan): string {
  const { template } = plan;
  const rejected = plan.validation.rows - plan.validation.sendable;
  const parts = [
    `${plan.validation.rows} rows: ${plan.validation.sendable} sendable, ${rejected} rejected (run validate for the reasons)`,
    plan.alreadyDone + plan.inDoubt > 0 ? `ledger: ${plan.alreadyDone} already done, ${plan.inDoubt} in doubt (not re-sent)` : undefined,
    `to send: ${plan.toSend} with ${template.name} (${template.language}, ${template.category}) through ${plan.provider} at ${plan.mps}/s, about ${formatDuration(plan.toSend / plan.mps)}`,
    ...plan.validation.warnings.map((w) => `! ${w.message}`),
  ];
  return parts.filter(Boolean).join('\n');
}

function summaryTable(stats: CampaignStats, plan: SendPlan, durationMs: number): string {
  const table = new Table({ colAligns: ['left', 'right'], style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  const seconds = durationMs / 1000;
  table.push(['accepted', stats.accepted]);
  if (stats.held > 0) table.push(['  of which held for quality assessment', stats.held]);
  table.push(['failed', stats.failed]);
  for (const [code, count] of Object.entries(stats.errors).sort((a, b) => b[1] - a[1])) table.push([`  attempts with error ${code}`, count]);
  table.push(['in doubt (never re-sent automatically)', stats.in_doubt]);
  table.push(['skipped: already done in the ledger', stats.skipped]);
  if (stats.skipped_in_doubt > 0) table.push(['skipped: in doubt in the ledger', stats.skipped_in_doubt]);
  table.push(['rejected by validation', plan.validation.rows - plan.validation.sendable]);
  table.push(['retries', stats.retries]);
  table.push(['duration', formatDuration(seconds)]);
  table.push(['mean rate', `${requestRate(stats).toFixed(1)}/s`]);
  return table.toString();
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
