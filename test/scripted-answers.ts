import type { GetTransport } from '../src/providers/http-transport.js';
import type { HttpGetRequest } from '../src/providers/provider.js';

/**
 * A GetTransport that answers each request with the next of `scripted` (its status and a JSON
 * body), in order, and keeps the requests it was asked; a request past the script is an error.
 * `left()`: the answers not yet given (a test that expects a look-up to stop early checks it).
 */
export function scriptedAnswers(...scripted: { status: number; body: unknown }[]) {
  const requests: HttpGetRequest[] = [];
  const transport: GetTransport = async (request) => {
    requests.push(request);
    const next = scripted.shift();
    if (!next) throw new Error(`no answer for ${request.url}`);
    return { ok: true, response: { status: next.status, headers: {}, body: JSON.stringify(next.body) } };
  };
  return { transport, requests, left: () => scripted.length };
}
