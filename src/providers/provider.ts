import type { ErrorClass, ProviderFamily, SendRoute } from '../codes/error-codes.js';
import type { RenderedTemplate } from '../template/bind-template.js';

/** One template message to one recipient. */
export interface Message {
  /** E.164 with the +. */
  phone: string;
  template: RenderedTemplate;
  /** Twilio's ContentVariables for this recipient (the spec's `twilio.variables`, rendered). */
  twilioVariables: Record<string, string> | undefined;
  /** Ours, echoed in status callbacks, so reconcile can match them to this attempt. */
  correlationId: string;
}

export interface HttpRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A request without a body: the template look-ups (`GET …/message_templates`, `GET /v1/Content/{sid}`). */
export interface HttpGetRequest {
  method: 'GET';
  url: string;
  headers: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /**
   * Wall-clock ms the answer arrived, on the campaign's clock (send-attempt.ts stamps it): a
   * Retry-After date is measured from it. Default: the system's time.
   */
  receivedAt?: number;
}

/**
 * What became of one request. Providers return outcomes for anything the API answered; the
 * pipeline decides retries. Codes are strings: the provider's own number (`"131049"`), or ours for
 * answers without one (`"http_429"`, `"ECONNREFUSED"`).
 */
export type Outcome =
  | { kind: 'accepted'; messageId: string; waId: string | undefined; status: string | undefined }
  | { kind: 'throttled'; code: string; title: string; retryAfterMs: number | undefined }
  | { kind: 'pair_rate'; code: string; title: string }
  /** `retryDelayMs`: the code's own wait before the in-run retry (131057: a minute; 134101: ten minutes), when it names one. */
  | { kind: 'transient'; code: string; title: string; retryDelayMs?: number }
  | { kind: 'failed'; code: string; title: string; class: ErrorClass | 'unknown' }
  | { kind: 'stop'; code: string; title: string; fix: string }
  | { kind: 'in_doubt'; code: string; title: string };

/** A provider configured for one account: what `send` talks to. */
export interface Provider {
  /** The registry name (`--provider`, the ledger's run record). */
  name: string;
  family: ProviderFamily;
  /** The exact HTTP request for a message: pure, so dry runs and tests see what would be sent. */
  buildRequest(message: Message): HttpRequest;
  /**
   * What an HTTP answer means. Pure, except for a provider that routes marketing templates
   * (Marketing Messages API): an answer saying the route is wrong switches it, once.
   */
  parseResponse(response: HttpResponse): Outcome;
  /** The route the next message takes, for the ledger's run record; undefined when the provider routes on its side. */
  route?(): SendRoute;
}
