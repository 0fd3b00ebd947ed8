import { randomBytes, randomUUID } from 'node:crypto';
import { equivalentCode, httpStatusOf, lookupCode } from '../../codes/error-codes.js';
import { headerOf, type EmulatedSend, type EmulatorAnswer, type EmulatorRoute } from '../emulator-route.js';
import { safeEqual } from '../safe-equal.js';
import { twilioSignature } from './twilio-signature.js';

const SEND_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

function twilioError(code: number, message: string, status: number) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

const answer = (status: number, code: number, message: string): EmulatorAnswer => ({ status, body: twilioError(code, message, status) });

/**
 * Twilio's Messages.json in the emulator: HTTP Basic, the form's To, From or MessagingServiceSid
 * and ContentSid checked, the 201 message resource or a REST error body; status callbacks as
 * forms to each message's StatusCallback, signed with the auth token, with Twilio's numbers for
 * the failures a scenario names in Meta's.
 */
export const twilioEmulator: EmulatorRoute = {
  credentials: { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'emulator-twilio-token' },
  env: (url, credentials) => ({
    TWILIO_API_URL: url,
    TWILIO_ACCOUNT_SID: credentials.TWILIO_ACCOUNT_SID!,
    TWILIO_AUTH_TOKEN: credentials.TWILIO_AUTH_TOKEN!,
    TWILIO_FROM: '+15550001111',
  }),
  matches: (method, path) => method === 'POST' && SEND_PATH.test(path),

  read(request, credentials): EmulatedSend {
    const refuse = (status: number, code: number, message: string): EmulatedSend => ({ ok: false, code, answer: answer(status, code, message) });
    const accountSid = SEND_PATH.exec(request.path)![1]!;
    const sid = credentials.TWILIO_ACCOUNT_SID;
    const token = credentials.TWILIO_AUTH_TOKEN;
    const expected = `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
    if (!sid || !token || !safeEqual(headerOf(request, 'authorization') ?? '', expected) || accountSid !== sid) return refuse(401, 20003, 'Authenticate');
    const form = new URLSearchParams(request.body);
    const toField = form.get('To') ?? '';
    if (!/^whatsapp:\+\d{6,15}$/.test(toField)) return refuse(400, 21211, `The 'To' number ${toField} is not a valid phone number.`);
    if (!form.get('From') && !form.get('MessagingServiceSid')) return refuse(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message");
    if (!/^HX[0-9a-fA-F]{32}$/.test(form.get('ContentSid') ?? '')) return refuse(400, 21619, 'A text message body, media URL or content SID is required');
    const statusCallback = form.get('StatusCallback') ?? undefined;
    const service = form.get('MessagingServiceSid');
    return {
      ok: true,
      to: toField.slice('whatsapp:'.length),
      correlationId: statusCallback ? (new URL(statusCallback).searchParams.get('cid') ?? undefined) : undefined,
      statusCallback,
      sender: `twilio:${form.get('From') ?? service}`,
      answer: ({ messageId, now }) => {
        const date = new Date(now).toUTCString().replace('GMT', '+0000');
        return {
          status: 201,
          body: {
            account_sid: accountSid,
            api_version: '2010-04-01',
            body: '',
            date_created: date,
            date_sent: null,
            date_updated: date,
            direction: 'outbound-api',
            error_code: null,
            error_message: null,
            from: form.get('From'),
            messaging_service_sid: service,
            num_media: '0',
            num_segments: '1',
            price: null,
            price_unit: null,
            sid: messageId,
            status: service ? 'accepted' : 'queued',
            subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${messageId}/Media.json` },
            to: toField,
            uri: `/2010-04-01/Accounts/${accountSid}/Messages/${messageId}.json`,
          },
        };
      },
    };
  },

  // Twilio queues what Meta holds: its answer says `queued` either way.
  holds: false,
  throttled: () => ({ code: 20429, answer: answer(429, 20429, 'Too Many Requests') }),
  // Twilio has no documented code for its own 5xx; 20500 is its generic internal error.
  transientCode: 20500,
  error: (code) => answer(httpStatusOf('twilio', code), code, lookupCode('twilio', code)?.title ?? 'Error'),
  newMessageId: () => `SM${randomBytes(16).toString('hex')}`,

  statusCallback(message, planned, { credentials }) {
    if (!message.statusCallback) return undefined;
    const status = planned.status === 'failed' ? 'undelivered' : planned.status;
    const form = new URLSearchParams({
      AccountSid: credentials.TWILIO_ACCOUNT_SID ?? '',
      ApiVersion: '2010-04-01',
      ChannelPrefix: 'whatsapp',
      From: 'whatsapp:+15550000000',
      MessageSid: message.messageId,
      MessageStatus: status,
      SmsSid: message.messageId,
      SmsStatus: status,
      To: `whatsapp:${message.to}`,
    });
    if (planned.status === 'failed') form.set('ErrorCode', String(equivalentCode('meta', planned.code!, 'twilio')));
    return {
      url: message.statusCallback,
      body: form.toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(message.statusCallback, form, credentials.TWILIO_AUTH_TOKEN ?? ''),
        'i-twilio-idempotency-token': randomUUID(),
      },
    };
  },
};
