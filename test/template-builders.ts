import type { AccountTemplate, TemplateButton } from '../src/template/account-template.js';
import { fitTemplate } from '../src/template/fit-template.js';
import type { TemplateSpec } from '../src/template/template-spec.js';

/** An approved positional marketing template `offer` (en_GB) with no components, as account-template gives one; `over` replaces fields. */
export const accountTemplate = (over: Partial<AccountTemplate> = {}): AccountTemplate => ({
  name: 'offer',
  language: 'en_GB',
  category: 'MARKETING',
  status: 'APPROVED',
  quality: 'GREEN',
  parameterFormat: 'positional',
  header: undefined,
  body: undefined,
  footer: undefined,
  buttons: [],
  ttlSeconds: undefined,
  rejectedReason: undefined,
  id: '1',
  ...over,
});

/** A template's button with no text, URL or example, taking no parameter. */
export const templateButton = (over: Partial<TemplateButton> & Pick<TemplateButton, 'index' | 'type'>): TemplateButton => ({
  text: undefined,
  url: undefined,
  example: undefined,
  needsParameter: false,
  takesParameter: false,
  ...over,
});

/** A spec of `offer` (en_GB, marketing) with these components, each at line 10, 20, 30… */
export const specOf = (components: Record<string, unknown>[], over: Partial<TemplateSpec> = {}): TemplateSpec => ({
  file: 'spec.yaml',
  name: 'offer',
  language: { code: 'en_GB' },
  category: 'marketing',
  ttlSeconds: 2_592_000,
  body: undefined,
  parameterFormat: 'positional',
  components,
  lines: { components: components.map((_, i) => 10 * (i + 1)), parameterFormat: undefined, twilio: undefined, category: 3 },
  twilio: undefined,
  defaults: new Map(),
  placeholders: [],
  warnings: [],
  ...over,
});

/** What fitTemplate finds wrong, each as `line: message`. */
export const fitProblems = (spec: TemplateSpec, template: AccountTemplate): string[] => fitTemplate(spec, template).problems.map((p) => `${p.line}: ${p.message}`);
