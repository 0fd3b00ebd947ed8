import { parseMetaTemplate } from '../src/providers/cloud-api/parse-meta-template.js';
import type { AccountTemplate } from '../src/template/account-template.js';

// Apart from template-builders.ts: a helper that imports src/providers/ brings every test that
// imports it into the providers folder's mutation set (vitest.mutate-folder.config.ts).

/** The account's template `offer` (en_GB, approved, marketing, positional) with these components, read from Meta's look-up answer as the Cloud API gives it; `over` replaces fields of the answer. */
export const metaTemplate = (components: unknown[], over: Record<string, unknown> = {}): AccountTemplate =>
  parseMetaTemplate({ name: 'offer', language: 'en_GB', status: 'APPROVED', category: 'MARKETING', parameter_format: 'POSITIONAL', components, ...over }, 'test');
