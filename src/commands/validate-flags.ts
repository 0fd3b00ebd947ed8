import type { ProviderName } from '../providers/index.js';
import type { countryOption } from './options.js';

/** The flags of `validate`, parsed (validate.ts declares them; validate-online.ts reads some). */
export interface ValidateFlags {
  template?: string;
  suppress?: string;
  defaultCountry?: ReturnType<typeof countryOption>;
  phoneColumn: string;
  optInColumn: string;
  delimiter?: string;
  encoding?: string;
  optInValues?: string[];
  dailyLimit?: number;
  rejects?: string;
  json?: boolean;
  online?: boolean;
  provider: ProviderName;
  allowInsecureHttp?: boolean;
}
