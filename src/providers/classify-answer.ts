import { answerMeaning, type ProviderFamily, type SendRoute } from '../codes/error-codes.js';
import type { HttpResponse, Outcome } from './provider.js';

/**
 * The outcome of an answer that is not a success, from the provider's error code when the body
 * carries one (looked up in its family's table, src/codes/), else from the HTTP status. Shared by
 * all providers: each finds the code in its own body shape (parse-cloud-api-response.ts,
 * twilio-provider.ts) and hands it here.
 *
 * Where the answer leaves it open whether the message went out (a 502/504 from a proxy, a 5xx that
 * is not the provider's JSON), the outcome is in doubt: never re-sent automatically.
 */
export function classifyFailure(
  family: ProviderFamily,
  response: HttpResponse,
  providerError: { code: number; message: string } | undefined,
  route: SendRoute = 'messages',
): Outcome {
  const { status } = response;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after'], response.receivedAt ?? Date.now());
  if (status === 502 || status === 504) return { kind: 'in_doubt', code: `http_${status}`, title: `HTTP ${status} from a gateway: the message may have gone out` };

  if (providerError) {
    const code = String(providerError.code);
    const title = providerError.message;
    const info = answerMeaning(family, providerError.code, route);
    if (info) {
      switch (info.class) {
        case 'throttle':
          return { kind: 'throttled', code, title, retryAfterMs };
        case 'pair_rate':
          return { kind: 'pair_rate', code, title };
        case 'transient':
          return info.retryDelayMs === undefined ? { kind: 'transient', code, title } : { kind: 'transient', code, title, retryDelayMs: info.retryDelayMs };
        case 'stop_campaign':
          return { kind: 'stop', code, title, fix: info.fix ?? 'see the provider’s error-code page' };
        case 'route_marketing':
        case 'route_messages':
          // A provider that routes marketing templates handles these before asking here (marketing-router.ts).
          return { kind: 'stop', code, title, fix: 'the account’s marketing templates and this API do not match: see --marketing-api in the README' };
        default:
          return { kind: 'failed', code, title, class: info.class };
      }
    }
    if (status === 429) return { kind: 'throttled', code, title, retryAfterMs };
    if (status >= 500) return { kind: 'transient', code, title };
    return { kind: 'failed', code, title, class: 'unknown' };
  }

  // No provider error body: the status is all there is.
  const code = `http_${status}`;
  if (status === 429) return { kind: 'throttled', code, title: 'HTTP 429 Too Many Requests', retryAfterMs };
  if (status >= 500) return { kind: 'in_doubt', code, title: `HTTP ${status} without the provider’s error body: the message may have gone out` };
  if (status === 401 || status === 403) return { kind: 'stop', code, title: `HTTP ${status}`, fix: 'the credentials were refused: check the token or API key' };
  if (status === 404) return { kind: 'stop', code, title: 'HTTP 404', fix: 'no such endpoint: check the base URL, API version and phone-number id or account SID' };
  return { kind: 'failed', code, title: `HTTP ${status}`, class: 'unknown' };
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Parses a JSON body, or undefined when it is not JSON (an HTML error page from a proxy, say). */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
