import { InputError } from '../errors.js';
import { readSmallTextFile } from '../fs/read-small-text-file.js';
import { parseYaml, type YamlPath } from '../parse-yaml.js';
import { placeholdersIn } from './placeholders.js';
import { plural } from '../plural.js';
import {
  CATEGORIES,
  DEFAULT_TTL_SECONDS,
  TTL_RANGE_SECONDS,
  type Category,
  type PlaceholderUse,
  type TemplateSpec,
} from './template-spec.js';

const TOP_LEVEL_KEYS = new Set(['name', 'language', 'category', 'parameter_format', 'ttl', 'body', 'components', 'twilio', 'defaults']);
// Meta: a named parameter is lower-case letters, digits and underscores (`{{first_name}}`).
const PARAMETER_NAME = /^[a-z0-9_]{1,64}$/;
const COMPONENT_TYPES = new Set(['header', 'body', 'button', 'carousel', 'limited_time_offer']);
// Meta: template names are lower-case letters, digits and underscores, at most 512 characters.
const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
// Meta language codes: `en`, `en_US`, `pt_BR`, `zh_HK`…
const LANGUAGE_CODE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
const TWILIO_CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

type Path = YamlPath;

/**
 * Reads a template spec (YAML, or JSON, which YAML 1.2 reads too) and checks it, naming the file
 * and line of the first problem. Placeholders are only collected here: whether each is a CSV column
 * is checked against the CSV's header when the spec is bound to it (`BoundTemplate`).
 */
export async function loadTemplateSpec(file: string): Promise<TemplateSpec> {
  const text = await readSpecText(file);
  const { value: raw, lineOf } = parseYaml(text, file);
  const fail = (path: Path, message: string): never => {
    throw new InputError(message, { file, line: lineOf(path) });
  };

  if (raw === null || raw === undefined) fail([], 'the template spec is empty');
  if (!isRecord(raw)) return fail([], 'a template spec must be a mapping of fields (name, language, category, components…)');
  const spec = raw as Record<string, unknown>;

  for (const key of Object.keys(spec)) {
    if (!TOP_LEVEL_KEYS.has(key)) fail([key], `unknown field "${key}" (known: ${[...TOP_LEVEL_KEYS].join(', ')})`);
  }

  const name = requireString(spec, 'name', fail);
  if (!TEMPLATE_NAME.test(name)) fail(['name'], `template name "${name}" must be lower-case letters, digits and underscores, as in WhatsApp Manager`);

  const language = readLanguage(spec.language, fail);
  const category = readCategory(spec.category, fail);
  const warnings: string[] = [];
  const ttlSeconds = readTtl(spec.ttl, category, fail, warnings);

  const body = spec.body === undefined ? undefined : typeof spec.body === 'string' ? spec.body : fail(['body'], 'body must be text');

  const components = spec.components === undefined ? [] : spec.components;
  if (!Array.isArray(components)) return fail(['components'], 'components must be a list');
  components.forEach((component, index) => checkComponent(component, ['components', index], fail));
  const parameterFormat = readParameterFormat(spec.parameter_format, fail);
  components.forEach((component, index) => checkParameterNames(component, ['components', index], parameterFormat, fail));

  const twilio = readTwilio(spec.twilio, fail);
  const defaults = readDefaults(spec.defaults, fail);

  const placeholders: PlaceholderUse[] = [];
  collectPlaceholders(components, ['components'], placeholders, lineOf);
  if (twilio) collectPlaceholders(twilio.variables, ['twilio', 'variables'], placeholders, lineOf);
  if (body !== undefined) {
    const bodyParameters = countBodyParameters(components);
    for (const placeholder of placeholdersIn(body)) {
      if (/^\d+$/.test(placeholder)) {
        const n = Number(placeholder);
        if (n < 1 || n > bodyParameters) {
          fail(['body'], `body uses {{${placeholder}}} but the body component has ${plural(bodyParameters, 'parameter')}`);
        }
      } else {
        placeholders.push({ name: placeholder, line: lineOf(['body']), inTextParameter: false });
      }
    }
  }
  for (const use of placeholders) {
    if (use.name === '') throw new InputError('empty placeholder {{}}', { file, line: use.line });
  }

  const lines = {
    components: components.map((_, index) => lineOf(['components', index])),
    parameterFormat: spec.parameter_format === undefined ? undefined : lineOf(['parameter_format']),
    twilio: spec.twilio === undefined ? undefined : lineOf(['twilio']),
    category: lineOf(['category']),
  };
  return { file, name, language, category, ttlSeconds, body, parameterFormat, components, lines, twilio, defaults, placeholders, warnings };
}

type Fail = (path: Path, message: string) => never;

/**
 * A spec is a few kilobytes; past this it is the wrong file (a CSV, an export), and parsing it would
 * take minutes and gigabytes before saying so.
 */
export const MAX_SPEC_BYTES = 1 << 20;

/** The spec's text: a regular file of a sane size. */
function readSpecText(file: string): Promise<string> {
  return readSmallTextFile(file, MAX_SPEC_BYTES, (size) => `the template spec is ${(size / (1 << 20)).toFixed(1)} MB; a spec is a few KB (at most 1 MB): is this the right file?`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(spec: Record<string, unknown>, key: string, fail: Fail): string {
  const value = spec[key];
  if (value === undefined || value === null || value === '') return fail([key], `missing required field "${key}"`);
  if (typeof value !== 'string') return fail([key], `"${key}" must be text`);
  return value;
}

function readLanguage(value: unknown, fail: Fail): TemplateSpec['language'] {
  if (value === undefined || value === null) return fail(['language'], 'missing required field "language" (e.g. en_US)');
  const language = typeof value === 'string' ? { code: value } : value;
  if (!isRecord(language) || typeof language.code !== 'string') {
    return fail(['language'], 'language must be a code like en_US, or { code: en_US }');
  }
  if (!LANGUAGE_CODE.test(language.code)) fail(['language'], `language "${language.code}" is not a WhatsApp language code like en, en_US or pt_BR`);
  const policy = language.policy;
  if (policy !== undefined && policy !== 'deterministic') fail(['language', 'policy'], 'language policy can only be "deterministic"');
  return policy === undefined ? { code: language.code } : { code: language.code, policy };
}

function readCategory(value: unknown, fail: Fail): Category {
  if (value === undefined || value === null) return fail(['category'], `missing required field "category" (${CATEGORIES.join(', ')})`);
  const category = typeof value === 'string' ? value.toLowerCase() : '';
  if (!(CATEGORIES as readonly string[]).includes(category)) fail(['category'], `category must be one of ${CATEGORIES.join(', ')}`);
  return category as Category;
}

function readTtl(value: unknown, category: Category, fail: Fail, warnings: string[]): number {
  if (value === undefined || value === null) return DEFAULT_TTL_SECONDS[category];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) return fail(['ttl'], 'ttl must be a whole number of seconds');
  const [min, max] = TTL_RANGE_SECONDS[category];
  if (value < min || value > max) {
    warnings.push(`ttl ${value} s is outside Meta's range for ${category} templates (${min}–${max} s): check the template's setting in WhatsApp Manager`);
  }
  return value;
}

function checkComponent(component: unknown, path: Path, fail: Fail): void {
  if (!isRecord(component)) return fail(path, 'each component must be a mapping with a "type"');
  const type = typeof component.type === 'string' ? component.type.toLowerCase() : undefined;
  if (!type || !COMPONENT_TYPES.has(type)) {
    fail([...path, 'type'], `component type must be one of ${[...COMPONENT_TYPES].join(', ')}`);
  }
  if (type === 'button') {
    if (component.sub_type === undefined) fail(path, 'a button component needs sub_type (quick_reply, url, …)');
    if (component.index === undefined) fail(path, 'a button component needs index (0 for the first button)');
  }
  const parameters = component.parameters;
  if (parameters === undefined) return;
  if (!Array.isArray(parameters)) return fail([...path, 'parameters'], 'parameters must be a list');
  parameters.forEach((parameter, index) => {
    if (!isRecord(parameter) || typeof parameter.type !== 'string') {
      fail([...path, 'parameters', index], 'each parameter needs a "type" (text, image, payload, …)');
    }
  });
}

function readParameterFormat(value: unknown, fail: Fail): TemplateSpec['parameterFormat'] {
  if (value === undefined || value === null) return 'positional';
  const format = typeof value === 'string' ? value.toLowerCase() : '';
  if (format !== 'named' && format !== 'positional') return fail(['parameter_format'], 'parameter_format must be named or positional, as the approved template in WhatsApp Manager');
  return format;
}

/**
 * Named templates take `parameter_name` on every body and header text parameter (Meta refuses the
 * send otherwise: "(#100) Parameter name is missing or empty"); positional ones take none. A named
 * parameter without `text` takes its value from the column of its name: `{ type: text,
 * parameter_name: first_name }` is `text: "{{first_name}}"`, checked against the CSV like any placeholder.
 */
function checkParameterNames(component: unknown, path: Path, format: TemplateSpec['parameterFormat'], fail: Fail): void {
  const record = component as Record<string, unknown>;
  const type = String(record.type).toLowerCase();
  if (!Array.isArray(record.parameters)) return;
  record.parameters.forEach((parameter: Record<string, unknown>, index) => {
    const at = [...path, 'parameters', index];
    const name = parameter.parameter_name;
    const textual = parameter.type === 'text' && (type === 'body' || type === 'header');
    if (format === 'positional') {
      if (name !== undefined) fail([...at, 'parameter_name'], 'parameter_name is for templates with named parameters: add parameter_format: named at the top of the spec, or remove it');
      return;
    }
    if (!textual) return;
    if (typeof name !== 'string' || name === '') return fail(at, `a named template needs parameter_name on each ${type} text parameter (the {{name}} in the approved ${type})`);
    if (!PARAMETER_NAME.test(name)) fail([...at, 'parameter_name'], `parameter_name "${name}" must be lower-case letters, digits and underscores, as in the approved template`);
    if (parameter.text === undefined) parameter.text = `{{${name}}}`;
  });
}

function readTwilio(value: unknown, fail: Fail): TemplateSpec['twilio'] {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return fail(['twilio'], 'twilio must be a mapping with contentSid and variables');
  const contentSid = value.contentSid;
  if (typeof contentSid !== 'string' || !TWILIO_CONTENT_SID.test(contentSid)) {
    fail(['twilio', 'contentSid'], 'twilio.contentSid must be a Content SID (HX followed by 32 hex digits)');
  }
  let variables: Record<string, string> = {};
  if (value.variables !== undefined) {
    if (!isRecord(value.variables)) return fail(['twilio', 'variables'], 'twilio.variables must map numbers to text, e.g. "1": "{{first_name}}"');
    const entries = Object.entries(value.variables).map(([key, text]): [string, string] => {
      if (typeof text !== 'string' && typeof text !== 'number') fail(['twilio', 'variables', key], `twilio variable ${key} must be text`);
      return [key, String(text)];
    });
    // fromEntries defines own keys (an assignment to `__proto__` would set the prototype instead).
    variables = Object.fromEntries(entries);
  }
  return { contentSid: contentSid as string, variables };
}

function readDefaults(value: unknown, fail: Fail): Map<string, string> {
  const defaults = new Map<string, string>();
  if (value === undefined || value === null) return defaults;
  if (!isRecord(value)) return fail(['defaults'], 'defaults must map column names to text');
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string' && typeof text !== 'number') fail(['defaults', key], `default for "${key}" must be text`);
    defaults.set(key, String(text));
  }
  return defaults;
}

function collectPlaceholders(
  value: unknown,
  path: Path,
  into: PlaceholderUse[],
  lineOf: (path: Path) => number | undefined,
): void {
  if (typeof value === 'string') {
    const inTextParameter = path.at(-1) === 'text' && path.includes('parameters');
    for (const name of placeholdersIn(value)) into.push({ name, line: lineOf(path), inTextParameter });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => collectPlaceholders(item, [...path, index], into, lineOf));
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) collectPlaceholders(item, [...path, key], into, lineOf);
  }
}

function countBodyParameters(components: unknown[]): number {
  const body = components.find((c) => isRecord(c) && String(c.type).toLowerCase() === 'body');
  return isRecord(body) && Array.isArray(body.parameters) ? body.parameters.length : 0;
}
