import { classifyFailure, parseJson } from '../classify-answer.js';
import type { HttpRequest, HttpResponse, Message, Outcome, Provider } from '../provider.js';
import { trimSlash } from '../provider-env.js';

export interface TwilioConfig {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** `whatsapp:+E.164` sender, or undefined when a Messaging Service sends. */
  from: string | undefined;
  messagingServiceSid: string | undefined;
  /** Where Twilio should post status callbacks; the correlation id is added as `cid`. */
  statusCallbackUrl: string | undefined;
  /** The spec's `twilio.contentSid`: the approved Content template. */
  contentSid: string;
}

/**
 * Twilio Programmable Messaging: `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`, form
 * encoded, HTTP Basic (TW-OAS `CreateMessage`). Templates go as `ContentSid` + `ContentVariables`
 * (a JSON string); a template in `Body` fails outside the service window (63016).
 */
export function twilioProvider(config: TwilioConfig): Provider {
  const url = `${trimSlash(config.baseUrl)}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
  return {
    name: 'twilio',
    family: 'twilio',
    buildRequest: (message): HttpRequest => ({
      method: 'POST',
      url,
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: twilioForm(config, message).toString(),
    }),
    parseResponse: parseTwilioResponse,
  };
}

/** The Messages.json form for one message: the recipient, the sender, the Content template and its variables, the callback URL with our correlation id. */
function twilioForm(config: TwilioConfig, message: Message): URLSearchParams {
  const form = new URLSearchParams();
  form.set('To', `whatsapp:${message.phone}`);
  if (config.from) form.set('From', config.from);
  else form.set('MessagingServiceSid', config.messagingServiceSid!);
  form.set('ContentSid', config.contentSid);
  // "ContentVariables cannot be an empty string or null" (21656): left out when there are none.
  if (message.twilioVariables && Object.keys(message.twilioVariables).length > 0) {
    form.set('ContentVariables', JSON.stringify(message.twilioVariables));
  }
  if (config.statusCallbackUrl) {
    const callback = new URL(config.statusCallbackUrl);
    callback.searchParams.set('cid', message.correlationId);
    form.set('StatusCallback', callback.toString());
  }
  return form;
}

/** The outcome of a Messages.json answer: the message resource (`sid`), or a REST error body (`code`, `message`), by Twilio's codes. */
export function parseTwilioResponse(response: HttpResponse): Outcome {
  const json = parseJson(response.body) as { sid?: unknown; status?: string; code?: unknown; message?: unknown } | undefined;
  if (response.status >= 200 && response.status < 300) {
    if (typeof json?.sid === 'string') return { kind: 'accepted', messageId: json.sid, waId: undefined, status: json.status };
    return { kind: 'in_doubt', code: `http_${response.status}`, title: 'a success answer without a message sid' };
  }
  const providerError = typeof json?.code === 'number' ? { code: json.code, message: String(json.message ?? '') } : undefined;
  return classifyFailure('twilio', response, providerError);
}
