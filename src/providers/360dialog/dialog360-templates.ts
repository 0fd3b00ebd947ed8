import { makeRedactor } from '../../config/redact.js';
import { ConfigError } from '../../errors.js';
import type { AccountTemplate } from '../../template/account-template.js';
import { metaErrorMessage } from '../cloud-api/meta-lookup-errors.js';
import { parseMetaTemplate } from '../cloud-api/parse-meta-template.js';
import type { GetTransport } from '../http-transport.js';
import { checkBaseUrl, trimSlash } from '../provider-env.js';
import { getJson, isRecord, MAX_PAGES, readShape, TemplateShapeError, type TemplateLookup, type TemplateLookupModule } from '../template-lookup.js';

/** 360dialog's default page is 1,000 templates (RapidPro's recorded answer: `"limit": 1000`). */
const PAGE_SIZE = 1000;

/**
 * 360dialog's `GET {base}/v1/configs/templates` (SPEC "Template look-ups"): Meta's template objects
 * under `waba_templates`, paged by `limit` and `offset` against `total` (templates-facts.md §3).
 * No official response schema exists; the shape is the one RapidPro, chatwoot and kAIron read.
 * Its `status` is lower case (`approved`, `submitted`…): upper-cased like Meta's.
 */
export function dialog360TemplateLookup(config: { baseUrl: string; apiKey: string }, redact: (text: string) => string): TemplateLookup {
  const url = `${trimSlash(config.baseUrl)}/v1/configs/templates`;
  const what = 'the template look-up (360dialog)';
  const fix = (status: number) =>
    status === 401 || status === 403 ? 'check D360_API_KEY: the API key of this channel in the 360dialog hub' : status === 429 ? 'too many calls just now: try again in a minute' : 'try again later';
  const fetchAll = (transport: GetTransport) =>
    readShape(what, redact, async () => {
      const templates: AccountTemplate[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(templates.length) });
        const json = await getJson(transport, { method: 'GET', url: `${url}?${params}`, headers: { 'd360-api-key': config.apiKey } }, { what, errorMessage: metaErrorMessage, fix, redact });
        if (!isRecord(json) || !Array.isArray(json.waba_templates)) throw new TemplateShapeError('no "waba_templates" list');
        const offset = templates.length;
        json.waba_templates.forEach((item, i) => templates.push(parseMetaTemplate(item, `waba_templates[${offset + i}]`)));
        const total = typeof json.total === 'number' ? json.total : undefined;
        if (json.waba_templates.length === 0 || total === undefined || templates.length >= total) return templates;
      }
      throw new TemplateShapeError(`more than ${MAX_PAGES} pages of templates`);
    });
  const lookup: TemplateLookup = {
    where: '360dialog',
    list: fetchAll,
    find: async (transport, wanted) => {
      const named = (await fetchAll(transport)).filter((template) => template.name === wanted.name);
      return { template: named.find((template) => template.language === wanted.language), others: named.filter((template) => template.language !== wanted.language) };
    },
    findByName: (transport, name, language) => lookup.find(transport, { name, language, contentSid: undefined }),
  };
  return lookup;
}

/** The 360dialog look-up's configuration: send's D360_API_KEY and D360_API_URL. */
export const dialog360Templates: TemplateLookupModule = {
  fromEnv(env, options) {
    const apiKey = env.D360_API_KEY;
    if (!apiKey) throw new ConfigError('the template look-up (360dialog) needs D360_API_KEY: set it in the environment or in .env');
    const baseUrl = checkBaseUrl('D360_API_URL', env.D360_API_URL || 'https://waba-v2.360dialog.io', { ...options, statusCallbackUrl: undefined, placeholders: false });
    const redact = makeRedactor([apiKey]);
    return { ok: true, lookup: dialog360TemplateLookup({ baseUrl, apiKey }, redact), redact };
  },
};
