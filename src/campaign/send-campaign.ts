import { randomBytes } from 'node:crypto';
import { REDACTED } from '../config/redact.js';
import { InputError } from '../errors.js';
import { FileLock } from '../fs/file-lock.js';
import { refuseNonRegularInput } from '../fs/refuse-non-regular-input.js';
import { SpaceReserve } from '../fs/space-reserve.js';
import { hashFile } from '../ledger/hash-file.js';
import { LEDGER_VERSION } from '../ledger/ledger-records.js';
import { openLedgerWriter, type LedgerWriter, type LedgerWriterOptions } from '../ledger/open-ledger-writer.js';
import { planResume, resumeDecision, type ResumePlan } from '../ledger/plan-resume.js';
import { readLedger } from '../ledger/read-ledger.js';
import { DAY_MS, recentRecipients, type RecentRecipients } from '../ledger/recent-recipients.js';
import type { CountryCode } from '../recipients/normalize-phone.js';
import { loadSuppressionList } from '../recipients/load-suppression-list.js';
import { openAudience, type AudienceSource } from '../recipients/open-audience.js';
import { validateCampaign, type ValidationReport } from '../recipients/validate-campaign.js';
import type { PhoneKeys } from '../recipients/phone-table.js';
import { httpTransport, type GetTransport, type Transport } from '../providers/http-transport.js';
import type { ProviderName } from '../providers/index.js';
import type { TemplateLookupSetup } from '../providers/template-lookup.js';
import type { Provider } from '../providers/provider.js';
import { findTemplateSpec } from '../template/find-template-spec.js';
import { loadTemplateSpec } from '../template/load-template-spec.js';
import type { TemplateSpec } from '../template/template-spec.js';
import { AtomicFile } from '../fs/atomic-file.js';
import type { Clock } from '../clock.js';
import { DailyAllowance } from './daily-allowance.js';
import { campaignTemplate, isRetryList, notYetDue } from './retry-list.js';
import { ledgerStop, type CampaignEnd } from './campaign-end.js';
import type { CampaignStats } from './campaign-stats.js';
import { runCampaign } from './run-campaign.js';
import { SenderPacers } from './sender-pacers.js';
import { watchCpuWaits } from './cpu-waits.js';
import { loopStalls } from './loop-stalls.js';
import { collectGarbage } from './collect-garbage.js';
import { templatePreflight, type PreflightResult } from './template-preflight.js';
import { countUnrecorded, type UnrecordedOutcome } from './unrecorded-outcome.js';

export interface SendOptions {
  csvFile: string;
  /**
   * The spec; undefined: for a retry list the one the campaign's last run used (from its ledger),
   * else the one beside the CSV (`findTemplateSpec`).
   */
  templateFile: string | undefined;
  ledgerFile: string;
  provider: ProviderName;
  mps: number;
  concurrency: number;
  timeoutMs: number;
  maxConsecutiveFailures: number;
  allowChangedInputs: boolean;
  /** Write the requests to this file instead of sending them. */
  dryRunFile: string | undefined;
  defaultCountry: CountryCode | undefined;
  suppressFile: string | undefined;
  phoneColumn: string;
  optInColumn: string;
  /** Look the template up before sending (SPEC "Template preflight"; the default); false: `--no-preflight`. */
  preflight?: boolean;
  /** `--delimiter`, `--encoding`, `--opt-in-values`: the CSV is read as validate reads it (AudienceSource). */
  delimiter?: string | undefined;
  encoding?: string | undefined;
  optInValues?: readonly string[] | undefined;
  /** `--rejects`: every rejected row written to this CSV, as validate writes it. */
  rejectsFile?: string | undefined;
  /**
   * `--daily-limit`: unique recipients messaged in any 24 h, counting earlier runs of the ledger;
   * the run stops cleanly at it (the rest wait in the CSV for a later run).
   */
  dailyRecipientLimit?: number | undefined;
}

/**
 * The provider for a template spec, as the command configured it (credentials, base URL, and for
 * Twilio the spec's Content SID), with a redactor for its credentials. Called once the spec is
 * loaded; a missing credential or a refused base URL throws here, before anything is sent.
 */
export type ProviderResolution = {
  provider: Provider;
  redact: (text: string) => string;
  /** Its template look-up, or why there is none (undefined: not asked for, as in a dry run). */
  templates?: TemplateLookupSetup;
  /** Whose throughput the messages count against (the pacing is kept per sender); default: the provider's name. */
  sender?: string | undefined;
};
export type ResolveProvider = (spec: TemplateSpec) => Promise<ProviderResolution> | ProviderResolution;

/** What the user is asked to confirm. */
export interface SendPlan {
  toSend: number;
  alreadyDone: number;
  inDoubt: number;
  /** Rows of a retry list not due yet (`due_at` later than now), and the earliest of their due times (ms). */
  notDue: number;
  nextDueAt: number | undefined;
  provider: ProviderName;
  template: ValidationReport['template'];
  mps: number;
  validation: ValidationReport;
  /** What the template preflight found, or why it did not look. */
  preflight: PreflightResult;
  /** With --daily-limit: the ledger's recipients of the last 24 h, those held back for room, and when the next place frees (ISO). */
  dailyLimit?: { limit: number; sentLast24h: number; held: number; nextAt: string | undefined } | undefined;
}

export interface SendDeps {
  /** The provider and its redactor: the command reads the environment, the use case never does. */
  resolveProvider: ResolveProvider;
  clock: Clock;
  /** The HTTP transport (default: got, keep-alive, built once; see http-transport.ts); tests pass their own. */
  transport?: Transport;
  /** The transport of the template look-up (default: the same got client). */
  lookupTransport?: GetTransport;
  /** Asked once everything is checked and before the first request; false cancels. */
  confirm: (plan: SendPlan) => Promise<boolean>;
  signal: AbortSignal;
  onProgress?: (stats: CampaignStats, plan: SendPlan) => void;
  /**
   * The command's redactor (every credential in the environment, in every encoding): applied, with
   * the provider's own, to everything written to the ledger or the dry-run file.
   */
  redact: (text: string) => string;
  /** The ledger's file system and lock identity (default: the real ones); tests pass their own. */
  ledgerOptions?: Pick<LedgerWriterOptions, 'openFile' | 'pid' | 'isAlive' | 'every'>;
  /** Whether the pacer watches the machine's waits for a CPU (cpu-waits.ts, else loop-stalls.ts): on the real clock only. */
  watchLoopStalls?: boolean;
}

export type SendResult =
  | { kind: 'dry_run'; plan: SendPlan; file: string; requests: number }
  | { kind: 'cancelled'; plan: SendPlan }
  | { kind: 'nothing_to_send'; plan: SendPlan }
  | { kind: 'sent'; plan: SendPlan; stats: CampaignStats; end: CampaignEnd; durationMs: number };

/**
 * `send`: the ledger's lock, everything `validate` checks, the ledger's resume plan, then (after
 * confirmation) the paced campaign. Any input or configuration problem surfaces before the first
 * request.
 *
 * The lock comes first and the plan is read under it: a plan read before is stale the moment
 * another `send` on the ledger finishes, and would send its recipients again. A second `send` is
 * refused before it shows any plan. A dry run does not take the lock (it writes nothing to the
 * ledger and must not stop a real send from starting) but is refused while a send holds it: its
 * requests would be out of date as it wrote them. Once it has read the ledger, a send starting
 * after it is no different from one starting after the dry run ended.
 */
export async function sendCampaign(options: SendOptions, deps: SendDeps): Promise<SendResult> {
  // Before the lock: a named pipe as the CSV or the suppression list would block the reading of it
  // (send reads the CSV more than once) with the ledger locked.
  await refuseNonRegularInput(options.csvFile, 'send reads it twice (to check, then to send): save it to a file first (validate reads pipes)');
  for (const input of [options.suppressFile, options.templateFile]) {
    if (input !== undefined) await refuseNonRegularInput(input, 'send needs a regular file here: save it to a file first (validate reads pipes)');
  }
  if (options.dryRunFile !== undefined) {
    await FileLock.refuseIfHeld(options.ledgerFile, deps.ledgerOptions);
    return sendLocked(options, deps, undefined, undefined);
  }
  // The lock removed or taken over while we hold it (someone deleted it, or we were frozen past
  // its staleness and another send took it): the campaign stops (run-campaign.ts).
  const lost = new AbortController();
  const lock = await FileLock.take(options.ledgerFile, { ...deps.ledgerOptions, onLost: (why) => lost.abort(why) });
  try {
    return await sendLocked(options, deps, lock, lost.signal);
  } finally {
    await lock.release();
  }
}

async function sendLocked(options: SendOptions, deps: SendDeps, lock: FileLock | undefined, lockLost: AbortSignal | undefined): Promise<SendResult> {
  const plan = await planResume(readLedger(options.ledgerFile));
  const retryList = await isRetryList(options.csvFile, options);
  if (retryList && !plan.lastRun) {
    throw new InputError(
      'this is a retry list written by reconcile: send it with --ledger naming the campaign’s ledger (the one reconcile read), so that attempts are counted and nobody is messaged twice',
      { file: options.csvFile },
    );
  }
  // The ledger was just read: a retry list's template comes from its last run without a second pass.
  const templateFile =
    options.templateFile ?? (retryList ? await campaignTemplate(plan.lastRun!, options.ledgerFile, options.csvFile) : await findTemplateSpec(options.csvFile));
  const inputs = { ...options, templateFile };
  const spec = await loadTemplateSpec(templateFile);
  const setup = await deps.resolveProvider(spec);
  const redact = (text: string) => deps.redact(setup.redact(text));
  const [csvSha, templateSha] = await Promise.all([hashFile(options.csvFile), hashFile(templateFile)]);
  checkUnchanged(plan, csvSha, templateSha, retryList, inputs);
  const preflight = await runPreflight(spec, setup.templates, options, deps);

  // The CSV is read once to check and count, and again to send; the spec and the suppression list
  // are read once and shared.
  const suppression = options.suppressFile ? await loadSuppressionList(options.suppressFile, options.defaultCountry, { encoding: options.encoding }) : undefined;
  const source = { ...inputs, spec, suppression };
  let toSend = 0;
  let alreadyDone = 0;
  let inDoubt = 0;
  let notDue = 0;
  let nextDueAt = Infinity;
  const limit = options.dailyRecipientLimit;
  const recent = limit === undefined ? undefined : await recentRecipients(readLedger(options.ledgerFile), deps.clock.date().getTime() - DAY_MS);
  const planAllowance = recent && new DailyAllowance(limit!, recent.phones);
  // The first pass's numbers find the duplicates of the second (the dry run's or the send's): one
  // duplicate set for both passes (seen-again.ts), not a second one while the first is collected.
  let firstPass: PhoneKeys | undefined;
  const validation = await validateCampaign({
    ...source,
    onNumbers: (numbers) => (firstPass = numbers),
    onRecipient: (recipient) => {
      if (notYetDue(recipient, deps.clock.date().getTime())) {
        notDue++;
        nextDueAt = Math.min(nextDueAt, recipient.listedDueAt!);
        return;
      }
      const decision = resumeDecision(plan, recipient.phone, recipient.listedAttempts);
      if (decision === 'done') alreadyDone++;
      else if (decision === 'in_doubt') inDoubt++;
      else if (!planAllowance || planAllowance.take(recipient.phone)) toSend++;
    },
  });
  const sendPlan: SendPlan = { toSend, alreadyDone, inDoubt, notDue, nextDueAt: notDue > 0 ? nextDueAt : undefined, provider: options.provider, template: validation.template, mps: options.mps, validation, preflight };
  if (recent && planAllowance) sendPlan.dailyLimit = dailyLimitPlan(limit!, recent, planAllowance.held, deps.clock.date().getTime());

  if (options.dryRunFile !== undefined || !lock) {
    const file = options.dryRunFile!;
    const requests = await writeDryRun({ ...source, firstPass }, setup.provider, plan, redact, file, deps.clock.date().getTime());
    return { kind: 'dry_run', plan: sendPlan, file, requests };
  }
  // Nothing to do writes nothing: a cron job every 15 minutes must not grow the ledger with empty runs.
  if (toSend === 0) return { kind: 'nothing_to_send', plan: sendPlan };
  if (!(await deps.confirm(sendPlan))) return { kind: 'cancelled', plan: sendPlan };

  // Room for every id this run may be given, so the set is not copied while the campaign runs.
  plan.messageIds.reserve(plan.messageIds.size + toSend);
  // The check's garbage (the first pass's duplicate table above all) goes now, not together with
  // the sending's first full collection (collect-garbage.ts).
  collectGarbage();
  const audience = await openAudience({ ...source, firstPass });
  let ledger: LedgerWriter;
  try {
    ledger = await openLedgerWriter(options.ledgerFile, { groupMs: 2, lock, openFile: deps.ledgerOptions?.openFile, clock: deps.clock });
  } catch (error) {
    audience.close();
    throw error;
  }
  // Room for the last lines should the disk fill (space-reserve.ts): given back before they are written.
  const reserve = await SpaceReserve.create(`${options.ledgerFile}.reserve`, LEDGER_RESERVE_BYTES);
  const transport = deps.transport ?? httpTransport({ timeoutMs: options.timeoutMs, maxSockets: options.concurrency });
  const runId = randomBytes(4).toString('hex');
  const waits = deps.watchLoopStalls ? (watchCpuWaits() ?? loopStalls()) : undefined;
  const started = deps.clock.now();
  try {
    await ledger.append({
      type: 'run',
      v: LEDGER_VERSION,
      run: runId,
      at: deps.clock.date().toISOString(),
      pid: process.pid,
      provider: options.provider,
      mps: options.mps,
      csv: options.csvFile,
      csv_sha256: csvSha,
      template: templateFile,
      template_sha256: templateSha,
      template_name: spec.name,
      language: spec.language.code,
      category: spec.category,
      ttl_seconds: spec.ttlSeconds,
      // Which API the messages go through (SPEC "Marketing Messages API"); a switch during the run is announced.
      route: setup.provider.route?.() ?? 'provider',
      ...(preflight.checked && preflight.ttlSeconds !== undefined ? { template_ttl_seconds: preflight.ttlSeconds } : {}),
      phone_column: options.phoneColumn,
      opt_in_column: options.optInColumn,
      ...(retryList ? { retry_list: true } : {}),
    });
    const { stats, end: runEnd, unrecorded } = await runCampaign({
      runId,
      audience,
      plan,
      provider: setup.provider,
      transport,
      ledger,
      clock: deps.clock,
      pacers: new SenderPacers(options.mps, deps.clock, waits && ((since) => waits.worstMs(since))),
      sender: setup.sender ?? setup.provider.name,
      concurrency: options.concurrency,
      allowance: recent && new DailyAllowance(limit!, recent.phones),
      maxConsecutiveFailures: options.maxConsecutiveFailures,
      signal: deps.signal,
      lockLost,
      onProgress: deps.onProgress && ((stats) => deps.onProgress!(stats, sendPlan)),
      redact,
    });
    // The last outcomes are written by the close: only once they are on disk is the run over.
    await ledger.close();
    // What the failed ledger refused gets one more try (nothing is sent any more), then what stays
    // unrecorded is counted where the ledger puts it: in doubt.
    await reserve.release();
    if (unrecorded.length > 0) {
      // Not after the lock was lost: opening the ledger again cuts a torn tail, which may be the line another send is writing.
      countUnrecorded(stats, lock.lost !== undefined ? unrecorded : await writeLate(options.ledgerFile, lock, deps.ledgerOptions?.openFile, unrecorded));
    }
    const end = ledger.failed && !(runEnd.reason === 'stopped' && runEnd.code === 'ledger') ? ledgerStop(ledger.failed.message) : runEnd;
    return { kind: 'sent', plan: sendPlan, stats, end, durationMs: deps.clock.now() - started };
  } finally {
    audience.close();
    await ledger.close();
    await reserve.release();
    if (!deps.transport) (transport as ReturnType<typeof httpTransport>).close();
    waits?.close();
  }
}

/**
 * The preflight, once per run, before the CSV is read: a template that cannot be sent stops here,
 * before the confirmation and before any message request. A dry run does not look (it is
 * validate's check, which touches no network; `validate --online` looks).
 */
async function runPreflight(spec: TemplateSpec, templates: TemplateLookupSetup | undefined, options: SendOptions, deps: SendDeps): Promise<PreflightResult> {
  if (options.dryRunFile !== undefined) return { checked: false, reason: 'a dry run does not look it up (validate --online does)' };
  if (options.preflight === false) return { checked: false, reason: 'skipped (--no-preflight)' };
  if (!templates) return { checked: false, reason: 'no template look-up for this provider' };
  if (!templates.ok) return { checked: false, reason: templates.reason };
  const transport = deps.lookupTransport ?? httpTransport({ timeoutMs: options.timeoutMs, maxSockets: 1 });
  try {
    return await templatePreflight(spec, templates, transport, 'or send with --no-preflight to skip the check');
  } finally {
    if (!deps.lookupTransport) (transport as ReturnType<typeof httpTransport>).close();
  }
}

/**
 * Writes the outcomes a failed ledger refused, once more, through a fresh writer (the failed one
 * writes nothing after its failure): a full disk often has room for a few lines once the batch that
 * failed was cut back. One at a time, those that matter most first, until one does not fit: an
 * attempt stopped before its request (or answered throttled) would otherwise be in doubt for
 * nothing, an answer merely stays in doubt. Only outcomes: an intent the ledger refused had no
 * request. Returns those still not on disk.
 */
async function writeLate(file: string, lock: FileLock, openFile: LedgerWriterOptions['openFile'], unrecorded: readonly UnrecordedOutcome[]): Promise<UnrecordedOutcome[]> {
  const order = [...unrecorded].sort((a, b) => LATE_ORDER[a.kind] - LATE_ORDER[b.kind]);
  let writer: LedgerWriter;
  try {
    writer = await openLedgerWriter(file, { lock, openFile });
  } catch {
    return order;
  }
  let written = 0;
  try {
    for (const { record } of order) {
      await writer.append(record);
      written++;
    }
  } catch {
    // The disk is still full: the rest stay in doubt.
  } finally {
    await writer.close();
  }
  return order.slice(written);
}

/**
 * The space kept for a failed ledger's last lines: what a stop at 1,000 MPS leaves to write (up to
 * 256 answers in flight, about 100 deferred outcomes, the attempts stopped before their request, at
 * about 250 bytes a line), twice over.
 */
const LEDGER_RESERVE_BYTES = 192 * 1024;

const LATE_ORDER: Record<UnrecordedOutcome['kind'], number> = { not_sent: 0, retry: 1, failed: 2, accepted: 3, in_doubt: 4 };

/**
 * When the next place under the limit frees: once the window holds `limit` recipients (after this
 * run, when some are held), the oldest of them leaves it 24 h after it was sent; this run's own
 * first send is about now.
 */
function dailyLimitPlan(limit: number, recent: RecentRecipients, held: number, now: number): NonNullable<SendPlan['dailyLimit']> {
  const count = recent.times.length;
  const full = held > 0 || count >= limit;
  const oldest = count >= limit ? recent.times[count - limit]! : (recent.times[0] ?? now);
  return { limit, sentLast24h: count, held, nextAt: full ? new Date(oldest + DAY_MS).toISOString() : undefined };
}

/**
 * Resuming with other inputs could message people under different terms. A retry list is a new CSV
 * by design (reconcile writes a fresh one each time), so only the template is compared for it; the
 * campaign's own CSV is compared with the last run that sent it.
 */
function checkUnchanged(plan: ResumePlan, csvSha: string, templateSha: string, retryList: boolean, options: SendOptions & { templateFile: string }): void {
  if (options.allowChangedInputs) return;
  const lastCsv = retryList ? undefined : plan.lastCampaignRun?.csv_sha256;
  const lastTemplate = plan.lastRun?.template_sha256;
  const changed = [
    lastCsv !== undefined && lastCsv !== csvSha ? `the CSV (${options.csvFile})` : undefined,
    lastTemplate !== undefined && lastTemplate !== templateSha ? `the template spec (${options.templateFile})` : undefined,
  ].filter(Boolean);
  if (changed.length > 0) {
    throw new InputError(
      `${changed.join(' and ')} changed since this ledger's last run: resuming could message people under different terms. Pass --allow-changed-inputs to resume anyway, or use a new --ledger for a new campaign`,
      { file: options.ledgerFile },
    );
  }
}

/**
 * Writes the exact requests a send would make, one JSON object per line, credentials redacted: as
 * an atomic file (a regular file, owner-only: the requests hold phone numbers; complete or not
 * there, also on a full disk).
 */
async function writeDryRun(source: AudienceSource, provider: Provider, plan: ResumePlan, redact: (text: string) => string, file: string, now: number): Promise<number> {
  const out = await AtomicFile.open(file);
  let audience;
  try {
    audience = await openAudience(source);
  } catch (error) {
    await out.abort();
    throw error;
  }
  let count = 0;
  try {
    for await (const batch of audience.batches) {
      let text = '';
      for (const row of batch) {
        const verdict = audience.check(row);
        if (!verdict.ok) continue;
        const { recipient } = verdict;
        if (notYetDue(recipient, now) || resumeDecision(plan, recipient.phone, recipient.listedAttempts) !== 'send') continue;
        const request = provider.buildRequest({
          phone: recipient.phone,
          template: audience.template.render(recipient.fields),
          twilioVariables: audience.template.renderTwilioVariables(recipient.fields),
          correlationId: `dry-run-${recipient.line}`,
        });
        const headers = { ...request.headers };
        for (const name of ['authorization', 'd360-api-key']) if (headers[name]) headers[name] = REDACTED;
        text += `${redact(JSON.stringify({ line: recipient.line, method: request.method, url: request.url, headers, body: request.body }))}\n`;
        count++;
      }
      if (text) await out.write(text);
    }
    await out.commit();
  } finally {
    audience.close();
    await out.abort();
  }
  return count;
}
