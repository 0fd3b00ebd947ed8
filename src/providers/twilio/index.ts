import { makeRedactor } from '../../config/redact.js';
import { ConfigError, InputError } from '../../errors.js';
import { checkBaseUrl, checkUrl, requireVariables } from '../provider-env.js';
import type { ProviderModule } from '../provider-module.js';
import { twilioTemplates } from './twilio-templates.js';
import { twilioCallbacks } from './twilio-callbacks.js';
import { twilioEmulator } from './twilio-emulator.js';
import { twilioProvider } from './twilio-provider.js';

/**
 * `--provider twilio`: Twilio Programmable Messaging with Content templates (SPEC "Providers and
 * credentials"). Twilio does not take the Cloud API template: the spec's `twilio` block names the
 * Content template (`contentSid`) and maps its numbered variables to columns; the rendered
 * variables travel as `ContentVariables`.
 */
export const twilio = {
  name: 'twilio' as const,
  family: 'twilio',
  secrets: { variables: ['TWILIO_AUTH_TOKEN'], basicPairs: [['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']] },

  fromEnv(env, spec, options) {
    const [accountSid, authToken] = requireVariables('twilio', env, options, 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN') as [string, string];
    if (!env.TWILIO_FROM && !env.TWILIO_MESSAGING_SERVICE_SID && !options.placeholders) {
      throw new ConfigError('--provider twilio needs TWILIO_FROM (+E.164 or whatsapp:+E.164) or TWILIO_MESSAGING_SERVICE_SID');
    }
    if (!spec.twilio) {
      throw new InputError('--provider twilio needs a twilio block (contentSid, variables) in the template spec', { file: spec.file });
    }
    const from = env.TWILIO_FROM ? `whatsapp:${env.TWILIO_FROM.replace(/^whatsapp:/, '')}` : env.TWILIO_MESSAGING_SERVICE_SID ? undefined : '<TWILIO_FROM>';
    const baseUrl = checkBaseUrl('TWILIO_API_URL', env.TWILIO_API_URL || 'https://api.twilio.com', options);
    const statusCallbackUrl = options.statusCallbackUrl || env.TWILIO_STATUS_CALLBACK_URL || undefined;
    if (statusCallbackUrl) checkUrl('the status callback URL', statusCallbackUrl);
    return {
      provider: twilioProvider({
        baseUrl,
        accountSid,
        authToken,
        from,
        messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
        statusCallbackUrl,
        contentSid: spec.twilio.contentSid,
      }),
      baseUrl,
      sender: from ? `from ${from}` : `messaging service ${env.TWILIO_MESSAGING_SERVICE_SID}`,
      redact: makeRedactor([authToken], [[accountSid, authToken]]),
      // Reconcile sees deliveries only through status callbacks; without them it declares no one ttl_expired.
      warnings: statusCallbackUrl
        ? []
        : ['! no status callback URL (--status-callback or TWILIO_STATUS_CALLBACK_URL): delivery will not be seen, and reconcile cannot tell delivered from dropped (unless your Messaging Service posts its own callbacks to the webhook)'],
    };
  },

  callbacks: twilioCallbacks,
  emulator: twilioEmulator,
  templates: twilioTemplates,
} satisfies ProviderModule;
