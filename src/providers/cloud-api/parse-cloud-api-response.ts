import { classifyFailure, parseJson } from '../classify-answer.js';
import type { HttpResponse, Outcome } from '../provider.js';
import type { MarketingRouter } from './marketing-router.js';

interface CloudApiAnswer {
  messages?: { id?: unknown; message_status?: string }[];
  contacts?: { wa_id?: string }[];
  error?: { code?: unknown; message?: unknown };
  /** 360dialog's Marketing Messages endpoint wraps Meta's error object. */
  detail?: { error?: { code?: unknown; message?: unknown } };
}

/**
 * The outcome of a Cloud API answer (Meta's shape, which 360dialog passes through), by Meta's
 * codes; with a router, on its route (the Marketing Messages API gives some codes another meaning,
 * and an answer may ask for the other route).
 */
export function parseCloudApiResponse(response: HttpResponse, router?: MarketingRouter): Outcome {
  const json = parseJson(response.body) as CloudApiAnswer | undefined;
  if (response.status >= 200 && response.status < 300) {
    const message = json?.messages?.[0];
    if (typeof message?.id === 'string') {
      return { kind: 'accepted', messageId: message.id, waId: json?.contacts?.[0]?.wa_id, status: message.message_status };
    }
    return { kind: 'in_doubt', code: `http_${response.status}`, title: 'a success answer without a message id' };
  }
  const error = json?.error ?? json?.detail?.error;
  const providerError = error && typeof error.code === 'number' ? { code: error.code, message: String(error.message ?? '') } : undefined;
  if (providerError && router) {
    const rerouted = router.wrongRoute(providerError.code, providerError.message);
    if (rerouted) return rerouted;
  }
  return classifyFailure('meta', response, providerError, router?.route);
}
