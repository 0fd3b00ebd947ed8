import Table from 'cli-table3';
import type { Command } from 'commander';
import { formatLocated } from '../errors.js';
import type { Io } from '../io.js';
import { FIXED_REJECT_REASONS, REJECT_REASONS } from '../recipients/audience.js';
import { validateCampaign, type ValidationReport } from '../recipients/validate-campaign.js';
import { findTemplateSpec } from '../template/find-template-spec.js';
import { audienceOptions, positiveIntegerOption, type countryOption } from './options.js';

/** Rejected rows named in the human report; `--json` carries more. */
const SHOWN_ISSUES = 20;

interface ValidateFlags {
  template?: string;
  suppress?: string;
  defaultCountry?: ReturnType<typeof countryOption>;
  phoneColumn: string;
  optInColumn: string;
  dailyLimit?: number;
  json?: boolean;
}

export function registerValidate(program: Command, io: Io): void {
  audienceOptions(
    program
      .command('validate')
      .description('dry run: check the template spec and every row, preview the first message; sends nothing')
      .argument('<csv>', 'recipients CSV (phone, opt_in, and a column per template variable)'),
  )
    .option('--daily-limit <n>', "the portfolio's messaging limit (unique users per 24 h), to warn before a campaign outgrows it", positiveIntegerOption)
    .option('--json', 'print one JSON object on stdout instead of the report')
    .action(async (csvFile: string, flags: ValidateFlags) => {
      const report = await validateCampaign({
        csvFile,
        templateFile: flags.template ?? (await findTemplateSpec(csvFile)),
        suppressFile: flags.suppress,
        defaultCountry: flags.defaultCountry,
        phoneColumn: flags.phoneColumn,
        optInColumn: flags.optInColumn,
        dailyLimit: flags.dailyLimit,
      });
      io.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    });
}

/** The human report: counts by reason, the first rejected rows as `file:line: reason`, warnings, a preview. */
export function formatReport(report: ValidationReport): string {
  const out: string[] = [];
  const { template } = report;
  out.push(`${report.csv}: ${report.rows} rows, ${report.sendable} sendable with ${template.name} (${template.language}, ${template.category})`, '');

  const table = new Table({
    colAligns: ['left', 'right'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  table.push(['rows read', report.rows], ['sendable', report.sendable]);
  for (const reason of REJECT_REASONS) {
    const count = report.rejected[reason];
    // The reasons SPEC fixes are always shown; the finer ones only when they occur.
    if (count > 0 || FIXED_REJECT_REASONS.includes(reason)) table.push([`rejected: ${reason}`, count]);
  }
  out.push(table.toString(), '');

  const rejected = report.rows - report.sendable;
  if (rejected > 0) {
    const shown = report.issues.slice(0, SHOWN_ISSUES);
    out.push(rejected > shown.length ? `First ${shown.length} of ${rejected} rejected rows:` : 'Rejected rows:');
    for (const issue of shown) {
      out.push(`  ${formatLocated(`${issue.reason}: ${issue.detail} (${JSON.stringify(issue.phone)})`, { file: report.csv, line: issue.line })}`);
    }
    out.push('');
  }

  if (report.warnings.length > 0) {
    out.push('Warnings:');
    for (const warning of report.warnings) out.push(`  ! ${warning.message}`);
    out.push('');
  }

  const preview = report.preview;
  if (preview) {
    out.push(`Preview: the message to ${preview.phone} (${report.csv}:${preview.line})`);
    if (preview.body !== undefined) {
      for (const line of preview.body.trimEnd().split('\n')) out.push(`  │ ${line}`);
    } else {
      out.push(`  ${JSON.stringify(preview.template.components ?? [])}`);
      out.push('  (add a "body" to the spec to see the text as the recipient reads it)');
    }
    out.push('');
  } else {
    out.push('No row is sendable: nothing would be sent.', '');
  }
  return `${out.join('\n')}`;
}
