import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { parseYaml, type YamlPath } from '../parse-yaml.js';
import { describeOpenError } from '../fs/describe-open-error.js';
import { DEFAULT_ACCOUNT, type EmulatedAccount, type EmulatedTemplate } from '../providers/emulator-route.js';

/** What the emulator does with a send to one recipient. */
export type ScenarioOutcome =
  /** 200/201 with a message id. */
  | 'accepted'
  /** Accepted, but held for quality assessment (template pacing). */
  | 'held'
  /** The provider's error answer with `code`. */
  | 'error'
  /** `code` (default a server error) for the first `times` requests, then accepted. */
  | 'transient'
  /** Accepted, then the connection is dropped before the answer: the sender cannot know. */
  | 'drop';

export interface ScenarioRule {
  /** E.164 numbers, or patterns with `*` for any digits (`+4474001234*`). */
  match: string[];
  outcome: ScenarioOutcome;
  code?: number;
  times?: number;
  latencyMs?: number;
  /** What the status callbacks say of an accepted message: `failed` (with `callbackCode`), or `none`. */
  callback?: 'failed' | 'none';
  callbackCode?: number;
}

export interface Scenario {
  rules: ScenarioRule[];
  /** Answer delay for every request, in milliseconds. */
  latencyMs: number;
  /** Send every status callback twice (webhooks are at-least-once). */
  duplicateCallbacks?: boolean;
  /** Send a message's status callbacks in random order (webhooks are unordered). */
  shuffleCallbacks?: boolean;
  /** The account's Marketing Messages API onboarding status (default ONBOARDED). */
  onboardingStatus?: string;
  /** False: marketing templates are refused on `/messages` with 131063 (disable_marketing_messages_on_cloud_api). */
  marketingOnCloudApi?: boolean;
  /** Template name → category (`utility`, `authentication`, `marketing`); unlisted templates are marketing. */
  templateCategories?: Record<string, string>;
}

/**
 * The emulated account a scenario describes (its Marketing Messages API onboarding and templates'
 * categories): a template's category is the scenario's, else the templates file's, else marketing.
 */
export function accountOf(scenario: Scenario, templates?: readonly EmulatedTemplate[]): EmulatedAccount {
  const categories = new Map(Object.entries(scenario.templateCategories ?? {}));
  for (const { template } of templates ?? []) {
    if (template.category && !categories.has(template.name)) categories.set(template.name, template.category.toLowerCase());
  }
  return {
    onboarding: scenario.onboardingStatus ?? DEFAULT_ACCOUNT.onboarding,
    marketingOnCloudApi: scenario.marketingOnCloudApi ?? true,
    categoryOf: (name) => categories.get(name) ?? 'marketing',
    templates,
  };
}

export const DEFAULT_SCENARIO: Scenario = { rules: [], latencyMs: 0 };

const OUTCOMES = new Set(['accepted', 'held', 'error', 'transient', 'drop']);

/**
 * Reads a scenario file (YAML or JSON):
 *
 *   latency_ms: 20
 *   rules:
 *     - match: "+447400123460"           # or a list, or a pattern with *
 *       outcome: error                   # accepted | held | error | transient | drop
 *       code: 131026
 */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(describeOpenError(error), { file });
  }
  const { value, lineOf } = parseYaml(text, file);
  return parseScenario(value, file, lineOf);
}

/**
 * Checks a scenario read from YAML or JSON. Fields are read as own properties only: a rule that is
 * not a mapping (a bare string has a `match` method) or a field named like Object's own
 * (`constructor`) is not mistaken for a setting.
 */
export function parseScenario(value: unknown, file = 'scenario', lineOf: (path: YamlPath) => number | undefined = () => undefined): Scenario {
  const fail = (path: YamlPath, message: string): never => {
    throw new InputError(message, { file, line: lineOf(path) });
  };
  if (!isMapping(value)) return fail([], 'a scenario is a mapping with rules and latency_ms');
  const latencyMs = own(value, 'latency_ms') === undefined ? 0 : Number(own(value, 'latency_ms'));
  if (!Number.isFinite(latencyMs) || latencyMs < 0) fail(['latency_ms'], 'latency_ms must be a number of milliseconds');
  const rules = own(value, 'rules') ?? [];
  if (!Array.isArray(rules)) return fail(['rules'], 'rules must be a list');
  const onboarding = own(value, 'onboarding_status');
  if (onboarding !== undefined && (typeof onboarding !== 'string' || !/^[A-Z_]+$/.test(onboarding))) fail(['onboarding_status'], 'onboarding_status must be a status such as ONBOARDED or ELIGIBLE');
  const marketingOnCloudApi = own(value, 'marketing_on_cloud_api');
  if (marketingOnCloudApi !== undefined && typeof marketingOnCloudApi !== 'boolean') fail(['marketing_on_cloud_api'], 'marketing_on_cloud_api must be true or false');
  const categories = own(value, 'template_categories');
  if (categories !== undefined && (!isMapping(categories) || Object.values(categories).some((c) => c !== 'marketing' && c !== 'utility' && c !== 'authentication'))) {
    fail(['template_categories'], 'template_categories maps template names to marketing, utility or authentication');
  }
  return {
    ...(typeof onboarding === 'string' ? { onboardingStatus: onboarding } : {}),
    ...(typeof marketingOnCloudApi === 'boolean' ? { marketingOnCloudApi } : {}),
    ...(categories !== undefined ? { templateCategories: Object.fromEntries(Object.entries(categories as Record<string, string>)) } : {}),
    latencyMs,
    duplicateCallbacks: own(value, 'duplicate_callbacks') === true,
    shuffleCallbacks: own(value, 'shuffle_callbacks') === true,
    rules: rules.map((rule: unknown, index): ScenarioRule => {
      const where = `rule ${index + 1}`;
      const at = (...path: YamlPath) => ['rules', index, ...path];
      if (!isMapping(rule)) return fail(at(), `${where}: a rule is a mapping with match and outcome`);
      const field = (name: string) => own(rule, name);
      const rawMatch = field('match');
      const match = Array.isArray(rawMatch) ? rawMatch.map(String) : typeof rawMatch === 'string' || typeof rawMatch === 'number' ? [String(rawMatch)] : [];
      if (match.length === 0) fail(at('match'), `${where}: match needs a number or pattern`);
      const outcome = String(field('outcome') ?? '');
      if (!OUTCOMES.has(outcome)) fail(at('outcome'), `${where}: outcome must be one of ${[...OUTCOMES].join(', ')}`);
      const code = field('code');
      if (outcome === 'error' && typeof code !== 'number') fail(at('code'), `${where}: an error outcome needs a numeric code`);
      const callback = field('callback');
      if (callback !== undefined && callback !== 'failed' && callback !== 'none') fail(at('callback'), `${where}: callback must be failed or none`);
      const callbackCode = field('callback_code');
      if (callback === 'failed' && typeof callbackCode !== 'number') fail(at('callback_code'), `${where}: callback: failed needs a numeric callback_code`);
      return {
        match,
        outcome: outcome as ScenarioOutcome,
        ...(typeof code === 'number' ? { code } : {}),
        ...(field('times') !== undefined ? { times: Number(field('times')) } : {}),
        ...(field('latency_ms') !== undefined ? { latencyMs: Number(field('latency_ms')) } : {}),
        ...(callback !== undefined ? { callback: callback as 'failed' | 'none' } : {}),
        ...(typeof callbackCode === 'number' ? { callbackCode } : {}),
      };
    }),
  };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The first rule matching `phone` (E.164), if any. */
export function ruleFor(scenario: Scenario, phone: string): ScenarioRule | undefined {
  return scenario.rules.find((rule) => rule.match.some((pattern) => matches(pattern, phone)));
}

function matches(pattern: string, phone: string): boolean {
  if (!pattern.includes('*')) return pattern === phone;
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '\\d*')}$`);
  return regex.test(phone);
}
