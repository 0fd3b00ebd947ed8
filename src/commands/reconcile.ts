import Table from 'cli-table3';
import { InvalidArgumentError, type Command } from 'commander';
import { systemClock } from '../clock.js';
import { formatLocated } from '../errors.js';
import type { Io } from '../io.js';
import { DEFAULT_OPT_OUT_KEYWORDS } from '../reconcile/parse-event.js';
import { reconcileCampaign, SUMMARY_FILE, type ReconcileResult } from '../reconcile/reconcile-campaign.js';
import { RECONCILE_LISTS } from '../reconcile/reconcile-lists.js';
import { plural } from '../plural.js';

interface ReconcileFlags {
  ledger: string;
  events: string[];
  out: string;
  now?: number;
  optOutKeywords?: string[];
  json?: boolean;
}

/** Commander parser for `--now`: an ISO-8601 date and time (a bare date means midnight UTC). */
export function instantOption(value: string): number {
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) throw new InvalidArgumentError('expected an ISO-8601 time such as 2026-11-24T09:15:00Z.');
  return at;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function keywordList(value: string): string[] {
  const words = value.split(',').map((word) => word.trim()).filter(Boolean);
  if (words.length === 0) throw new InvalidArgumentError('expected comma-separated words, e.g. STOP,UNSUBSCRIBE,"Stop promotions".');
  return words;
}

/** `a, b and c`. */
function inWords(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

export function registerReconcile(program: Command, io: Io): void {
  program
    .command('reconcile')
    .description(`fold the ledger and the status events through the platform rules into ${inWords(RECONCILE_LISTS.map((list) => list.title))} lists`)
    .requiredOption('--ledger <file>', "the campaign's ledger (written by send)")
    .option('--events <file>', 'events file written by webhook (repeat for several receivers)', collect, [])
    .requiredOption('--out <dir>', `folder for ${[...RECONCILE_LISTS.map((list) => list.file), SUMMARY_FILE].join(', ')}`)
    .option('--now <ISO-8601>', 'the time to apply the rules at (default: now), for cron replays and tests', instantOption)
    .option('--opt-out-keywords <words>', `inbound replies that opt a person out, comma-separated, whole message, any case (default: ${DEFAULT_OPT_OUT_KEYWORDS.join(',')}); add your template's opt-out quick-reply text or payload`, keywordList)
    .option('--json', 'print one JSON object on stdout (the summary, the events read, the files written)')
    .action(async (flags: ReconcileFlags) => {
      const result = await reconcileCampaign({
        ledgerFile: flags.ledger,
        eventFiles: flags.events,
        outDir: flags.out,
        // The injected clock's wall time (io.clock: a test's manual clock; default the system's).
        now: flags.now ?? (io.clock ?? systemClock).date().getTime(),
        optOutKeywords: flags.optOutKeywords ?? DEFAULT_OPT_OUT_KEYWORDS,
      });
      if (flags.json) io.stdout.write(`${JSON.stringify({ ...result.summary, events: result.events, unknown_events: result.unknown, files: result.files })}\n`);
      // SPEC "Outputs": with --json, stderr holds only warnings and errors (a cron job's log stays short).
      io.stderr.write(flags.json ? reconcileWarnings(result) : formatReconcile(result));
    });
}

/** The human summary, on stderr: states, lists with their files, errors by code, what to do next. */
export function formatReconcile(result: ReconcileResult): string {
  const { summary, events } = result;
  const out: string[] = [];
  out.push(`${summary.recipients} recipients in the ledger, reconciled at ${summary.now}`);
  const ambiguous = events.ambiguous > 0 ? `, ${events.ambiguous} naming only a message id given to several recipients` : '';
  out.push(`events: ${events.lines} lines from ${plural(events.files, 'file')}, ${events.matched} matched, ${events.unmatched} about other messages or people${ambiguous}, ${events.unknown} not understood`);
  const tableStyle = { colAligns: ['left', 'right'] as ('left' | 'right')[], style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } };
  const warnings = warningsOf(result);
  if (warnings.deliveries) out.push(warnings.deliveries);
  const { funnel } = summary;
  const funnelTable = new Table({ ...tableStyle, head: ['funnel', 'recipients', '%'], colAligns: ['left', 'right', 'right'] });
  const percent = (p: number) => `${p.toFixed(1)} %`;
  funnelTable.push(['accepted', funnel.accepted.count, percent(funnel.accepted.percent)]);
  funnelTable.push(['delivered', funnel.delivered.count, percent(funnel.delivered.percent)]);
  funnelTable.push(['read', funnel.read.count, percent(funnel.read.percent)]);
  funnelTable.push(['failed', funnel.failed.count, percent(funnel.failed.percent)]);
  for (const [code, n] of Object.entries(funnel.failed.by_code).sort((a, b) => b[1] - a[1])) funnelTable.push([`  failed with ${code}`, n, '']);
  out.push(funnelTable.toString());
  const states = new Table(tableStyle);
  for (const [state, count] of Object.entries(summary.states)) states.push([state.replace('_', ' '), count]);
  out.push(states.toString());
  const lists = new Table({ ...tableStyle, head: ['list', 'rows'] });
  for (const { name, file } of RECONCILE_LISTS) lists.push([result.files[name] ?? file, summary.lists[file] ?? 0]);
  out.push(lists.toString());
  const errors = Object.entries(summary.errors);
  if (errors.length > 0) out.push(`by error code: ${errors.map(([code, n]) => `${code} × ${n}`).join(', ')}`);
  if (warnings.duplicates) out.push(warnings.duplicates);
  if (summary.next_retry_at) out.push(`next retry due: ${summary.next_retry_at} (run reconcile again after it)`);
  out.push(...warnings.unknown);
  out.push(`summary: ${result.files.summary}`);
  return `${out.join('\n')}\n`;
}

/** What `reconcile --json` writes on stderr: the warnings of the human summary, no tables. */
export function reconcileWarnings(result: ReconcileResult): string {
  const { deliveries, duplicates, unknown } = warningsOf(result);
  const out = [deliveries, duplicates, ...unknown].filter((line) => line !== undefined);
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** The summary's warnings: no deliveries visible, message ids given to several recipients, event lines not understood. */
function warningsOf(result: ReconcileResult): { deliveries: string | undefined; duplicates: string | undefined; unknown: string[] } {
  const { summary, events } = result;
  const deliveries =
    !summary.deliveries_visible && summary.recipients > 0
      ? '! no status events matched this campaign: reconcile cannot see deliveries, so nobody is declared ttl_expired (accepted messages stay "sent"). Is the webhook receiving callbacks, and was --events given? For Twilio, send needs --status-callback'
      : undefined;
  const duplicates =
    summary.duplicate_message_ids > 0
      ? `! ${plural(summary.duplicate_message_ids, 'message id')} ${summary.duplicate_message_ids === 1 ? 'was' : 'were'} given to more than one recipient (the provider answered wrongly): ${plural(events.ambiguous, 'status event')} naming only such an id ${events.ambiguous === 1 ? 'was' : 'were'} applied to no one, and those recipients are decided as if none had matched`
      : undefined;
  const unknown =
    result.unknown.length > 0
      ? [`Event lines not understood (${events.unknown}; counted, not fatal):`, ...result.unknown.map((entry) => `  ${formatLocated(entry.why, { file: entry.file, line: entry.line })}`)]
      : [];
  return { deliveries, duplicates, unknown };
}
