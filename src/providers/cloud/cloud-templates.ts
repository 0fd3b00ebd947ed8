import { makeRedactor } from '../../config/redact.js';
import { ConfigError } from '../../errors.js';
import type { AccountTemplate } from '../../template/account-template.js';
import { parseMetaTemplate } from '../cloud-api/parse-meta-template.js';
import { metaErrorMessage, META_LOOKUP_FIX } from '../cloud-api/meta-lookup-errors.js';
import type { GetTransport } from '../http-transport.js';
import { checkBaseUrl, trimSlash } from '../provider-env.js';
import { getJson, isRecord, MAX_PAGES, readShape, TemplateShapeError, type TemplateLookup, type TemplateLookupModule } from '../template-lookup.js';
import { WABA_ID_HINT, wabaIdFromEnv } from './waba-id.js';

/**
 * The fields asked for: the default answer leaves out quality_score and message_send_ttl_seconds
 * (Meta "Template management"'s default list is name, parameter_format, components, language,
 * status, category, sub_category, id), and the preflight needs both.
 */
export const TEMPLATE_FIELDS = 'id,name,language,status,category,sub_category,parameter_format,components,quality_score,message_send_ttl_seconds,rejected_reason';
/** Templates per page (Meta documents `limit` but not its maximum; 100 keeps a page well under the transport's 1 MiB cap). */
const PAGE_SIZE = 100;

export interface CloudLookupConfig {
  baseUrl: string;
  version: string;
  wabaId: string;
  token: string;
}

/**
 * Meta's `GET {base}/{version}/{WABA-ID}/message_templates` (SPEC "Template look-ups"), every page
 * followed by its `after` cursor on our own base URL (the answer's `paging.next` is Graph's
 * absolute URL, which a proxy or the emulator does not serve). `name` narrows the answer, but
 * Meta's filter may match part of a name, so name and language are compared here, exactly.
 */
export function cloudTemplateLookup(config: CloudLookupConfig, redact: (text: string) => string): TemplateLookup {
  const url = `${trimSlash(config.baseUrl)}/${config.version}/${encodeURIComponent(config.wabaId)}/message_templates`;
  const what = 'the template look-up (Cloud API)';
  const fetchAll = (transport: GetTransport, query: Record<string, string>) =>
    readShape(what, redact, async () => {
      const templates: AccountTemplate[] = [];
      let after: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const params = new URLSearchParams({ ...query, fields: TEMPLATE_FIELDS, limit: String(PAGE_SIZE), ...(after ? { after } : {}) });
        const json = await getJson(transport, { method: 'GET', url: `${url}?${params}`, headers: { authorization: `Bearer ${config.token}` } }, { what, errorMessage: metaErrorMessage, fix: META_LOOKUP_FIX, redact });
        if (!isRecord(json) || !Array.isArray(json.data)) throw new TemplateShapeError('no "data" list of templates');
        json.data.forEach((item, i) => templates.push(parseMetaTemplate(item, `data[${i}]`)));
        const paging = isRecord(json.paging) ? json.paging : undefined;
        const cursor = isRecord(paging?.cursors) ? paging.cursors.after : undefined;
        // Graph leaves `next` out on the last page.
        if (typeof paging?.next !== 'string' || typeof cursor !== 'string' || cursor === after || json.data.length === 0) return templates;
        after = cursor;
      }
      throw new TemplateShapeError(`more than ${MAX_PAGES} pages of templates`);
    });
  const lookup: TemplateLookup = {
    where: `WABA ${config.wabaId}`,
    list: (transport) => fetchAll(transport, {}),
    find: async (transport, wanted) => {
      const exact = (template: AccountTemplate) => template.name === wanted.name;
      const template = (await fetchAll(transport, { name: wanted.name, language: wanted.language })).find((t) => exact(t) && t.language === wanted.language);
      if (template) return { template, others: [] };
      // Not there: the name's other languages, for a message that says which exist.
      return { template: undefined, others: (await fetchAll(transport, { name: wanted.name })).filter(exact) };
    },
    findByName: (transport, name, language) => lookup.find(transport, { name, language, contentSid: undefined }),
  };
  return lookup;
}

/** The Cloud API look-up's configuration: WA_WABA_ID besides send's WA_TOKEN, WA_API_URL, WA_API_VERSION. */
export const cloudTemplates: TemplateLookupModule = {
  fromEnv(env, options) {
    const wabaId = wabaIdFromEnv(env);
    const token = env.WA_TOKEN;
    // Both missing: say both at once, not one per try.
    if (!wabaId) return { ok: false, reason: token ? `WA_WABA_ID is not set: ${WABA_ID_HINT}` : `WA_WABA_ID and WA_TOKEN are not set: ${WABA_ID_HINT}, and WA_TOKEN to the access token` };
    if (!token) throw new ConfigError('the template look-up (Cloud API) needs WA_TOKEN: set it in the environment or in .env');
    const baseUrl = checkBaseUrl('WA_API_URL', env.WA_API_URL || 'https://graph.facebook.com', { ...options, statusCallbackUrl: undefined, placeholders: false });
    const version = env.WA_API_VERSION || 'v23.0';
    if (!/^v\d+\.\d+$/.test(version)) throw new ConfigError('WA_API_VERSION must look like v23.0');
    const redact = makeRedactor([token]);
    return { ok: true, lookup: cloudTemplateLookup({ baseUrl, version, wabaId, token }, redact), redact };
  },
};
