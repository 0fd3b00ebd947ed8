import { ConfigError } from '../../errors.js';

/**
 * `WA_WABA_ID`: the WhatsApp Business Account id (SPEC "Template look-ups", "Marketing Messages
 * API"), which the template look-up and the onboarding status are read under. Undefined when not
 * set: the caller says what it could not do without it. Graph ids are digits; anything else is a
 * paste of the wrong value (a phone-number id is digits too, so that mistake shows as Meta's 100).
 */
export function wabaIdFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const id = env.WA_WABA_ID?.trim();
  if (!id) return undefined;
  if (!/^\d{1,32}$/.test(id)) throw new ConfigError('WA_WABA_ID must be the WhatsApp Business Account id (digits), as WhatsApp Manager shows it');
  return id;
}

/** Where to find the id, for the line that says a check was skipped without it. */
export const WABA_ID_HINT = 'set WA_WABA_ID to the WhatsApp Business Account id (WhatsApp Manager › Account tools, or Business Settings › Accounts › WhatsApp accounts)';
