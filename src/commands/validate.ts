import Table from 'cli-table3';
import type { Command } from 'commander';
import { formatLocated } from '../errors.js';
import type { Io } from '../io.js';
import { FIXED_REJECT_REASONS, REJECT_REASONS } from '../recipients/audience.js';
import { delimiterName } from '../recipients/detect-delimiter.js';
import { formatCount, plural } from '../plural.js';
import { UTF8 } from '../recipients/text-encoding.js';
import { validateCampaign, type ValidationReport } from '../recipients/validate-campaign.js';
import { findTemplateSpec } from '../template/find-template-spec.js';
import { loadTemplateSpec } from '../template/load-template-spec.js';
import { PROVIDER_NAMES } from '../providers/index.js';
import { previewLines } from './preview-lines.js';
import { audienceOptions, choiceOption, csvReadingOptions, positiveIntegerOption } from './options.js';
import type { ValidateFlags } from './validate-flags.js';

/** Rejected rows named in the human report; `--json` carries more, and `--rejects` all of them. */
const SHOWN_ISSUES = 20;

export function registerValidate(program: Command, io: Io, cwd: string): void {
  csvReadingOptions(
    audienceOptions(
      program
        .command('validate')
        .description('dry run: check the template spec and every row, preview the first message; sends nothing')
        .argument('<csv>', 'recipients CSV (phone, opt_in, and a column per template variable)'),
    ),
  )
    .option('--daily-limit <n>', "the portfolio's messaging limit (unique users per 24 h), to warn before a campaign outgrows it", positiveIntegerOption)
    .option('--rejects <csv>', 'write every rejected row, as it was, plus line, reason and detail, to this CSV (to fix and validate again)')
    .option('--json', 'print one JSON object on stdout instead of the report')
    .option('--online', "also check the spec against the account's template, as send's preflight does (the one network request validate makes)")
    .option('--provider <name>', `with --online: ${PROVIDER_NAMES.join(' | ')}`, choiceOption(PROVIDER_NAMES), 'cloud')
    .option('--allow-insecure-http', 'with --online: allow a plain http:// base URL to another machine')
    .action(async (csvFile: string, flags: ValidateFlags) => {
      const templateFile = flags.template ?? (await findTemplateSpec(csvFile));
      const spec = await loadTemplateSpec(templateFile);
      // got and the look-ups load only for --online: a plain validate touches no network and starts small.
      const online = flags.online ? await (await import('./validate-online.js')).checkOnline(spec, flags, io, cwd) : undefined;
      const report = await validateCampaign({
        csvFile,
        templateFile,
        spec,
        suppressFile: flags.suppress,
        defaultCountry: flags.defaultCountry,
        phoneColumn: flags.phoneColumn,
        optInColumn: flags.optInColumn,
        delimiter: flags.delimiter,
        encoding: flags.encoding,
        optInValues: flags.optInValues,
        dailyLimit: flags.dailyLimit,
        rejectsFile: flags.rejects,
      });
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(online ? { ...report, template_check: online.json } : report)}\n`);
      } else {
        io.stdout.write(formatReport(report, online?.lines));
      }
    });
}

/** The human report: counts by reason, the first rejected rows as `file:line: reason`, warnings, a preview. */
export function formatReport(report: ValidationReport, online?: string[]): string {
  const out: string[] = [];
  const { template } = report;
  out.push(`${report.csv}: ${plural(report.rows, 'row')}${dialectNote(report.dialect)}, ${formatCount(report.sendable)} sendable with ${template.name} (${template.language}, ${template.category})`);
  if (online) out.push(...online);
  out.push('');

  const table = new Table({
    colAligns: ['left', 'right'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  table.push(['rows read', formatCount(report.rows)], ['sendable', formatCount(report.sendable)]);
  for (const reason of REJECT_REASONS) {
    const count = report.rejected[reason];
    // The reasons SPEC fixes are always shown; the finer ones only when they occur.
    if (count > 0 || FIXED_REJECT_REASONS.includes(reason)) table.push([`rejected: ${reason}`, formatCount(count)]);
  }
  out.push(table.toString(), '');

  const rejected = report.rows - report.sendable;
  if (rejected > 0) {
    const shown = report.issues.slice(0, SHOWN_ISSUES);
    if (rejected > shown.length) {
      const all = report.rejects_file ? `all of them are in ${report.rejects_file}` : 'to have all of them in a CSV to fix and validate again, pass --rejects rejected.csv';
      out.push(`First ${formatCount(shown.length)} of ${formatCount(rejected)} rejected rows (${all}):`);
    } else {
      out.push(report.rejects_file ? `Rejected rows (also in ${report.rejects_file}):` : 'Rejected rows:');
    }
    for (const issue of shown) {
      out.push(`  ${formatLocated(`${issue.reason}: ${issue.detail} (${JSON.stringify(issue.phone)})`, { file: report.csv, line: issue.line })}`);
    }
    out.push('');
  } else if (report.rejects_file) {
    out.push(`No row is rejected: ${report.rejects_file} holds only the header.`, '');
  }

  if (report.warnings.length > 0) {
    out.push('Warnings:');
    for (const warning of report.warnings) out.push(`  ! ${warning.message}`);
    out.push('');
  }

  const preview = report.preview;
  if (preview) {
    out.push(...previewLines(preview, report.csv), '');
  } else {
    const consent = report.warnings.some((warning) => warning.code === 'no_consent');
    out.push(`No row is sendable: nothing would be sent.${consent ? ' No row has consent: see the warning above.' : ''}`, '');
  }
  return `${out.join('\n')}`;
}

/** " (semicolon-separated, windows-1252)" when the file is not plain comma-separated UTF-8. */
function dialectNote(dialect: ValidationReport['dialect']): string {
  const notes: string[] = [];
  if (dialect.delimiter !== ',') notes.push(`${delimiterName(dialect.delimiter)}-separated`);
  if (dialect.encoding !== UTF8) notes.push(dialect.encoding);
  return notes.length > 0 ? ` (${notes.join(', ')})` : '';
}
