import { InputError } from '../errors.js';
import { fillPlaceholders, placeholdersIn } from './placeholders.js';
import type { TemplateSpec } from './template-spec.js';

/** Meta's limit on a template body, in characters; longer rendered bodies fail with 132005. */
export const MAX_BODY_CHARACTERS = 1024;

/** Meta refuses text parameters with a newline, a tab or more than four spaces in a row (132018). */
const FORBIDDEN_IN_TEXT_PARAMETER = /[\n\r\t]| {5}/;

export interface ColumnRef {
  name: string;
  index: number;
}

/** The Cloud API `template` object for one recipient. */
export interface RenderedTemplate {
  name: string;
  language: { code: string; policy?: string };
  components?: unknown[];
}

/** Why a row's variables cannot be sent, or undefined when they can. */
export type VariableProblem =
  | { reason: 'missing_variable'; detail: string }
  | { reason: 'invalid_variable'; detail: string }
  | { reason: 'body_too_long'; detail: string };

/**
 * A template spec tied to one CSV's columns: every placeholder resolved to a column index once, so
 * per-row work is array lookups. Construction fails (InputError naming the spec file and line) when
 * a placeholder is not a column.
 */
export class BoundTemplate {
  /** Placeholders a row must fill: every column used that has no default. */
  readonly required: ColumnRef[];
  /** Columns whose values go into text parameters. */
  readonly inText: ColumnRef[];
  private readonly columns = new Map<string, number>();
  /** The body's length without its column values, and how often each column appears in it. */
  private readonly bodyShape: { fixedLength: number; uses: { index: number; times: number; fallback: number }[] } | undefined;

  constructor(
    readonly spec: TemplateSpec,
    header: string[],
    csvFile: string,
  ) {
    const byName = new Map(header.map((name, index) => [name, index]));
    const missing = new Map<string, { name: string; line: number | undefined }>();
    for (const use of spec.placeholders) {
      const index = byName.get(use.name);
      if (index === undefined) {
        if (!missing.has(use.name)) missing.set(use.name, { name: use.name, line: use.line });
        continue;
      }
      this.columns.set(use.name, index);
    }
    if (missing.size > 0) throw missingColumns([...missing.values()], header, csvFile, spec.file);
    const unique = (refs: ColumnRef[]) => [...new Map(refs.map((ref) => [ref.name, ref])).values()];
    const refs = spec.placeholders.map((use) => ({ name: use.name, index: this.columns.get(use.name)!, inText: use.inTextParameter }));
    this.required = unique(refs.filter((ref) => !spec.defaults.has(ref.name)));
    this.inText = unique(refs.filter((ref) => ref.inText));
    this.bodyShape = spec.body === undefined ? undefined : this.measureBody(spec.body);
  }

  private measureBody(body: string): NonNullable<BoundTemplate['bodyShape']> {
    const parameters = bodyParameters(this.spec.components);
    // The body with {{n}} replaced by the n-th parameter's text: only column placeholders are left.
    const expanded = fillPlaceholders(body, (name) => (/^\d+$/.test(name) ? parameterText(parameters[Number(name) - 1]) : `{{${name}}}`));
    const times = new Map<string, number>();
    for (const name of placeholdersIn(expanded)) times.set(name, (times.get(name) ?? 0) + 1);
    return {
      fixedLength: fillPlaceholders(expanded, () => '').length,
      uses: [...times].map(([name, count]) => ({
        index: this.columns.get(name)!,
        times: count,
        fallback: this.spec.defaults.get(name)?.length ?? 0,
      })),
    };
  }

  /** An upper bound on the rendered body's length, without rendering it (the hot path for big files). */
  private bodyLengthBound(fields: string[]): number {
    let length = this.bodyShape!.fixedLength;
    for (const use of this.bodyShape!.uses) length += use.times * Math.max((fields[use.index] ?? '').length, use.fallback);
    return length;
  }

  /** The value of column `name` for this row, or its default when the row leaves it empty. */
  value(fields: string[], name: string): string {
    const index = this.columns.get(name);
    const own = index === undefined ? '' : (fields[index] ?? '').trim();
    return own !== '' ? own : (this.spec.defaults.get(name) ?? '');
  }

  /** The first reason this row's variables cannot be sent, if any. */
  checkVariables(fields: string[]): VariableProblem | undefined {
    for (const ref of this.required) {
      if ((fields[ref.index] ?? '').trim() === '') return { reason: 'missing_variable', detail: `"${ref.name}" is empty` };
    }
    for (const ref of this.inText) {
      if (FORBIDDEN_IN_TEXT_PARAMETER.test(this.value(fields, ref.name))) {
        return { reason: 'invalid_variable', detail: `"${ref.name}" has a line break, tab or more than 4 spaces in a row, which WhatsApp refuses in a text parameter` };
      }
    }
    // Render only when the cheap bound says the body might be too long.
    if (this.bodyShape && this.bodyLengthBound(fields) > MAX_BODY_CHARACTERS) {
      const length = [...this.renderBody(fields)!].length;
      if (length > MAX_BODY_CHARACTERS) {
        return { reason: 'body_too_long', detail: `rendered body is ${length} characters (WhatsApp's limit is ${MAX_BODY_CHARACTERS})` };
      }
    }
    return undefined;
  }

  /** The Cloud API template object with this row's values in place of the placeholders. */
  render(fields: string[]): RenderedTemplate {
    const fill = (text: string) => fillPlaceholders(text, (name) => this.value(fields, name));
    const template: RenderedTemplate = { name: this.spec.name, language: { ...this.spec.language } };
    if (this.spec.components.length > 0) template.components = deepFill(this.spec.components, fill) as unknown[];
    return template;
  }

  /** The body text as the recipient would read it, or undefined when the spec gives no body. */
  renderBody(fields: string[]): string | undefined {
    const body = this.spec.body;
    if (body === undefined) return undefined;
    const parameters = bodyParameters(this.spec.components);
    return fillPlaceholders(body, (name) => {
      if (/^\d+$/.test(name)) return fillPlaceholders(parameterText(parameters[Number(name) - 1]), (inner) => this.value(fields, inner));
      return this.value(fields, name);
    });
  }

  /** Twilio's ContentVariables for this row ({"1": "Ana", …}), or undefined without a twilio block. */
  renderTwilioVariables(fields: string[]): Record<string, string> | undefined {
    const twilio = this.spec.twilio;
    if (!twilio) return undefined;
    // fromEntries defines own keys: a variable named `__proto__` stays a variable.
    return Object.fromEntries(Object.entries(twilio.variables).map(([key, text]) => [key, fillPlaceholders(text, (name) => this.value(fields, name))]));
  }

  /** Every column placeholder used, for reports. */
  get placeholderNames(): string[] {
    return [...this.columns.keys()];
  }
}

/**
 * One error naming every placeholder that is not a column, each with its did-you-mean, so that a
 * spec is fixed in one go; located at the first one's line in the spec.
 */
function missingColumns(missing: { name: string; line: number | undefined }[], header: string[], csvFile: string, specFile: string): InputError {
  const location = { file: specFile, line: missing[0]!.line };
  const columns = `columns: ${header.join(', ')}`;
  if (missing.length === 1) {
    const near = closestName(missing[0]!.name, header);
    return new InputError(`placeholder {{${missing[0]!.name}}} is not a column of ${csvFile} (${near ? `did you mean {{${near}}}?` : columns})`, location);
  }
  let unmatched = false;
  const named = missing.map(({ name, line }, i) => {
    const near = closestName(name, header);
    if (!near) unmatched = true;
    const notes = [i > 0 && line !== undefined ? `line ${line}` : undefined, near ? `did you mean {{${near}}}?` : undefined].filter(Boolean);
    return notes.length > 0 ? `{{${name}}} (${notes.join(': ')})` : `{{${name}}}`;
  });
  const list = `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
  return new InputError(`${missing.length} placeholders are not columns of ${csvFile}: ${list}${unmatched ? ` (${columns})` : ''}`, location);
}

/** A column that differs from `name` only in case or by a typo of one or two letters. */
function closestName(name: string, columns: string[]): string | undefined {
  const wanted = name.toLowerCase();
  let best: { column: string; distance: number } | undefined;
  for (const column of columns) {
    const distance = editDistance(wanted, column.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { column, distance };
  }
  return best?.column;
}

/** Damerau-Levenshtein distance (adjacent swaps count as one edit: "frist" → "first"). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function deepFill(value: unknown, fill: (text: string) => string): unknown {
  if (typeof value === 'string') return fill(value);
  if (Array.isArray(value)) return value.map((item) => deepFill(item, fill));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, deepFill(item, fill)]));
  }
  return value;
}

function bodyParameters(components: unknown[]): unknown[] {
  const body = components.find((c) => (c as { type?: unknown }).type?.toString().toLowerCase() === 'body') as
    | { parameters?: unknown[] }
    | undefined;
  return body?.parameters ?? [];
}

/** What a body parameter shows in the text: its text, or the fallback of a currency or date. */
function parameterText(parameter: unknown): string {
  const p = parameter as Record<string, Record<string, unknown> | string | undefined> | undefined;
  if (!p) return '';
  if (typeof p.text === 'string') return p.text;
  for (const key of ['currency', 'date_time']) {
    const nested = p[key];
    if (typeof nested === 'object' && typeof nested.fallback_value === 'string') return nested.fallback_value;
  }
  return `[${String(p.type)}]`;
}
