import { makeRedactor } from '../config/redact.js';
import type { ProviderFamily } from '../codes/error-codes.js';
import type { TemplateSpec } from '../template/template-spec.js';
import { dialog360 } from './360dialog/index.js';
import type { CallbackChannel } from './callback-channel.js';
import { cloud } from './cloud/index.js';
import type { ProviderModule, ProviderSetup, ProviderSetupOptions } from './provider-module.js';
import type { SecretVariables } from './secret-variables.js';
import type { TemplateLookupSetup } from './template-lookup.js';
import { twilio } from './twilio/index.js';

/**
 * The providers, one line each: a provider is a folder (src/providers/<name>/) whose index
 * exports a ProviderModule, and a line here. Everything else asks this registry. The first is
 * the default (`send --provider`).
 */
export const PROVIDER_MODULES = [
  cloud,
  dialog360,
  twilio,
] as const satisfies readonly ProviderModule[];

export type ProviderName = (typeof PROVIDER_MODULES)[number]['name'];
export const PROVIDER_NAMES: readonly ProviderName[] = PROVIDER_MODULES.map((module) => module.name);

// A Map: the name comes from flags and ledgers, and `constructor` is no provider.
const BY_NAME = new Map<string, ProviderModule>(PROVIDER_MODULES.map((module) => [module.name, module]));

/** The module of a registered provider, or undefined. */
export function providerModule(name: string): ProviderModule | undefined {
  return BY_NAME.get(name);
}

/**
 * The chosen provider built from the environment (SPEC.md "Providers and credentials"): the
 * module's `fromEnv`. Missing credentials are a ConfigError naming the variables.
 */
export function providerFromEnv(name: ProviderName, env: NodeJS.ProcessEnv, spec: TemplateSpec, options: ProviderSetupOptions): ProviderSetup {
  return BY_NAME.get(name)!.fromEnv(env, spec, options);
}

/**
 * The chosen provider's template look-up from the environment (SPEC "Template look-ups"), or why
 * there is none: a provider without one, or its look-up credentials not set (`WA_WABA_ID`).
 */
export function templateLookupFromEnv(name: ProviderName, env: NodeJS.ProcessEnv, options: { allowInsecureHttp: boolean }): TemplateLookupSetup {
  const templates = BY_NAME.get(name)!.templates;
  if (!templates) return { ok: false, reason: `--provider ${name} has no template look-up` };
  return templates.fromEnv(env, options);
}

/**
 * Whether `env` holds the emulator's built-in demo credentials for this provider (README "Try it
 * without an account"): no real account accepts them, so the messages go to an emulator. Only the
 * secret ones are compared (a phone-number id is no proof).
 */
export function usesDemoCredentials(name: ProviderName, env: NodeJS.ProcessEnv): boolean {
  const module = BY_NAME.get(name)!;
  const demo = module.emulator.credentials;
  const secrets = module.secrets.variables.filter((variable) => Object.hasOwn(demo, variable));
  return secrets.length > 0 && secrets.every((variable) => env[variable] === demo[variable]);
}

/**
 * The code table of a run's provider (a ledger's `provider`), for codes `send` recorded; a ledger
 * naming no provider we know is read as the default provider's.
 */
export function familyOf(name: string | undefined): ProviderFamily {
  return ((name !== undefined && BY_NAME.get(name)) || PROVIDER_MODULES[0]).family;
}

/** The receiver's channels: each provider's, once (providers share one when their callbacks are alike). */
export function callbackChannels(): CallbackChannel[] {
  return [...new Set(PROVIDER_MODULES.map((module): CallbackChannel => module.callbacks))];
}

/** The names of the providers whose callbacks arrive on `channel`. */
export function providersOf(channel: CallbackChannel): ProviderName[] {
  return PROVIDER_MODULES.filter((module) => module.callbacks === channel).map((module) => module.name);
}

// Built once: reconcile asks for every events line.
const BY_TAG = new Map<string, CallbackChannel>();
const BY_PATH = new Map<string, CallbackChannel>();
for (const channel of callbackChannels()) {
  // Two channels on one path, or writing one tag, would take each other's callbacks: a programming error.
  if (BY_PATH.has(channel.path)) throw new Error(`two callback channels on ${channel.path}`);
  BY_PATH.set(channel.path, channel);
  for (const tag of channel.tags) {
    if (BY_TAG.has(tag)) throw new Error(`two callback channels write events tagged ${tag}`);
    BY_TAG.set(tag, channel);
  }
}
if (BY_NAME.size !== PROVIDER_MODULES.length) throw new Error('two providers registered under one name');

/** The channel that wrote events lines with this `provider` tag, or undefined. */
export function channelOfTag(tag: unknown): CallbackChannel | undefined {
  return typeof tag === 'string' ? BY_TAG.get(tag) : undefined;
}

/**
 * A redactor for every secret any provider or receiver channel reads that `env` holds, as is and
 * in every encoding it travels in (config/redact.ts): for what a command stores or prints.
 */
export function environmentRedactor(env: NodeJS.ProcessEnv): (text: string) => string {
  const secrets = new Set<string | undefined>();
  const pairs: [string, string][] = [];
  const all: SecretVariables[] = [...PROVIDER_MODULES.map((m) => m.secrets), ...callbackChannels().map((c) => c.secrets)];
  for (const { variables, basicPairs = [] } of all) {
    for (const name of variables) secrets.add(env[name]);
    for (const [user, secret] of basicPairs) {
      const u = env[user];
      const s = env[secret];
      if (u && s) pairs.push([u, s]);
    }
  }
  return makeRedactor([...secrets], pairs);
}

/**
 * A template as Meta's look-up returns it, parsed into the one shape: the emulator's templates file
 * is written in that form (the registry is the way into a provider's folder).
 */
export { parseMetaTemplate } from './cloud-api/parse-meta-template.js';
