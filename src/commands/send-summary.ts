import Table from 'cli-table3';
import { requestRate, type CampaignStats } from '../campaign/campaign-stats.js';
import type { CampaignEnd } from '../campaign/campaign-end.js';
import { pacingAdvice } from '../campaign/pacing-advice.js';
import type { SendPlan } from '../campaign/send-campaign.js';
import type { PreflightResult } from '../campaign/template-preflight.js';
import { REJECT_REASONS } from '../recipients/audience.js';
import { formatCount, plural } from '../plural.js';
import { formatDuration } from './progress.js';

/**
 * `send --json`'s keys (SPEC.md "Outputs": snake_case, every count key present, zeros included),
 * plus a few more. `rejected` lists every reason, so the object has the same keys every run.
 */
export function summaryKeys(stats: CampaignStats | undefined, plan: SendPlan, ledger: string) {
  const rejected = Object.fromEntries(REJECT_REASONS.map((reason) => [reason, plan.validation.rejected[reason] ?? 0]));
  return {
    accepted: stats?.accepted ?? 0,
    failed: stats?.failed ?? 0,
    in_doubt: stats?.in_doubt ?? 0,
    skipped: stats?.skipped ?? plan.alreadyDone,
    skipped_in_doubt: stats?.skipped_in_doubt ?? plan.inDoubt,
    not_due: stats?.skipped_not_due ?? plan.notDue,
    held: stats?.held ?? 0,
    retries: stats?.retries ?? 0,
    duplicate_message_ids: stats?.duplicate_message_ids ?? 0,
    rejected,
    errors: stats?.errors ?? {},
    errors_by_outcome: stats?.errorsByOutcome ?? { failed: {}, in_doubt: {}, retry: {} },
    ledger,
    template_check: templateCheck(plan.preflight),
    // The pacing's finding when the provider throttled: what it accepted, what we settled at.
    throttling: stats?.pacing?.providerRate !== undefined ? throttlingKeys(stats) : null,
    suggested_mps: (stats && pacingAdvice(stats)?.acceptedMps) ?? null,
    ...(plan.dailyLimit
      ? { daily_limit: { limit: plan.dailyLimit.limit, sent_last_24h: plan.dailyLimit.sentLast24h, held: plan.dailyLimit.held, next_at: plan.dailyLimit.nextAt ?? null } }
      : {}),
  };
}

/** `throttling` in `--json`: the provider's rate as the pacer found it. */
function throttlingKeys(stats: CampaignStats) {
  const pacing = stats.pacing!;
  return { provider_accepted_mps: Math.floor(pacing.providerRate!), settled_mps: Math.floor(pacing.rate), slowdowns: pacing.throttleReactions, seconds_below_mps: Math.round(pacing.timeBelowMs / 100) / 10 };
}

/**
 * `the provider accepted about 80/s: use --mps 80`, when throttling kept the run under `--mps` much
 * of the time (pacing-advice.ts); undefined otherwise.
 */
export function pacingAdviceLine(stats: CampaignStats): string | undefined {
  const advice = pacingAdvice(stats);
  if (!advice) return undefined;
  const n = formatCount(advice.acceptedMps);
  return `the provider accepted about ${n}/s: use --mps ${advice.acceptedMps} (this run asked for ${formatCount(stats.pacing!.mps)}/s and was throttled down; a run at ${n}/s is as fast without the throttled requests)`;
}

/** The preflight in `--json`: what the account holds, or why it was not looked up. */
function templateCheck(result: PreflightResult) {
  if (!result.checked) return { checked: false, reason: result.reason };
  const t = result.template;
  return { checked: true, name: t.name, language: t.language, status: t.status, category: t.category ?? null, quality: t.quality ?? null, parameter_format: t.parameterFormat, ttl_seconds: result.ttlSeconds ?? null, warnings: result.warnings };
}

/** The table at the end of a run (human output). */
export function summaryTable(stats: CampaignStats, plan: SendPlan, durationMs: number): string {
  const table = new Table({ colAligns: ['left', 'right'], style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  const n = formatCount;
  table.push(['accepted', n(stats.accepted)]);
  if (stats.held > 0) table.push(['  of which held for quality assessment', n(stats.held)]);
  // Each error code under what became of its attempts: a lost answer (ECONNRESET) under in doubt, a
  // throttled or transient one that was sent again under retries, never under a failed count of 0.
  const byCode = (counts: Record<string, number>, label: string) => {
    for (const [code, count] of Object.entries(counts).sort((a, b) => b[1] - a[1])) table.push([`  ${label} ${code}`, n(count)]);
  };
  table.push(['failed', n(stats.failed)]);
  byCode(stats.errorsByOutcome.failed, 'with error');
  table.push(['in doubt (never re-sent automatically)', n(stats.in_doubt)]);
  byCode(stats.errorsByOutcome.in_doubt, 'with error');
  table.push(['skipped: already done in the ledger', n(stats.skipped)]);
  if (stats.skipped_in_doubt > 0) table.push(['skipped: in doubt in the ledger', n(stats.skipped_in_doubt)]);
  if (stats.skipped_not_due > 0) table.push(['skipped: retry not due yet', n(stats.skipped_not_due)]);
  table.push(['rejected by validation', n(plan.validation.rows - plan.validation.sendable)]);
  table.push(['retries', n(stats.retries)]);
  byCode(stats.errorsByOutcome.retry, 'attempts retried after error');
  table.push(['duration', formatDuration(durationMs / 1000)]);
  table.push(['mean rate', `${requestRate(stats).toFixed(1)}/s`]);
  if (stats.pacing?.providerRate !== undefined) table.push(['throttled: the provider accepted about', `${n(Math.floor(stats.pacing.providerRate))}/s`]);
  return table.toString();
}

/**
 * The one line a log keeps of a run: `done: 12 accepted, 0 failed, 0 in doubt, 0 skipped, 8
 * rejected, 0 retries in 1s (11.9/s); ledger: campaign.ledger.jsonl`.
 */
export function summaryLine(stats: CampaignStats, plan: SendPlan, end: CampaignEnd, durationMs: number, ledger: string): string {
  const how = end.reason === 'done' ? 'done' : end.reason;
  const n = formatCount;
  return (
    `${how}: ${n(stats.accepted)} accepted, ${n(stats.failed)} failed, ${n(stats.in_doubt)} in doubt, ${n(stats.skipped + stats.skipped_in_doubt)} skipped, ` +
    `${n(plan.validation.rows - plan.validation.sendable)} rejected, ${plural(stats.retries, 'retry', 'retries')} in ${formatDuration(durationMs / 1000)} (${requestRate(stats).toFixed(1)}/s); ledger: ${ledger}`
  );
}

/** `nothing to send (12 already done, 1 in doubt, 7 rejected)`: what a finished campaign says from cron, in one line. */
export function nothingToSendLine(plan: SendPlan): string {
  if (plan.dailyLimit && plan.dailyLimit.held > 0) return `nothing sent: ${dailyLimitHeldLine(plan)!.replace(/^daily limit: /, 'the daily limit is reached: ')}`;
  // An empty CSV (reconcile's retry.csv when nothing is to be retried): say so, not "0 already done".
  if (plan.validation.rows === 0 && plan.alreadyDone === 0 && plan.inDoubt === 0 && plan.notDue === 0) return 'nothing to send (the CSV has no recipients)';
  const parts = [`${formatCount(plan.alreadyDone)} already done`];
  if (plan.inDoubt > 0) parts.push(`${formatCount(plan.inDoubt)} in doubt`);
  if (plan.notDue > 0) parts.push(`${formatCount(plan.notDue)} not due yet, the next at ${new Date(plan.nextDueAt!).toISOString()}`);
  const rejected = plan.validation.rows - plan.validation.sendable;
  if (rejected > 0) parts.push(`${formatCount(rejected)} rejected`);
  return `nothing to send (${parts.join(', ')})`;
}

/**
 * `daily limit: 40 recipients wait for a later run (250 per 24 h, 210 messaged in the last 24 h);
 * the next may go at 2026-11-25T09:00:00.000Z`, when --daily-limit held some back.
 */
export function dailyLimitHeldLine(plan: SendPlan): string | undefined {
  const limit = plan.dailyLimit;
  if (!limit || limit.held === 0) return undefined;
  return (
    `daily limit: ${plural(limit.held, 'recipient')} ${limit.held === 1 ? 'waits' : 'wait'} for a later run (${formatCount(limit.limit)} per 24 h, ` +
    `${formatCount(limit.sentLast24h)} messaged in the last 24 h before this run); the next may go at ${limit.nextAt}`
  );
}
