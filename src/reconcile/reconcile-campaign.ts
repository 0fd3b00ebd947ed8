import { lstat, mkdir, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../errors.js';
import { isProcessAlive } from '../fs/is-process-alive.js';
import { notARegularFile } from '../fs/not-a-regular-file.js';
import type { WritableFile } from '../fs/writable-file.js';
import { describeOpenError } from '../fs/describe-open-error.js';
import { AtomicFile } from '../fs/atomic-file.js';
import type { Decision, RecipientStateName } from './decide-recipient.js';
import { CampaignFold } from './fold-campaign.js';
import { foldLedger, type RowLines } from './fold-ledger.js';
import { normaliseKeyword } from './parse-event.js';
import { columnsBesideVariables, LIST_FILES, RECONCILE_LISTS, type ListName } from './reconcile-lists.js';
import { listRowsText } from './list-rows-text.js';
import { listedRecipients } from './listed-recipients.js';
import { startReadingEvents, type EventsReader, type EventsReport } from './read-events.js';

export const SUMMARY_FILE = 'summary.json';

const STATES: RecipientStateName[] = ['read', 'delivered', 'sent', 'waiting_retry', 'retry', 'sms_fallback', 'suppressed', 'in_doubt', 'failed'];

export interface ReconcileOptions {
  ledgerFile: string;
  eventFiles: string[];
  outDir: string;
  /** The clock reading the rules are applied at (ms). */
  now: number;
  optOutKeywords: string[];
  /** Events data from which a worker thread reads the ledger and shares the events (default 16 MiB; tests set 0). */
  workerThresholdBytes?: number;
  /** Opens each output's temp file (default: the real file system); tests pass failing ones. */
  openFile?: (temp: string) => Promise<WritableFile>;
}

/** `summary.json`: a function of the ledger, the events (as a set) and `--now` only. */
/** One step of the funnel: how many recipients got this far, and their share of all recipients (percent, one decimal). */
export interface FunnelStep {
  count: number;
  percent: number;
}

/**
 * What a marketer asks of a campaign, by each recipient's latest attempt: accepted by the provider,
 * delivered (read included), read, and failed with the failures by code.
 */
export interface Funnel {
  accepted: FunnelStep;
  delivered: FunnelStep;
  read: FunnelStep;
  failed: FunnelStep & { by_code: Record<string, number> };
}

export interface Summary {
  now: string;
  recipients: number;
  funnel: Funnel;
  /**
   * Whether any status event matched this campaign. Without one reconcile cannot see deliveries:
   * nobody is declared ttl_expired (accepted recipients stay `sent`).
   */
  deliveries_visible: boolean;
  states: Record<RecipientStateName, number>;
  lists: Record<string, number>;
  reasons: Record<string, number>;
  errors: Record<string, number>;
  next_retry_at: string | null;
  /**
   * Provider message ids given to more than one recipient (by send's answers, or by callbacks'
   * correlation ids): a provider that answered wrongly. Their events are applied to no one.
   */
  duplicate_message_ids: number;
}

export interface ReconcileResult {
  summary: Summary;
  /** `ambiguous`: statuses naming only a message id given to more than one recipient (applied to no one). */
  events: { files: number; lines: number; matched: number; unmatched: number; ambiguous: number; unknown: number };
  unknown: { file: string; line: number; why: string }[];
  files: Record<string, string>;
}

/**
 * `reconcile`: reads the ledger, folds every events file into it, applies the rules at `now`, and
 * writes the lists. The ledger is read twice (once to fold, then, to write rows in ledger order,
 * the lines of the listed recipients' rows only) so that no recipient's row has to be held in memory.
 */
export async function reconcileCampaign(options: ReconcileOptions): Promise<ReconcileResult> {
  await requireFile(options.ledgerFile);
  for (const file of options.eventFiles) await requireFile(file);

  // What pass 1 reads is what pass 2 reads, even if a `send` appends meanwhile.
  const ledger = { file: options.ledgerFile, size: (await stat(options.ledgerFile)).size };
  // With many events, a worker thread reads the ledger for the fold here, then parses events (both cores busy).
  const eventsReader = await startReadingEvents(options.eventFiles, options.optOutKeywords.map(normaliseKeyword), ledger, options.workerThresholdBytes);
  // Send writes some 450 bytes a recipient (an intent with its row, an outcome).
  const fold = new CampaignFold(Math.ceil(ledger.size / 400));
  let events: EventsReport;
  let summary: Summary;
  let files: Record<string, string>;
  try {
    const rowLines = await foldLedger(fold, options.ledgerFile, eventsReader.ledgerBatches());
    events = await eventsReader.foldInto(fold);
    const decisions = fold.decide(options.now);
    summary = summarise(decisions, options.now, fold, fold.ambiguousMessageIds());
    await ensureFolder(options.outDir);
    await removeStaleTemps(options.outDir);
    files = await writeLists(fold, decisions, options, rowLines, `${JSON.stringify(summary, null, 2)}\n`, eventsReader);
  } finally {
    await eventsReader.close();
  }
  return {
    summary,
    events: { files: options.eventFiles.length, lines: events.lines, ...fold.counts, unknown: events.unknownCount },
    unknown: events.unknown,
    files,
  };
}

function summarise(decisions: Decision[], now: number, fold: CampaignFold, ambiguousMessageIds: number): Summary {
  const recipients = fold.recipients;
  const reached = [0, 0, 0, 0]; // accepted, delivered, read by stage
  let failed = 0;
  const failedByCode = new Map<string, number>();
  for (let r = 0; r < recipients; r++) {
    const stage = fold.funnelStageOf(r);
    if (stage < 0) {
      failed++;
      const code = decisions[r]!.code || 'unknown';
      failedByCode.set(code, (failedByCode.get(code) ?? 0) + 1);
      if (stage === -2) reached[1]!++;
    }
    for (let step = 1; step <= stage; step++) reached[step]!++;
  }
  const step = (count: number): FunnelStep => ({ count, percent: recipients === 0 ? 0 : Math.round((count * 1000) / recipients) / 10 });
  const funnel: Funnel = { accepted: step(reached[1]!), delivered: step(reached[2]!), read: step(reached[3]!), failed: { ...step(failed), by_code: sortedKeys(failedByCode) } };
  const states = Object.fromEntries(STATES.map((state) => [state, 0])) as Record<RecipientStateName, number>;
  const lists: Record<string, number> = Object.fromEntries(Object.values(LIST_FILES).map((file) => [file, 0]));
  // Maps: a code is the ledger's or a callback's text (`constructor`, `__proto__` are codes too).
  const reasons = new Map<string, number>();
  const errors = new Map<string, number>();
  let nextRetry = Infinity;
  for (const decision of decisions) {
    states[decision.state]++;
    if (decision.list) lists[LIST_FILES[decision.list]]!++;
    if (decision.reason) reasons.set(decision.reason, (reasons.get(decision.reason) ?? 0) + 1);
    if (decision.code) errors.set(decision.code, (errors.get(decision.code) ?? 0) + 1);
    if (decision.state === 'waiting_retry' && decision.dueAt! < nextRetry) nextRetry = decision.dueAt!;
  }
  return {
    now: new Date(now).toISOString(),
    recipients,
    funnel,
    deliveries_visible: fold.anyStatusMatched,
    states,
    lists,
    reasons: sortedKeys(reasons),
    errors: sortedKeys(errors),
    next_retry_at: nextRetry === Infinity ? null : new Date(nextRetry).toISOString(),
    duplicate_message_ids: ambiguousMessageIds,
  };
}

/**
 * The lists, rows in the order recipients first appear in the ledger (so the same inputs give the
 * same bytes), and the summary. All or nothing: every file is written and synced before any
 * replaces its old self, so a full disk leaves the old lists and summary.json as they were (a
 * summary must never count rows that a truncated list lacks). With a worker thread, it writes the
 * rows of the later half of the listed recipients while this thread writes the earlier half's.
 */
async function writeLists(fold: CampaignFold, decisions: Decision[], options: ReconcileOptions, rowLines: RowLines, summary: string, helper: Pick<EventsReader, 'listRowsText'>): Promise<Record<string, string>> {
  const firstRun = fold.runs[0];
  const phoneColumn = firstRun?.phone_column ?? 'phone';
  const optInColumn = firstRun?.opt_in_column ?? 'opt_in';
  const reserved = new Set<string>([phoneColumn, optInColumn, ...columnsBesideVariables()]);
  const variables = fold.columns.filter((name) => !reserved.has(name));
  const names = RECONCILE_LISTS.map((list) => list.name);
  const outputs = {} as Record<ListName, AtomicFile>;
  let summaryFile: AtomicFile | undefined;
  const open = (name: string) => AtomicFile.open(path.join(options.outDir, name), { openFile: options.openFile });
  // Each recipient's row is on their first intent, whose line pass 1 noted: only the lines of
  // recipients in a list are read again (in ledger order: recipients are numbered as they first
  // appear), parsed, and written.
  const listed = listedRecipients(fold, decisions, rowLines, { file: options.ledgerFile, now: options.now, variables, optInColumn });
  const half = Math.ceil(listed.count / 2);
  const theirs = helper.listRowsText(listed, half, listed.count);
  // (Awaited below, or its failure would go unhandled while this thread's is thrown.)
  theirs?.catch(() => undefined);
  try {
    for (const list of RECONCILE_LISTS) {
      outputs[list.name] = await open(list.file);
      await outputs[list.name].write(stringify([list.columns(variables)], { record_delimiter: 'unix' }));
    }
    summaryFile = await open(SUMMARY_FILE);
    for (const texts of [await listRowsText(listed, 0, theirs ? half : listed.count), await theirs]) {
      if (texts === undefined) continue;
      for (let list = 0; list < names.length; list++) if (texts[list]) await outputs[names[list]!].write(texts[list]!);
    }
    await summaryFile.write(summary);
    await AtomicFile.commitAll([...names.map((name) => outputs[name]), summaryFile]);
  } catch (error) {
    for (const name of names) await outputs[name]?.abort();
    await summaryFile?.abort();
    throw error;
  }
  return { ...Object.fromEntries(names.map((name) => [name, outputs[name].file])), summary: summaryFile.file };
}

async function requireFile(file: string): Promise<void> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw notARegularFile(info, file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(describeOpenError(error), { file });
  }
}

/**
 * The output folder, created if missing (its parent must exist: a mistyped path is refused rather
 * than built); anything in the way is an InputError (exit 2).
 */
async function ensureFolder(folder: string): Promise<void> {
  try {
    try {
      // 0700: the lists in it hold phone numbers (they are 0600 themselves; their names need not show either).
      await mkdir(folder, { mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new InputError(`the folder ${path.dirname(folder)} does not exist (reconcile creates --out, not the folders above it)`, { file: folder });
      if (code !== 'EEXIST') throw error;
    }
    const info = await stat(folder).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && (await lstat(folder).catch(() => undefined))?.isSymbolicLink()) {
        throw new InputError('is a symbolic link to a folder that does not exist', { file: folder });
      }
      throw error;
    });
    if (!info.isDirectory()) throw new InputError('--out must be a folder, and this is a file', { file: folder });
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot create the output folder: ${(error as Error).message.replace(/^\w+: /, '')}`, { file: folder });
  }
}

/** Temp files a killed run left behind (its pid no longer running). */
async function removeStaleTemps(folder: string): Promise<void> {
  const names = [...Object.values(LIST_FILES), SUMMARY_FILE];
  for (const entry of await readdir(folder)) {
    const match = /^\.(.+)\.(\d+)\.tmp$/.exec(entry);
    if (!match || !names.includes(match[1]!) || isProcessAlive(Number(match[2]))) continue;
    await unlink(path.join(folder, entry)).catch(() => undefined);
  }
}

/** The counts as an object with sorted keys (fromEntries defines own keys, `__proto__` included). */
function sortedKeys(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
