import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors.js';
import { describeOpenError } from '../recipients/read-csv.js';

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
  let value: unknown;
  try {
    value = parseYaml(await readFile(file, 'utf8'));
  } catch (error) {
    const message = (error as NodeJS.ErrnoException).code ? describeOpenError(error) : `not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`;
    throw new InputError(message, { file });
  }
  return parseScenario(value, file);
}

export function parseScenario(value: unknown, file = 'scenario'): Scenario {
  const fail = (message: string): never => {
    throw new InputError(message, { file });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('a scenario is a mapping with rules and latency_ms');
  const raw = value as { rules?: unknown; latency_ms?: unknown; duplicate_callbacks?: unknown; shuffle_callbacks?: unknown };
  const latencyMs = raw.latency_ms === undefined ? 0 : Number(raw.latency_ms);
  if (!Number.isFinite(latencyMs) || latencyMs < 0) fail('latency_ms must be a number of milliseconds');
  const rules = raw.rules === undefined ? [] : raw.rules;
  if (!Array.isArray(rules)) return fail('rules must be a list');
  return {
    latencyMs,
    duplicateCallbacks: raw.duplicate_callbacks === true,
    shuffleCallbacks: raw.shuffle_callbacks === true,
    rules: rules.map((rule: Record<string, unknown>, index) => {
      const where = `rule ${index + 1}`;
      const match = Array.isArray(rule?.match) ? rule.match.map(String) : rule?.match !== undefined ? [String(rule.match)] : [];
      if (match.length === 0) fail(`${where}: match needs a number or pattern`);
      const outcome = String(rule.outcome ?? '');
      if (!OUTCOMES.has(outcome)) fail(`${where}: outcome must be one of ${[...OUTCOMES].join(', ')}`);
      if (outcome === 'error' && typeof rule.code !== 'number') fail(`${where}: an error outcome needs a numeric code`);
      const callback = rule.callback;
      if (callback !== undefined && callback !== 'failed' && callback !== 'none') fail(`${where}: callback must be failed or none`);
      if (callback === 'failed' && typeof rule.callback_code !== 'number') fail(`${where}: callback: failed needs a numeric callback_code`);
      return {
        match,
        outcome: outcome as ScenarioOutcome,
        ...(typeof rule.code === 'number' ? { code: rule.code } : {}),
        ...(rule.times !== undefined ? { times: Number(rule.times) } : {}),
        ...(rule.latency_ms !== undefined ? { latencyMs: Number(rule.latency_ms) } : {}),
        ...(callback !== undefined ? { callback: callback as 'failed' | 'none' } : {}),
        ...(typeof rule.callback_code === 'number' ? { callbackCode: rule.callback_code } : {}),
      };
    }),
  };
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
