import type { RenderedTemplate } from '../template/bind-template.js';
import { REJECT_REASONS, type Recipient, type RejectReason, type RowIssue } from './audience.js';
import { audienceWarnings, type Warning } from './audience-warnings.js';
import { isUsNumber } from './is-us-number.js';
import { openAudience, type AudienceSource } from './open-audience.js';

/** Rejected rows kept in the report; the counts are always complete. */
export const MAX_REPORTED_ISSUES = 10_000;

export interface Preview {
  line: number;
  phone: string;
  template: RenderedTemplate;
  body: string | undefined;
  twilioVariables: Record<string, string> | undefined;
}

export interface ValidationReport {
  csv: string;
  template: { file: string; name: string; language: string; category: string; ttl_seconds: number };
  rows: number;
  sendable: number;
  rejected: Record<RejectReason, number>;
  issues: RowIssue[];
  issues_truncated: boolean;
  warnings: Warning[];
  suppression: { file: string; numbers: number; unreadable: number; first_unreadable_line: number | undefined } | undefined;
  preview: Preview | undefined;
}

export interface ValidateOptions extends AudienceSource {
  dailyLimit?: number | undefined;
  /** Called for every sendable recipient, in file order (send uses it to count what is left to do). */
  onRecipient?: ((recipient: Recipient) => void) | undefined;
}

/** The dry run: judges every row, sends nothing, touches no network. */
export async function validateCampaign(options: ValidateOptions): Promise<ValidationReport> {
  const audience = await openAudience(options);
  const { template, suppression } = audience;
  const rejected = Object.fromEntries(REJECT_REASONS.map((reason) => [reason, 0])) as Record<RejectReason, number>;
  const issues: RowIssue[] = [];
  let rows = 0;
  let sendable = 0;
  let usRecipients = 0;
  let preview: Preview | undefined;

  for await (const batch of audience.batches) {
    for (const row of batch) {
      rows++;
      const verdict = audience.check(row);
      if (!verdict.ok) {
        rejected[verdict.issue.reason]++;
        if (issues.length < MAX_REPORTED_ISSUES) issues.push(verdict.issue);
        continue;
      }
      const { recipient } = verdict;
      sendable++;
      options.onRecipient?.(recipient);
      if (isUsNumber(recipient.phone, recipient.country)) usRecipients++;
      preview ??= {
        line: recipient.line,
        phone: recipient.phone,
        template: template.render(recipient.fields),
        body: template.renderBody(recipient.fields),
        twilioVariables: template.renderTwilioVariables(recipient.fields),
      };
    }
  }

  const spec = template.spec;
  return {
    csv: options.csvFile,
    template: { file: spec.file, name: spec.name, language: spec.language.code, category: spec.category, ttl_seconds: spec.ttlSeconds },
    rows,
    sendable,
    rejected,
    issues,
    issues_truncated: rows - sendable > issues.length,
    warnings: audienceWarnings({
      spec,
      sendable,
      usRecipients,
      dailyLimit: options.dailyLimit,
      suppressionUnreadable: suppression && { file: suppression.file, count: suppression.unreadable, firstLine: suppression.firstUnreadableLine },
    }),
    suppression: suppression && {
      file: suppression.file,
      numbers: suppression.numbers.size,
      unreadable: suppression.unreadable,
      first_unreadable_line: suppression.firstUnreadableLine,
    },
    preview,
  };
}
