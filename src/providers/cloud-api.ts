import type { ProviderFamily } from '../codes/error-codes.js';
import { classifyFailure, parseJson } from './classify-answer.js';
import type { HttpRequest, HttpResponse, Message, Outcome, Provider, ProviderName } from './provider.js';

/**
 * The Cloud API message body, shared by Meta and 360dialog (which takes Meta's body unchanged):
 * META-OAS `TemplateMessage`, with `biz_opaque_callback_data` so status callbacks carry our
 * correlation id back.
 */
export function cloudApiBody(message: Message): string {
  return JSON.stringify({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: message.phone,
    type: 'template',
    template: message.template,
    biz_opaque_callback_data: message.correlationId,
  });
}

/** The outcome of a Cloud API answer (Meta's shape, which 360dialog passes through). */
export function parseCloudApiResponse(family: ProviderFamily, response: HttpResponse): Outcome {
  const json = parseJson(response.body) as CloudApiAnswer | undefined;
  if (response.status >= 200 && response.status < 300) {
    const message = json?.messages?.[0];
    if (typeof message?.id === 'string') {
      return { kind: 'accepted', messageId: message.id, waId: json?.contacts?.[0]?.wa_id, status: message.message_status };
    }
    return { kind: 'in_doubt', code: `http_${response.status}`, title: 'a success answer without a message id' };
  }
  const error = json?.error;
  const providerError = error && typeof error.code === 'number' ? { code: error.code, message: String(error.message ?? '') } : undefined;
  return classifyFailure(family, response, providerError);
}

interface CloudApiAnswer {
  messages?: { id?: unknown; message_status?: string }[];
  contacts?: { wa_id?: string }[];
  error?: { code?: unknown; message?: unknown };
}

export interface CloudApiConfig {
  baseUrl: string;
  version: string;
  phoneNumberId: string;
  token: string;
}

/** Meta's WhatsApp Cloud API: `POST {base}/{version}/{phone-number-id}/messages`, bearer token. */
export function cloudApiProvider(config: CloudApiConfig): Provider {
  const url = `${trimSlash(config.baseUrl)}/${config.version}/${encodeURIComponent(config.phoneNumberId)}/messages`;
  return {
    name: 'cloud',
    family: 'meta',
    buildRequest: (message): HttpRequest => ({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
      body: cloudApiBody(message),
    }),
    parseResponse: (response) => parseCloudApiResponse('meta', response),
  };
}

/** 360dialog: `POST {base}/messages` with the Cloud API body and a `D360-API-KEY` header. */
export function dialog360Provider(config: { baseUrl: string; apiKey: string }): Provider {
  const url = `${trimSlash(config.baseUrl)}/messages`;
  return {
    name: '360dialog' satisfies ProviderName,
    family: 'meta',
    buildRequest: (message): HttpRequest => ({
      method: 'POST',
      url,
      headers: { 'd360-api-key': config.apiKey, 'content-type': 'application/json' },
      body: cloudApiBody(message),
    }),
    parseResponse: (response) => parseCloudApiResponse('meta', response),
  };
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
