import type { ProviderName } from '../providers/index.js';

/** The flags of `templates` and `templates pull`, parsed (templates.ts declares them; templates-action.ts runs them). */
export interface TemplatesFlags {
  provider: ProviderName;
  json?: boolean;
  allowInsecureHttp?: boolean;
}

export interface PullFlags extends TemplatesFlags {
  language: string;
  out?: string;
  force?: boolean;
}
