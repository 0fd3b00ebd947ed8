import type { AccountTemplate } from '../../template/account-template.js';
import type { EmulatedTemplate } from '../emulator-route.js';
import { isRecord } from '../template-lookup.js';

/** What Meta refuses a template send with: its code and `error_data.details`. */
export interface TemplateRefusal {
  code: number;
  title: string;
  details: string;
}

/**
 * The emulator's Meta: a Cloud API `template` object as sent, against the account's templates,
 * refused as Meta refuses it (templates-facts.md §2, error texts from Meta's error-code page and
 * the recorded answers cited there): unknown name or language 132001, paused 132015, disabled
 * 132016, another status 132001; a named template's text parameter without `parameter_name` 100
 * ("Parameter name is missing or empty"); a parameter count per component other than the
 * template's 132000; a header parameter of another format 132012; a dynamic button without its
 * parameter 131008; a parameter for a button that takes none 100. Reads the wire body, not the spec.
 */
export function enforceTemplate(sent: { name: string; language: string; components: unknown }, templates: readonly EmulatedTemplate[]): TemplateRefusal | undefined {
  const entry = templates.find((t) => t.template.name === sent.name && t.template.language === sent.language);
  if (!entry) return { code: 132001, title: 'Template name does not exist in the translation', details: `template name (${sent.name}) does not exist in ${sent.language}` };
  const template = entry.template;
  if (template.status === 'PAUSED') return { code: 132015, title: 'Template is paused', details: `template name (${sent.name}) is paused` };
  if (template.status === 'DISABLED') return { code: 132016, title: 'Template is disabled', details: `template name (${sent.name}) is disabled` };
  if (template.status !== 'APPROVED') return { code: 132001, title: 'Template name does not exist in the translation', details: `template name (${sent.name}) does not exist in ${sent.language}` };
  const components = Array.isArray(sent.components) ? sent.components.filter(isRecord) : [];
  const of = (type: string) => components.find((c) => String(c.type).toLowerCase() === type);
  const parameters = (component: Record<string, unknown> | undefined) => (Array.isArray(component?.parameters) ? component.parameters.filter(isRecord) : []);
  return checkText(template, 'header', parameters(of('header'))) ?? checkText(template, 'body', parameters(of('body'))) ?? checkButtons(template, components.filter((c) => String(c.type).toLowerCase() === 'button'));
}

function checkText(template: AccountTemplate, what: 'header' | 'body', given: Record<string, unknown>[]): TemplateRefusal | undefined {
  const mismatch = (expected: number): TemplateRefusal => ({
    code: 132000,
    title: 'Number of parameters does not match the expected number of params',
    details: `${what}: number of localizable_params (${given.length}) does not match the expected number of params (${expected})`,
  });
  if (what === 'header' && template.header && template.header.format !== 'TEXT') {
    const wanted = template.header.format;
    const type = given[0] ? String(given[0].type).toUpperCase() : 'UNKNOWN';
    if (type !== wanted) return { code: 132012, title: 'Parameter format does not match format in the created template', details: `header: Format mismatch, expected ${wanted}, received ${type}` };
    return given.length === 1 ? undefined : mismatch(1);
  }
  const expected = (what === 'header' ? template.header?.parameters : template.body?.parameters) ?? [];
  if (template.parameterFormat === 'named' && given.some((p) => p.type === 'text' && (typeof p.parameter_name !== 'string' || p.parameter_name === ''))) {
    return { code: 100, title: 'Invalid parameter', details: 'Parameter name is missing or empty' };
  }
  if (given.length !== expected.length) return mismatch(expected.length);
  if (template.parameterFormat === 'named') {
    const names = new Set(given.map((p) => p.parameter_name));
    const missing = expected.find((p) => !names.has(p.name));
    if (missing) return { code: 132000, title: 'Number of parameters does not match the expected number of params', details: `${what}: parameter ${missing.name} is missing` };
  }
  return undefined;
}

function checkButtons(template: AccountTemplate, sent: Record<string, unknown>[]): TemplateRefusal | undefined {
  const given = new Map<number, Record<string, unknown>>();
  for (const component of sent) {
    const index = Number(component.index);
    const button = template.buttons[index];
    if (!button) return { code: 100, title: 'Invalid parameter', details: `buttons: Button at index ${String(component.index)} does not exist` };
    if (!button.takesParameter) return { code: 100, title: 'Invalid parameter', details: `buttons: Button at index ${index} is of type ${title(button.type)} and does not support parameters` };
    given.set(index, component);
  }
  for (const button of template.buttons) {
    const component = given.get(button.index);
    const count = Array.isArray(component?.parameters) ? component.parameters.length : 0;
    if (button.needsParameter && count === 0) return { code: 131008, title: 'Required parameter is missing', details: `buttons: Button at index ${button.index} of type ${title(button.type)} requires a parameter` };
  }
  return undefined;
}

/** `URL` → `Url`, `PHONE_NUMBER` → `Phone_number`: Meta's details name button types so. */
function title(type: string): string {
  return type === 'PHONE_NUMBER' ? 'Call' : type.charAt(0) + type.slice(1).toLowerCase();
}
