import { classifyFailure, parseJson } from '../classify-answer.js';
import type { HttpResponse, Outcome } from '../provider.js';

interface CloudApiAnswer {
  messages?: { id?: unknown; message_status?: string }[];
  contacts?: { wa_id?: string }[];
  error?: { code?: unknown; message?: unknown };
}

/** The outcome of a Cloud API answer (Meta's shape, which 360dialog passes through), by Meta's codes. */
export function parseCloudApiResponse(response: HttpResponse): Outcome {
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
  return classifyFailure('meta', response, providerError);
}
