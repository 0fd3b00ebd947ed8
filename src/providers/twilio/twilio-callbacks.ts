import type { CallbackChannel } from '../callback-channel.js';
import { twilioCallbackFacts } from './parse-twilio-callback.js';
import { verifyTwilioSignature } from './twilio-signature.js';

/**
 * Twilio's status callbacks: POST /twilio/status, a form signed with `X-Twilio-Signature` (the
 * auth token, TWILIO_AUTH_TOKEN) over the URL Twilio called, query included: our correlation id
 * travels there as `cid`, so the stored path keeps its query. `I-Twilio-Idempotency-Token` is
 * kept for dedupe of retried callbacks.
 */
export const twilioCallbacks: CallbackChannel = {
  path: '/twilio/status',
  family: 'twilio',
  tags: ['twilio'],
  format: 'form',
  secrets: { variables: ['TWILIO_AUTH_TOKEN'] },

  describe: ({ secrets }) => (secrets.TWILIO_AUTH_TOKEN ? { accepting: true } : { accepting: false, note: 'Twilio callbacks refused: TWILIO_AUTH_TOKEN is not set' }),

  refuseAll: ({ secrets }) => (secrets.TWILIO_AUTH_TOKEN ? undefined : { status: 403, reason: 'Twilio callbacks need TWILIO_AUTH_TOKEN' }),

  accept(request, { secrets }) {
    const token = secrets.TWILIO_AUTH_TOKEN;
    if (!token) return { ok: false, status: 403, reason: 'Twilio callbacks need TWILIO_AUTH_TOKEN' };
    const signature = request.header('x-twilio-signature');
    if (!verifyTwilioSignature(request.publicUrl, new URLSearchParams(request.body.toString('utf8')), signature, token)) {
      // Almost always a URL mismatch behind a proxy: the log names the URL the signature was checked against.
      return { ok: false, status: signature ? 403 : 401, reason: 'bad X-Twilio-Signature', detail: `checked against ${request.publicUrl}; behind a proxy, pass --public-url` };
    }
    return { ok: true, tag: 'twilio', path: request.url, idempotencyToken: request.header('i-twilio-idempotency-token') };
  },

  facts: twilioCallbackFacts,
};
