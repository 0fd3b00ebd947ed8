import { trimSlash } from '../provider-env.js';

export interface OnboardingQuery {
  baseUrl: string;
  version: string;
  wabaId: string;
  token: string;
  timeoutMs?: number;
}

/** What the onboarding read gave: the status (`ONBOARDED`, `ELIGIBLE`, `INELIGIBLE_…`, `PENDING_…`), or why it could not be read. */
export type OnboardingResult = { ok: true; status: string } | { ok: false; why: string };

/**
 * The WABA's Marketing Messages API onboarding, read once before a marketing campaign:
 * `GET {base}/{version}/{waba-id}?fields=marketing_messages_onboarding_status` (SPEC; Meta's
 * "Onboard" page). Only `ONBOARDED` means the API sends. Never throws: a failure is a reason
 * (without the token, whatever the server echoed: the caller redacts what it prints).
 */
export async function readOnboarding(query: OnboardingQuery): Promise<OnboardingResult> {
  const url = `${trimSlash(query.baseUrl)}/${query.version}/${encodeURIComponent(query.wabaId)}?fields=marketing_messages_onboarding_status`;
  try {
    // Loaded here, not with the module: every command imports the providers (their names, their
    // callback parsers), and got is most of what a start of the CLI would load for nothing
    // (reconcile's events worker loads the registry too, and never reads onboarding).
    const { default: got } = await import('got');
    const response = await got(url, {
      headers: { authorization: `Bearer ${query.token}` },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      timeout: { request: query.timeoutMs ?? 15_000 },
      responseType: 'text',
    });
    let body: { marketing_messages_onboarding_status?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = undefined;
    }
    if (response.statusCode !== 200) {
      const error = body?.error;
      return { ok: false, why: error ? `HTTP ${response.statusCode}, error ${String(error.code)}: ${String(error.message).slice(0, 200)}` : `HTTP ${response.statusCode}` };
    }
    const status = body?.marketing_messages_onboarding_status;
    if (typeof status !== 'string' || !/^[A-Z_]{1,64}$/.test(status)) return { ok: false, why: 'the answer has no marketing_messages_onboarding_status' };
    return { ok: true, status };
  } catch (error) {
    // got's error carries the request options (the Authorization header among them): only its code.
    return { ok: false, why: (error as { code?: string }).code ?? 'the request failed' };
  }
}
