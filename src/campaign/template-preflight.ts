import { InputError, ProviderStopError } from '../errors.js';
import type { GetTransport } from '../providers/http-transport.js';
import type { TemplateLookupSetup } from '../providers/template-lookup.js';
import { describeQuality, templateTtlSeconds, type AccountTemplate } from '../template/account-template.js';
import { fitTemplate } from '../template/fit-template.js';
import type { TemplateSpec } from '../template/template-spec.js';

/** What the preflight found: the account's template and the warnings, or why it did not look. */
export type PreflightResult =
  | { checked: true; template: AccountTemplate; where: string; warnings: string[]; ttlSeconds: number | undefined }
  | { checked: false; reason: string };

/**
 * The template preflight (SPEC "Template preflight"): one look-up of the spec's template, before
 * anything is sent. Not found in that language, or any status but APPROVED: a ProviderStopError
 * (exit 3) naming template, language and status and what to do. A spec that does not fit: an
 * InputError (exit 2) at the spec's line, naming the component and the difference. A look-up that
 * fails is exit 3 too, with `skipHint` (how to go on without the check) added: only there, since
 * a template that is missing or not approved would be refused for every message anyway.
 */
export async function templatePreflight(spec: TemplateSpec, setup: TemplateLookupSetup, transport: GetTransport, skipHint: string | undefined): Promise<PreflightResult> {
  if (!setup.ok) return { checked: false, reason: setup.reason };
  const { lookup, redact } = setup;
  const wanted = { name: spec.name, language: spec.language.code, contentSid: spec.twilio?.contentSid };
  let found: Awaited<ReturnType<typeof lookup.find>>;
  try {
    found = await lookup.find(transport, wanted);
  } catch (error) {
    if (error instanceof ProviderStopError && skipHint) throw new ProviderStopError(`${error.message}; ${skipHint}`);
    throw error;
  }
  const { template, others } = found;
  // No skip hint below: without the check, the provider would refuse every message for the same reason.
  if (!template) {
    if (wanted.contentSid && spec.twilio) {
      throw new ProviderStopError(redact(`template not found: Twilio has no Content template ${wanted.contentSid} in this account: nothing was sent. Check twilio.contentSid in ${spec.file} (Content Template Builder shows it)`));
    }
    const elsewhere = others.length > 0 ? ` (it exists in ${[...new Set(others.map((t) => t.language))].join(', ')})` : ' (no template of that name)';
    throw new ProviderStopError(
      redact(`template not found: ${spec.name} does not exist in ${wanted.language} in ${lookup.where}${elsewhere}: nothing was sent. The spec's name and language must match WhatsApp Manager's exactly`),
    );
  }
  if (template.status !== 'APPROVED') {
    throw new ProviderStopError(redact(`template ${template.name} (${template.language}) is ${template.status}${template.status === 'REJECTED' && template.rejectedReason ? ` (${template.rejectedReason})` : ''} in ${lookup.where}: nothing was sent. ${statusFix(template.status)}`));
  }
  const fit = fitTemplate(spec, template);
  if (fit.problems.length > 0) {
    const [first] = fit.problems;
    const text = fit.problems.map((p, i) => (i > 0 && p.line !== undefined && p.line !== first!.line ? `line ${p.line}: ${p.message}` : p.message)).join('; ');
    throw new InputError(`the spec does not fit ${template.name} (${template.language}) as ${lookup.where} has it: ${text}`, { file: spec.file, line: first!.line });
  }
  return { checked: true, template, where: lookup.where, warnings: fit.warnings, ttlSeconds: templateTtlSeconds(template) };
}

/** What to do about a template that cannot be sent, by its status (Meta "Templates" overview, "Template quality rating"). */
export function statusFix(status: string): string {
  switch (status) {
    case 'PAUSED':
      return 'Meta paused it for low quality (3 hours the first time, 6 the second): wait, or edit it in WhatsApp Manager, or send another template';
    case 'DISABLED':
      return 'Meta disabled it for good after repeated pauses: create a new template';
    case 'REJECTED':
      return 'edit it to follow the rejection reason and submit it again in WhatsApp Manager, or appeal';
    case 'PENDING':
    case 'SUBMITTED':
    case 'RECEIVED':
    case 'IN_APPEAL':
      return 'it is still in review: send once WhatsApp Manager shows it Active';
    case 'UNSUBMITTED':
      return 'submit it for WhatsApp approval (Content Template Builder › Submit for WhatsApp approval) and wait until it is approved';
    default:
      return 'only an Active (APPROVED) template can be sent: check it in WhatsApp Manager';
  }
}

/** One line for the plan: what the preflight saw, or why it did not look. */
export function describePreflight(result: PreflightResult): string {
  if (!result.checked) return `! template not checked: ${result.reason}`;
  const t = result.template;
  const ttl = result.ttlSeconds !== undefined ? `, its TTL ${formatTtl(result.ttlSeconds)}` : '';
  return `template: ${t.name} (${t.language}) is approved in ${result.where}${t.category ? `, ${t.category.toLowerCase()}` : ''}${t.twilioVariables ? '' : `, quality ${describeQuality(t.quality)}`}, ${t.parameterFormat} parameters${ttl}`;
}

function formatTtl(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
