import type { AccountTemplate, TemplateButton } from './account-template.js';
import type { TemplateSpec } from './template-spec.js';

/*
 * Does the spec fit the template the account has? Pure: the spec as loaded, the template as a
 * provider's look-up parsed it. Each rule is what Meta refuses at send time (templates-facts.md §2):
 * a parameter count per component other than the template's (132000), a named template's
 * parameters without their names or with other names ("(#100) Parameter name is missing or
 * empty"), a header parameter of another format (132012), a dynamic button without its parameter
 * (131008), a parameter for a button that takes none or a sub_type that is not the button's (100).
 */

/** One way the spec does not fit, at its line in the spec. */
export interface FitProblem {
  line: number | undefined;
  message: string;
}

export interface FitReport {
  problems: FitProblem[];
  /** Worth reading before paying for a campaign, not a reason to stop. */
  warnings: string[];
}

/** The Cloud API `sub_type` a send gives each kind of button (an OTP code goes as `url`: Meta's copy-code authentication page). */
const SUB_TYPE: Record<string, string> = {
  QUICK_REPLY: 'quick_reply',
  URL: 'url',
  COPY_CODE: 'copy_code',
  OTP: 'url',
  FLOW: 'flow',
  CATALOG: 'catalog',
  MPM: 'mpm',
  SPM: 'spm',
};

/** A media header's parameter type (`{type: image, image: {link}}`…). */
const MEDIA_PARAMETER: Record<string, string> = { IMAGE: 'image', VIDEO: 'video', DOCUMENT: 'document', LOCATION: 'location' };

interface SpecComponent {
  type: string;
  parameters: Record<string, unknown>[];
  raw: Record<string, unknown>;
  line: number | undefined;
}

/** How the spec fits the template: the problems (exit 2) and the warnings. */
export function fitTemplate(spec: TemplateSpec, template: AccountTemplate): FitReport {
  const problems: FitProblem[] = [];
  const warnings = templateWarnings(spec, template);
  if (template.twilioVariables) {
    fitTwilio(spec, template, problems);
    return { problems, warnings };
  }
  const components: SpecComponent[] = spec.components.map((raw, index) => {
    const record = raw as Record<string, unknown>;
    return {
      type: String(record.type).toLowerCase(),
      parameters: Array.isArray(record.parameters) ? (record.parameters as Record<string, unknown>[]) : [],
      raw: record,
      line: spec.lines.components[index],
    };
  });
  const firstLine = spec.lines.components[0];
  const header = components.find((c) => c.type === 'header');
  const body = components.find((c) => c.type === 'body');
  const problem = (line: number | undefined, message: string) => problems.push({ line, message });

  const textParameters = [...(template.header?.parameters ?? []), ...(template.body?.parameters ?? [])];
  if (textParameters.length > 0 && template.parameterFormat !== spec.parameterFormat) {
    const names = [...new Set(textParameters.map((p) => `{{${p.name}}}`))].join(', ');
    problem(
      spec.lines.parameterFormat ?? body?.line ?? firstLine,
      template.parameterFormat === 'named'
        ? `the template takes named parameters (${names}): add parameter_format: named and a parameter_name on each body and header text parameter (templates pull writes them)`
        : `the template takes positional parameters (${names}): remove parameter_format: named and the parameter_name fields`,
    );
    return { problems, warnings };
  }

  fitHeader(template, header, firstLine, problem);
  fitText('body', template.body?.parameters.map((p) => p.name) ?? [], body, spec.parameterFormat, firstLine, problem);
  fitButtons(template.buttons, components.filter((c) => c.type === 'button'), firstLine, problem);
  return { problems, warnings };
}

type Problem = (line: number | undefined, message: string) => void;

function fitHeader(template: AccountTemplate, spec: SpecComponent | undefined, firstLine: number | undefined, problem: Problem): void {
  const header = template.header;
  const given = spec?.parameters ?? [];
  if (!header || (header.format === 'TEXT' && header.parameters.length === 0)) {
    if (given.length > 0) problem(spec!.line, `header: the template's header ${header ? 'is fixed text' : 'does not exist'} and takes no parameters; the spec gives ${given.length}: remove them`);
    return;
  }
  if (header.format === 'TEXT') {
    fitText('header', header.parameters.map((p) => p.name), spec, undefined, firstLine, problem);
    return;
  }
  const wanted = MEDIA_PARAMETER[header.format];
  if (given.length === 0) {
    problem(spec?.line ?? firstLine, `header: the template has a${/^[AEIOU]/.test(header.format) ? 'n' : ''} ${header.format} header: add a header component with one ${wanted ?? header.format.toLowerCase()} parameter`);
    return;
  }
  if (given.length > 1) problem(spec!.line, `header: the template's ${header.format} header takes one parameter; the spec gives ${given.length}`);
  const type = String(given[0]!.type).toLowerCase();
  if (wanted && type !== wanted) problem(spec!.line, `header: the template's header is ${header.format}, the spec gives a ${type} parameter (Meta answers 132012): give a ${wanted} parameter`);
}

/**
 * A body's (or text header's) parameters against the template's `{{…}}`: their number when
 * positional, their names when named (any order: Meta matches them by `parameter_name`).
 */
function fitText(what: 'body' | 'header', expected: string[], spec: SpecComponent | undefined, format: TemplateSpec['parameterFormat'] | undefined, firstLine: number | undefined, problem: Problem): void {
  const given = spec?.parameters ?? [];
  const line = spec?.line ?? firstLine;
  const list = (names: string[]) => names.map((n) => `{{${n}}}`).join(', ');
  const named = expected.some((name) => !/^\d+$/.test(name)) || format === 'named';
  if (!named || given.every((p) => p.parameter_name === undefined)) {
    if (given.length !== expected.length) {
      const has = expected.length === 0 ? `the template's ${what} has no parameters` : `the template's ${what} has ${expected.length} parameter${expected.length === 1 ? '' : 's'} (${list(expected)})`;
      problem(line, `${what}: ${has}; the spec ${spec ? `gives ${given.length}` : `has no ${what} component`} (Meta answers 132000)`);
    }
    return;
  }
  const names = given.map((p) => String(p.parameter_name ?? ''));
  const missing = expected.filter((name) => !names.includes(name));
  const unknown = names.filter((name) => !expected.includes(name));
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  const parts = [
    missing.length > 0 ? `the template's ${what} has ${list(missing)}, which the spec does not give` : undefined,
    unknown.length > 0 ? `the spec gives ${list(unknown)}, which the template's ${what} does not have` : undefined,
    twice.length > 0 ? `the spec gives ${list([...new Set(twice)])} twice` : undefined,
  ].filter(Boolean);
  if (parts.length > 0) problem(line, `${what}: ${parts.join('; ')}`);
}

function fitButtons(buttons: TemplateButton[], specs: SpecComponent[], firstLine: number | undefined, problem: Problem): void {
  const seen = new Set<number>();
  for (const spec of specs) {
    const index = Number(spec.raw.index);
    const subType = String(spec.raw.sub_type ?? '').toLowerCase();
    if (!Number.isInteger(index) || index < 0) {
      problem(spec.line, `button: index ${JSON.stringify(spec.raw.index)} is not a button position (0 for the first)`);
      continue;
    }
    if (seen.has(index)) problem(spec.line, `button ${index}: given twice`);
    seen.add(index);
    const button = buttons[index];
    if (!button) {
      problem(spec.line, `button ${index}: the template has ${buttons.length === 0 ? 'no buttons' : `${buttons.length} button${buttons.length === 1 ? '' : 's'} (index 0${buttons.length > 1 ? `–${buttons.length - 1}` : ''})`}`);
      continue;
    }
    if (!button.takesParameter) {
      problem(spec.line, `button ${index}: the template's button ${index} is ${describeButton(button)}, which takes no parameters: remove this component`);
      continue;
    }
    const wanted = SUB_TYPE[button.type];
    if (wanted && subType !== wanted) problem(spec.line, `button ${index}: the template's button ${index} is ${describeButton(button)}: its sub_type is ${wanted}, not ${subType || 'missing'}`);
  }
  for (const button of buttons) {
    if (!button.needsParameter || seen.has(button.index)) continue;
    problem(
      firstLine,
      `button ${button.index}: the template's button ${button.index} is ${describeButton(button)} and needs a parameter (Meta answers 131008): add a component with type: button, sub_type: ${SUB_TYPE[button.type] ?? button.type.toLowerCase()}, index: ${button.index}`,
    );
  }
}

function describeButton(button: TemplateButton): string {
  const label = button.text ? ` "${button.text}"` : '';
  if (button.type === 'URL') return `a URL button${label}${button.url ? ` (${button.url})` : ''}`;
  return `a ${button.type} button${label}`;
}

/**
 * Twilio takes `ContentVariables` by the Content template's keys. A key the template does not
 * have is refused (63028); one the spec leaves out is filled with the template's sample value,
 * which would send that sample to every recipient: both stop the campaign before it starts.
 */
function fitTwilio(spec: TemplateSpec, template: AccountTemplate, problems: FitProblem[]): void {
  const expected = template.twilioVariables!;
  const given = Object.keys(spec.twilio?.variables ?? {});
  const line = spec.lines.twilio;
  const missing = expected.filter((variable) => !given.includes(variable.key));
  const unknown = given.filter((key) => !expected.some((variable) => variable.key === key));
  if (missing.length > 0) {
    const named = missing.map((v) => `{{${v.key}}}${v.example !== undefined ? ` (sample "${v.example}")` : ''}`).join(', ');
    problems.push({ line, message: `twilio.variables: the Content template has ${named}, which the spec does not set: Twilio would send the sample value to every recipient` });
  }
  if (unknown.length > 0) {
    problems.push({ line, message: `twilio.variables: the Content template has no ${unknown.map((k) => `{{${k}}}`).join(', ')} (Twilio answers 63028): its variables are ${expected.map((v) => `{{${v.key}}}`).join(', ') || 'none'}` });
  }
}

/** Category and quality: what Meta changed about the template since the spec was written. */
function templateWarnings(spec: TemplateSpec, template: AccountTemplate): string[] {
  const warnings: string[] = [];
  const category = template.category?.toLowerCase();
  if (category && category !== spec.category) {
    warnings.push(
      `${template.name} (${template.language}) is ${template.category} in the account, the spec says ${spec.category}: Meta may have recategorised it, and it is priced and delivered as ${category}; set category: ${category} in the spec`,
    );
  }
  if (template.quality === 'RED') {
    warnings.push(`${template.name} (${template.language}) has low quality (RED): Meta may pause it during this campaign (the sends would then fail with 132015); consider improving it first`);
  }
  return warnings;
}
