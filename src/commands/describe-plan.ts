import type { SendPlan } from '../campaign/send-campaign.js';
import { describePreflight } from '../campaign/template-preflight.js';
import { formatCount, plural } from '../plural.js';
import { formatDuration } from './progress.js';
import { previewLines } from './preview-lines.js';

/** Where the messages go, as the confirmation says it (from the provider's setup, which read the environment). */
export interface Destination {
  provider: string;
  baseUrl: string;
  /** `phone-number id …`, `from whatsapp:+…`: who the messages come from. */
  sender: string | undefined;
  /** The environment holds the emulator's demo credentials: nothing reaches WhatsApp. */
  emulator: boolean;
}

/**
 * What `send` is about to do, for the confirmation: one function per line, so that a line can be
 * added (the template's approval status from a preflight, say) without touching the others.
 */
export function describePlan(plan: SendPlan, destination: Destination | undefined, csv: string): string {
  return [rowsLine(plan, csv), ledgerLine(plan), notDueLine(plan), templateLine(plan), ...preflightLines(plan), destination && whereLine(destination), ...firstMessageLines(plan, csv), sendLine(plan), dailyLimitLine(plan), ...warningLines(plan)]
    .filter((line): line is string => line !== undefined)
    .join('\n');
}

/** `campaign.csv: 20 rows, 12 sendable, 8 rejected (run validate for the reasons)` */
export function rowsLine(plan: SendPlan, csv: string): string {
  const { rows, sendable } = plan.validation;
  const rejected = rows - sendable;
  const why = rejected === 0 ? '' : plan.validation.rejects_file ? ` (listed in ${plan.validation.rejects_file})` : ' (run validate for the reasons)';
  return `${csv}: ${plural(rows, 'row')}, ${formatCount(sendable)} sendable, ${formatCount(rejected)} rejected${why}`;
}

/** What earlier runs of this ledger settled: `ledger: 3 already done, 1 in doubt (not re-sent)`. */
export function ledgerLine(plan: SendPlan): string | undefined {
  if (plan.alreadyDone + plan.inDoubt === 0) return undefined;
  return `ledger: ${formatCount(plan.alreadyDone)} already done, ${formatCount(plan.inDoubt)} in doubt (not re-sent)`;
}

/** A retry list's rows whose `due_at` has not come: left for a later run. */
export function notDueLine(plan: SendPlan): string | undefined {
  if (plan.notDue === 0) return undefined;
  return `retry list: ${formatCount(plan.notDue)} not due yet (the next at ${new Date(plan.nextDueAt!).toISOString()}): left for a later run`;
}

/** What the template preflight found in the account, when that is not a warning (see warningLines). */
export function preflightLines(plan: SendPlan): string[] {
  const line = describePreflight(plan.preflight);
  return line.startsWith('!') ? [] : [line];
}

/** The preflight's warnings: the template not checked (and why), a changed category, RED quality. */
function preflightWarnings(plan: SendPlan): string[] {
  const line = describePreflight(plan.preflight);
  return [...(line.startsWith('!') ? [line] : []), ...(plan.preflight.checked ? plan.preflight.warnings.map((warning) => `! ${warning}`) : [])];
}

/** `template: spring_sale (en_GB, marketing)` */
export function templateLine(plan: SendPlan): string {
  const { template } = plan;
  return `template: ${template.name} (${template.language}, ${template.category})`;
}

/** `through: cloud at graph.facebook.com, phone-number id 1065…`, or the emulator. */
export function whereLine(destination: Destination): string {
  const host = hostOf(destination.baseUrl);
  const at = destination.emulator
    ? `the emulator at ${host} (demo credentials: nothing reaches WhatsApp)`
    : isLoopback(host)
      ? `${host} (this machine)`
      : host;
  return `through: ${destination.provider} at ${at}${destination.sender ? `, ${destination.sender}` : ''}`;
}

/** The first message as its recipient will read it. */
export function firstMessageLines(plan: SendPlan, csv: string): string[] {
  const preview = plan.validation.preview;
  return preview ? previewLines(preview, csv, 'first message, to') : [];
}

/** `to send: 12 messages at 80/s, about 1m05s` */
export function sendLine(plan: SendPlan): string {
  return `to send: ${plural(plan.toSend, 'message')} at ${formatCount(plan.mps)}/s, about ${formatDuration(plan.toSend / plan.mps)}`;
}

/** `daily limit: 250 per 24 h; 210 messaged in the last 24 h; 40 held for a later run` */
export function dailyLimitLine(plan: SendPlan): string | undefined {
  const limit = plan.dailyLimit;
  if (!limit) return undefined;
  const held = limit.held > 0 ? `; ${formatCount(limit.held)} held for a later run (the next may go at ${limit.nextAt})` : '';
  return `daily limit: ${formatCount(limit.limit)} per 24 h; ${formatCount(limit.sentLast24h)} messaged in the last 24 h${held}`;
}

/** Every warning of the plan: said in every mode (--json and --quiet too). */
export function warningLines(plan: SendPlan): string[] {
  return [...preflightWarnings(plan), ...plan.validation.warnings.map((warning) => `! ${warning.message}`)];
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\./.test(name);
}
