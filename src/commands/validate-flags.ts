import type { ProviderName } from '../providers/index.js';
import type { AudienceFlags } from './options.js';

/** The flags of `validate`, parsed (validate.ts declares them; validate-online.ts reads some). */
export interface ValidateFlags extends AudienceFlags {
  dailyLimit?: number;
  rejects?: string;
  json?: boolean;
  online?: boolean;
  provider: ProviderName;
  allowInsecureHttp?: boolean;
}
