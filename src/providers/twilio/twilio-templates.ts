import { makeRedactor } from '../../config/redact.js';
import { ConfigError, InputError } from '../../errors.js';
import type { AccountTemplate } from '../../template/account-template.js';
import { placeholdersIn } from '../../template/placeholders.js';
import type { GetTransport } from '../http-transport.js';
import { checkBaseUrl, trimSlash } from '../provider-env.js';
import { getJson, isRecord, MAX_PAGES, pickByName, readShape, TemplateShapeError, type TemplateLookup, type TemplateLookupModule } from '../template-lookup.js';

/*
 * Twilio's Content API (SPEC "Template look-ups"; twilio-oai spec/json/twilio_content_v1.json,
 * templates-facts.md §4): `GET {TWILIO_CONTENT_URL}/v1/Content/{sid}` for the template and its
 * variables, `…/ApprovalRequests` for WhatsApp's verdict on it (`whatsapp.status` in lower case),
 * and `GET /v1/ContentAndApprovals` (paged by `meta.next_page_url`) for `templates`.
 */

export interface TwilioLookupConfig {
  baseUrl: string;
  accountSid: string;
  authToken: string;
}

export function twilioTemplateLookup(config: TwilioLookupConfig, redact: (text: string) => string): TemplateLookup {
  const base = trimSlash(config.baseUrl);
  const headers = { authorization: `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}` };
  const what = 'the template look-up (Twilio Content API)';
  const errorMessage = (json: unknown) => (isRecord(json) && typeof json.message === 'string' ? `${json.message}${typeof json.code === 'number' ? ` (${json.code})` : ''}` : undefined);
  const fix = (status: number) =>
    status === 401 || status === 403 ? 'check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN' : status === 429 ? 'too many calls just now: try again in a minute' : 'try again later';
  const get = (transport: GetTransport, url: string, notFound = false) => getJson(transport, { method: 'GET', url, headers }, { what, errorMessage, fix, redact, notFound });

  const lookup: TemplateLookup = {
    where: 'Twilio Content',
    find: (transport, wanted) =>
      readShape(what, redact, async () => {
        // The spec's problem, not the look-up's (exit 2): Twilio finds a template by its Content SID only.
        if (!wanted.contentSid) throw new InputError('the spec names no twilio.contentSid: Twilio finds a template by its Content SID (HX…, in the Content Template Builder); add it under twilio: in the spec');
        const url = `${base}/v1/Content/${encodeURIComponent(wanted.contentSid)}`;
        const content = await get(transport, url, true);
        if (content === undefined) return { template: undefined, others: [] };
        const approvals = await get(transport, `${url}/ApprovalRequests`, true);
        const whatsapp = isRecord(approvals) && isRecord(approvals.whatsapp) ? approvals.whatsapp : undefined;
        return { template: parseContent(content, whatsapp, 'the Content'), others: [] };
      }),
    // Twilio finds a Content template by SID; by name it is a search of the list.
    findByName: async (transport, name, language) => pickByName(await lookup.list(transport), name, language),
    list: (transport) =>
      readShape(what, redact, async () => {
        const templates: AccountTemplate[] = [];
        let url: string | undefined = `${base}/v1/ContentAndApprovals?PageSize=1000`;
        for (let page = 0; page < MAX_PAGES && url; page++) {
          const json = await get(transport, url);
          if (!isRecord(json) || !Array.isArray(json.contents)) throw new TemplateShapeError('no "contents" list');
          json.contents.forEach((item, i) => {
            const approval = isRecord(item) && isRecord(item.approval_requests) ? item.approval_requests : undefined;
            templates.push(parseContent(item, approval, `contents[${i}]`));
          });
          const next = isRecord(json.meta) && typeof json.meta.next_page_url === 'string' ? json.meta.next_page_url : undefined;
          // Twilio's next page is an absolute URL at content.twilio.com: asked on our own base URL (a proxy, the emulator).
          url = next ? `${base}${new URL(next).pathname}${new URL(next).search}` : undefined;
        }
        if (url) throw new TemplateShapeError(`more than ${MAX_PAGES} pages of templates`);
        return templates;
      }),
  };
  return lookup;
}

/**
 * A Content resource (and its WhatsApp approval, if it was submitted) as an AccountTemplate. Its
 * variables are the keys of `variables` (the default values) and every `{{…}}` in its `types`
 * (RapidPro reads them from body, header_text, media, footer, title and action urls alike).
 */
function parseContent(content: unknown, approval: Record<string, unknown> | undefined, where: string): AccountTemplate {
  if (!isRecord(content)) throw new TemplateShapeError(`${where} is not an object`);
  const sid = content.sid;
  if (typeof sid !== 'string') throw new TemplateShapeError(`${where} has no "sid"`);
  if (typeof content.language !== 'string') throw new TemplateShapeError(`${where} (${sid}) has no "language"`);
  const types = isRecord(content.types) ? content.types : {};
  const defaults = isRecord(content.variables) ? content.variables : {};
  const keys = new Set<string>(Object.keys(defaults));
  collectStrings(types, (text) => placeholdersIn(text).forEach((key) => keys.add(key)));
  const ordered = [...keys].sort((a, b) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a.localeCompare(b)));
  const body = Object.values(types).map((type) => (isRecord(type) && typeof type.body === 'string' ? type.body : undefined)).find((text) => text !== undefined);
  const example = (key: string) => (typeof defaults[key] === 'string' || typeof defaults[key] === 'number' ? String(defaults[key]) : undefined);
  const status = typeof approval?.status === 'string' && approval.status !== '' ? approval.status.toUpperCase() : 'UNSUBMITTED';
  return {
    name: typeof approval?.name === 'string' && approval.name !== '' ? approval.name : typeof content.friendly_name === 'string' ? content.friendly_name : sid,
    language: content.language,
    category: typeof approval?.category === 'string' ? approval.category.toUpperCase() : undefined,
    status,
    quality: undefined,
    parameterFormat: ordered.every((key) => /^\d+$/.test(key)) ? 'positional' : 'named',
    header: undefined,
    body: body === undefined ? undefined : { text: body, parameters: [...new Set(placeholdersIn(body))].map((name) => ({ name, example: example(name) })) },
    footer: undefined,
    buttons: [],
    ttlSeconds: undefined,
    rejectedReason: typeof approval?.rejection_reason === 'string' && approval.rejection_reason !== '' ? approval.rejection_reason : undefined,
    id: sid,
    twilioVariables: ordered.map((key) => ({ key, example: example(key) })),
  };
}

function collectStrings(value: unknown, into: (text: string) => void): void {
  if (typeof value === 'string') into(value);
  else if (Array.isArray(value)) value.forEach((item) => collectStrings(item, into));
  else if (isRecord(value)) Object.values(value).forEach((item) => collectStrings(item, into));
}

/** The Twilio look-up's configuration: send's TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, and TWILIO_CONTENT_URL. */
export const twilioTemplates: TemplateLookupModule = {
  fromEnv(env, options) {
    const accountSid = env.TWILIO_ACCOUNT_SID;
    const authToken = env.TWILIO_AUTH_TOKEN;
    if (!accountSid || !authToken) throw new ConfigError('the template look-up (Twilio) needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set them in the environment or in .env');
    const baseUrl = checkBaseUrl('TWILIO_CONTENT_URL', env.TWILIO_CONTENT_URL || 'https://content.twilio.com', { ...options, statusCallbackUrl: undefined, placeholders: false });
    const redact = makeRedactor([authToken], [[accountSid, authToken]]);
    return { ok: true, lookup: twilioTemplateLookup({ baseUrl, accountSid, authToken }, redact), redact };
  },
};
