import { ConfigError } from '../../errors.js';

/**
 * The WhatsApp Business Account id (`WA_WABA_ID`), for what the Cloud API asks of the account
 * rather than of a phone number: its templates and its Marketing Messages API onboarding. One
 * read, shared; undefined when unset. Not a secret, but it goes into URLs: digits only.
 */
export function wabaIdFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const id = env.WA_WABA_ID?.trim();
  if (!id) return undefined;
  if (!/^\d{1,20}$/.test(id)) throw new ConfigError('WA_WABA_ID must be the WhatsApp Business Account id (digits), as WhatsApp Manager shows it');
  return id;
}
