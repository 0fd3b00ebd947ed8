import { describePreflight, templatePreflight, type PreflightResult } from '../campaign/template-preflight.js';
import { loadEnv } from '../config/load-env.js';
import { ConfigError } from '../errors.js';
import type { Io } from '../io.js';
import { httpTransport } from '../providers/http-transport.js';
import { environmentRedactor, templateLookupFromEnv } from '../providers/index.js';
import type { TemplateSpec } from '../template/template-spec.js';
import type { ValidateFlags } from './validate-flags.js';

/**
 * `--online`: the send preflight's look-up and comparison (src/campaign/template-preflight.ts),
 * with the same exits: 3 for a template that is missing, not approved or cannot be looked up, 2
 * for a spec that does not fit or look-up credentials that are not set.
 */
export async function checkOnline(spec: TemplateSpec, flags: Pick<ValidateFlags, 'provider' | 'allowInsecureHttp'>, io: Io, cwd: string) {
  const env = await loadEnv(io.env, cwd);
  const setup = templateLookupFromEnv(flags.provider, env, { allowInsecureHttp: flags.allowInsecureHttp === true });
  if (!setup.ok) throw new ConfigError(`validate --online --provider ${flags.provider}: ${setup.reason}`);
  const redact = environmentRedactor(env);
  const transport = httpTransport({ timeoutMs: 30_000, maxSockets: 1 });
  let result: PreflightResult;
  try {
    result = await templatePreflight(spec, { ...setup, redact: (text) => redact(setup.redact(text)) }, transport, undefined);
  } finally {
    transport.close();
  }
  if (!result.checked) throw new ConfigError(result.reason);
  const t = result.template;
  return {
    lines: [redact(describePreflight(result)), ...result.warnings.map((w) => `  ! ${w}`)],
    json: { checked: true, name: t.name, language: t.language, status: t.status, category: t.category ?? null, quality: t.quality ?? null, parameter_format: t.parameterFormat, ttl_seconds: result.ttlSeconds ?? null, warnings: result.warnings },
  };
}
