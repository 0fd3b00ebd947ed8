import type { RenderedTemplate } from '../template/bind-template.js';
import { REJECT_REASONS, type Recipient, type RejectReason, type RowIssue } from './audience.js';
import { audienceWarnings, type Warning } from './audience-warnings.js';
import { isUsNumber } from './is-us-number.js';
import { openAudience, type AudienceSource } from './open-audience.js';
import type { ConsentValueCount } from './consent-tally.js';
import type { PhoneKeys } from './phone-table.js';
import { RejectsWriter } from './rejects-writer.js';

/** Rejected rows kept in the report; the counts are always complete. */
export const MAX_REPORTED_ISSUES = 10_000;

export interface Preview {
  line: number;
  phone: string;
  template: RenderedTemplate;
  body: string | undefined;
  twilio_variables: Record<string, string> | undefined;
}

export interface ValidationReport {
  csv: string;
  /** How the CSV was read: its delimiter and encoding (found, or as --delimiter and --encoding said). */
  dialect: { delimiter: string; encoding: string };
  template: { file: string; name: string; language: string; category: string; ttl_seconds: number };
  rows: number;
  sendable: number;
  rejected: Record<RejectReason, number>;
  issues: RowIssue[];
  issues_truncated: boolean;
  warnings: Warning[];
  suppression: { file: string; numbers: number; unreadable: number; first_unreadable_line: number | undefined } | undefined;
  preview: Preview | undefined;
  /** The consent column, the accepted values, how many rows reaching the consent check had one, and the other values seen. */
  consent: { column: string; accepted_values: string[]; rows_with_consent: number; other_values: ConsentValueCount[] };
  /** The rejects file written (--rejects), when one was asked for. */
  rejects_file?: string;
}

export interface ValidateOptions extends AudienceSource {
  dailyLimit?: number | undefined;
  /** Called for every sendable recipient, in file order (send uses it to count what is left to do). */
  onRecipient?: ((recipient: Recipient) => void) | undefined;
  /** Given the numbers seen once every row was read, for a second pass over the CSV (`AudienceSource.firstPass`). */
  onNumbers?: ((numbers: PhoneKeys) => void) | undefined;
  /** Writes every rejected row, as it was, with line, reason and detail, to this CSV (atomically). */
  rejectsFile?: string | undefined;
}

/** The dry run: judges every row, sends nothing, touches no network. */
export async function validateCampaign(options: ValidateOptions): Promise<ValidationReport> {
  const audience = await openAudience(options);
  const { template, suppression } = audience;
  let rejects: RejectsWriter | undefined;
  try {
    if (options.rejectsFile !== undefined) {
      rejects = await RejectsWriter.open(options.rejectsFile, audience.header, {
        delimiter: audience.delimiter,
        inputs: [
          { file: options.csvFile, what: 'recipients CSV' },
          { file: template.spec.file, what: 'template spec' },
          ...(suppression ? [{ file: suppression.file, what: 'suppression list' }] : []),
        ],
      });
    }
  } catch (error) {
    audience.close();
    throw error;
  }
  const rejected = Object.fromEntries(REJECT_REASONS.map((reason) => [reason, 0])) as Record<RejectReason, number>;
  const issues: RowIssue[] = [];
  let rows = 0;
  let sendable = 0;
  let usRecipients = 0;
  let preview: Preview | undefined;

  try {
    for await (const batch of audience.batches) {
      for (const row of batch) {
        rows++;
        const verdict = audience.check(row);
        if (!verdict.ok) {
          rejected[verdict.issue.reason]++;
          if (issues.length < MAX_REPORTED_ISSUES) issues.push(verdict.issue);
          if (rejects) await rejects.add({ line: row.line, fields: audience.values(row) }, verdict.issue.reason, verdict.issue.detail);
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
          twilio_variables: template.renderTwilioVariables(recipient.fields),
        };
      }
    }
    // Only a file that was read to the end is a complete list of its rejected rows.
    await rejects?.commit();
    options.onNumbers?.(audience.takeNumbers());
  } catch (error) {
    await rejects?.abort();
    throw error;
  }

  const tally = audience.consentTally;
  const consentWarning = tally.warning();
  const spec = template.spec;
  return {
    csv: options.csvFile,
    dialect: { delimiter: audience.delimiter, encoding: audience.encoding },
    template: { file: spec.file, name: spec.name, language: spec.language.code, category: spec.category, ttl_seconds: spec.ttlSeconds },
    rows,
    sendable,
    rejected,
    issues,
    issues_truncated: rows - sendable > issues.length,
    warnings: [
      ...(consentWarning ? [consentWarning] : []),
      ...audienceWarnings({
        spec,
        sendable,
        usRecipients,
        dailyLimit: options.dailyLimit,
        suppressionUnreadable: suppression && { file: suppression.file, count: suppression.unreadable, firstLine: suppression.firstUnreadableLine },
      }),
    ],
    suppression: suppression && {
      file: suppression.file,
      numbers: suppression.numbers.size,
      unreadable: suppression.unreadable,
      first_unreadable_line: suppression.firstUnreadableLine,
    },
    preview,
    consent: {
      column: tally.column,
      accepted_values: [...tally.accepted.values],
      rows_with_consent: tally.consenting,
      other_values: tally.otherValues(),
    },
    ...(rejects ? { rejects_file: rejects.path } : {}),
  };
}
