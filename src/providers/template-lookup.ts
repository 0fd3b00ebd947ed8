import { ProviderStopError } from '../errors.js';
import type { AccountTemplate } from '../template/account-template.js';
import { parseJson } from './classify-answer.js';
import type { GetTransport } from './http-transport.js';
import type { HttpGetRequest } from './provider.js';

/** What the preflight and `templates` ask of a provider's template look-up. */
export interface TemplateLookup {
  /** The account's templates, every page of them. */
  list(transport: GetTransport): Promise<AccountTemplate[]>;
  /**
   * The account's template for a spec: by name and language on the Cloud API and 360dialog, by
   * Content SID on Twilio (`contentSid`); undefined when the account has none. `others` are the
   * same name's other languages (or nothing), for the message that says it was not found.
   */
  find(transport: GetTransport, wanted: TemplateWanted): Promise<{ template: AccountTemplate | undefined; others: AccountTemplate[] }>;
  /**
   * The account's template by name and language (`templates pull`, which has no spec yet, so no
   * Content SID), with the same name's other languages in `others`.
   */
  findByName(transport: GetTransport, name: string, language: string): Promise<{ template: AccountTemplate | undefined; others: AccountTemplate[] }>;
  /** Where it asks, for messages (no credentials in it). */
  readonly where: string;
}

export interface TemplateWanted {
  name: string;
  language: string;
  contentSid: string | undefined;
}

/** A provider's look-up from the environment, or why there is none (a line for the user). */
export type TemplateLookupSetup =
  | { ok: true; lookup: TemplateLookup; redact: (text: string) => string }
  | { ok: false; reason: string };

/** The optional `templates` member of a ProviderModule. */
export interface TemplateLookupModule {
  /**
   * The look-up configured from the environment. Missing look-up credentials (no `WA_WABA_ID`) are
   * `ok: false` with the reason, not an error: the preflight then says it did not check. A refused
   * base URL is a ConfigError, as for sending.
   */
  fromEnv(env: NodeJS.ProcessEnv, options: { allowInsecureHttp: boolean }): TemplateLookupSetup;
}

/** The template of `name` in `language` among `templates`, and the same name's other languages. */
export function pickByName(templates: readonly AccountTemplate[], name: string, language: string): { template: AccountTemplate | undefined; others: AccountTemplate[] } {
  const named = templates.filter((t) => t.name === name);
  const template = named.find((t) => t.language === language);
  return { template, others: named.filter((t) => t !== template) };
}

/** An answer that is not what the provider documents: named for what was missing. */
export class TemplateShapeError extends Error {}

/** Past this many pages a listing is not an account's (Meta allows 250–6,000 templates per WABA): stop rather than loop. */
export const MAX_PAGES = 200;

/**
 * GETs `request` and returns its JSON. Every failure is a ProviderStopError (exit 3) naming the
 * provider's own message where it sent one, with `fix`; nothing of the HTTP client leaks (the
 * transport hands back codes and first lines only) and everything passes `redact`.
 */
export async function getJson(
  transport: GetTransport,
  request: HttpGetRequest,
  describe: {
    what: string;
    errorMessage: (json: unknown) => string | undefined;
    fix: (status: number) => string;
    redact: (text: string) => string;
    /** A 404 means "no such template" here (Twilio's Content by SID): undefined instead of an error. */
    notFound?: boolean;
  },
): Promise<unknown> {
  const { redact } = describe;
  const where = redact(`${describe.what} (GET ${request.url.split('?')[0]})`);
  const result = await transport(request);
  if (!result.ok) {
    throw new ProviderStopError(redact(`${where} failed: ${result.message} (${result.code}); check the base URL and the network`));
  }
  const { status, body } = result.response;
  const json = parseJson(body);
  if (status === 404 && describe.notFound) return undefined;
  if (status < 200 || status >= 300) {
    const said = json === undefined ? undefined : describe.errorMessage(json);
    throw new ProviderStopError(redact(`${where} answered HTTP ${status}${said ? `: ${cut(said)}` : json === undefined ? ' (not JSON)' : ''}; ${describe.fix(status)}`));
  }
  if (json === undefined) throw new ProviderStopError(redact(`${where} answered HTTP ${status} with something that is not JSON: is the base URL the provider's API?`));
  return json;
}

/** Turns a shape problem into the stop error that names it. */
export async function readShape<T>(what: string, redact: (text: string) => string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof TemplateShapeError) throw new ProviderStopError(redact(`${what} answered an unexpected shape: ${error.message}`));
    throw error;
  }
}

function cut(text: string): string {
  const line = text.split('\n')[0]!;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
