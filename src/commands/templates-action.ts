import { lstat } from 'node:fs/promises';
import Table from 'cli-table3';
import { loadEnv } from '../config/load-env.js';
import { ConfigError, ProviderStopError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { httpTransport } from '../providers/http-transport.js';
import { environmentRedactor, templateLookupFromEnv } from '../providers/index.js';
import type { TemplateLookup } from '../providers/template-lookup.js';
import { AtomicFile } from '../fs/atomic-file.js';
import { describeQuality, templateTtlSeconds, type AccountTemplate } from '../template/account-template.js';
import { templateToSpec } from '../template/template-to-spec.js';
import type { PullFlags, TemplatesFlags } from './templates-flags.js';

/** `templates`: the account's templates as a table, or `--json`. */
export async function listTemplates(flags: TemplatesFlags, io: Io, cwd: string): Promise<void> {
      const { lookup, redact, transport } = await lookupFor(flags, io, cwd);
      try {
        const list = await lookup.list(transport);
        const sorted = [...list].sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
        if (flags.json) io.stdout.write(redact(`${JSON.stringify({ provider: flags.provider, account: lookup.where, templates: sorted.map(templateJson) })}\n`));
        else io.stdout.write(redact(`${formatTable(sorted, lookup.where)}\n`));
      } finally {
        transport.close();
      }
}

/** `templates pull`: the spec for one template, to stdout or `--out`. */
export async function pullTemplate(name: string, flags: PullFlags, io: Io, cwd: string): Promise<void> {
      if (flags.out !== undefined && !flags.force && (await lstat(flags.out).catch(() => undefined))) {
        throw new UsageError(`${flags.out} exists: pass --force to replace it, or another --out`);
      }
      const { lookup, redact, transport } = await lookupFor(flags, io, cwd);
      let template: AccountTemplate | undefined;
      let others: AccountTemplate[];
      try {
        ({ template, others } = await lookup.findByName(transport, name, flags.language));
      } finally {
        transport.close();
      }
      if (!template) {
        const elsewhere = others.length > 0 ? `; it exists in ${[...new Set(others.map((t) => t.language))].join(', ')}` : '';
        throw new ProviderStopError(redact(`no template ${name} in ${flags.language} in ${lookup.where}${elsewhere}: wa-broadcast templates --provider ${flags.provider} lists them`));
      }
      const spec = templateToSpec(template, lookup.where);
      if (template.status !== 'APPROVED') io.stderr.write(`wa-broadcast: ! ${template.name} (${template.language}) is ${template.status}: the spec is written, but it cannot be sent until the template is approved\n`);
      if (flags.out === undefined) {
        io.stdout.write(redact(spec));
        return;
      }
      const file = await AtomicFile.open(flags.out);
      try {
        await file.write(redact(spec));
        await file.commit();
      } finally {
        await file.abort();
      }
      io.stderr.write(`wrote ${flags.out}: ${template.name} (${template.language}); rename its {{columns}} to your CSV's, then: wa-broadcast validate <campaign.csv> --template ${flags.out}\n`);
}

/** The look-up of `--provider` from the environment; without its credentials, exit 2 naming them. */
async function lookupFor(flags: TemplatesFlags, io: Io, cwd: string): Promise<{ lookup: TemplateLookup; redact: (text: string) => string; transport: ReturnType<typeof httpTransport> }> {
  const env = await loadEnv(io.env, cwd);
  const setup = templateLookupFromEnv(flags.provider, env, { allowInsecureHttp: flags.allowInsecureHttp === true });
  if (!setup.ok) throw new ConfigError(`templates --provider ${flags.provider}: ${setup.reason}`);
  const all = environmentRedactor(env);
  return { lookup: setup.lookup, redact: (text) => all(setup.redact(text)), transport: httpTransport({ timeoutMs: 30_000, maxSockets: 1 }) };
}

/** What `--json` says of a template. */
function templateJson(t: AccountTemplate) {
  return {
    name: t.name,
    language: t.language,
    category: t.category ?? null,
    status: t.status,
    quality: t.quality ?? null,
    parameter_format: t.parameterFormat,
    parameters: parameterSummary(t),
    ttl_seconds: templateTtlSeconds(t) ?? null,
    id: t.id ?? null,
    ...(t.rejectedReason ? { rejected_reason: t.rejectedReason } : {}),
  };
}

function parameterSummary(t: AccountTemplate) {
  return {
    header: t.header ? { format: t.header.format, parameters: t.header.parameters.map((p) => p.name) } : null,
    body: t.twilioVariables ? t.twilioVariables.map((v) => v.key) : (t.body?.parameters.map((p) => p.name) ?? []),
    buttons: t.buttons.filter((b) => b.takesParameter).map((b) => ({ index: b.index, type: b.type, needs_parameter: b.needsParameter })),
  };
}

function formatTable(templates: AccountTemplate[], where: string): string {
  if (templates.length === 0) return `${where} has no templates`;
  const table = new Table({ head: ['name', 'language', 'category', 'status', 'quality', 'parameters'], style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  for (const t of templates) {
    table.push([t.name, t.language, (t.category ?? '').toLowerCase(), t.status.toLowerCase(), t.twilioVariables ? '' : describeQuality(t.quality), describeParameters(t)]);
  }
  return `${templates.length} template${templates.length === 1 ? '' : 's'} in ${where}\n${table.toString()}`;
}

/** "header IMAGE, body {{1}} {{2}}, button 0 url": what a spec has to give. */
function describeParameters(t: AccountTemplate): string {
  const parts: string[] = [];
  if (t.twilioVariables) return t.twilioVariables.map((v) => `{{${v.key}}}`).join(' ') || 'none';
  if (t.header && t.header.format !== 'TEXT') parts.push(`header ${t.header.format.toLowerCase()}`);
  if (t.header?.parameters.length) parts.push(`header ${t.header.parameters.map((p) => `{{${p.name}}}`).join(' ')}`);
  if (t.body?.parameters.length) parts.push(`body ${t.body.parameters.map((p) => `{{${p.name}}}`).join(' ')}`);
  for (const b of t.buttons) if (b.needsParameter) parts.push(`button ${b.index} ${b.type.toLowerCase()}`);
  return parts.join(', ') || 'none';
}
