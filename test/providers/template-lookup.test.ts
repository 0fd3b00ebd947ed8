import { describe, expect, it } from 'vitest';
import { ProviderStopError } from '../../src/errors.js';
import type { GetTransport, TransportResult } from '../../src/providers/http-transport.js';
import type { HttpGetRequest } from '../../src/providers/provider.js';
import { getJson, isRecord, MAX_PAGES, pickByName, readShape, TemplateShapeError } from '../../src/providers/template-lookup.js';
import type { AccountTemplate } from '../../src/template/account-template.js';

const request: HttpGetRequest = { method: 'GET', url: 'https://graph.example.test/v23.0/1/message_templates?name=SECRET&limit=100', headers: { authorization: 'Bearer SECRET' } };
const redact = (text: string) => text.replaceAll('SECRET', '[redacted]');
const describe_ = { what: 'the template look-up (Test)', errorMessage: (json: unknown) => (isRecord(json) && typeof json.message === 'string' ? json.message : undefined), fix: (status: number) => `fix for ${status}`, redact };
const answering = (result: TransportResult): GetTransport => async () => result;
const answer = (status: number, body: string): GetTransport => answering({ ok: true, response: { status, headers: {}, body } });

async function stop(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderStopError);
  return (error as Error).message;
}

describe('getJson', () => {
  it('gives the JSON of a 2xx answer, having asked the request given', async () => {
    const asked: HttpGetRequest[] = [];
    const transport: GetTransport = async (r) => {
      asked.push(r);
      return { ok: true, response: { status: 200, headers: {}, body: '{"data":[]}' } };
    };
    expect(await getJson(transport, request, describe_)).toEqual({ data: [] });
    expect(asked).toEqual([request]);
    expect(await getJson(answer(299, '[1]'), request, describe_)).toEqual([1]);
  });

  it('stops on a request that failed, naming its code, the URL without its query, redacted', async () => {
    expect(await stop(getJson(answering({ ok: false, written: false, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED SECRET' }), request, describe_))).toBe(
      'the template look-up (Test) (GET https://graph.example.test/v23.0/1/message_templates) failed: connect ECONNREFUSED [redacted] (ECONNREFUSED); check the base URL and the network',
    );
  });

  it("stops on a status outside 2xx, with the provider's message and the fix", async () => {
    const where = 'the template look-up (Test) (GET https://graph.example.test/v23.0/1/message_templates)';
    expect(await stop(getJson(answer(401, '{"message":"bad token SECRET"}'), request, describe_))).toBe(`${where} answered HTTP 401: bad token [redacted]; fix for 401`);
    expect(await stop(getJson(answer(300, '{"message":"moved"}'), request, describe_))).toBe(`${where} answered HTTP 300: moved; fix for 300`);
    expect(await stop(getJson(answer(199, '{}'), request, describe_))).toBe(`${where} answered HTTP 199; fix for 199`);
    expect(await stop(getJson(answer(502, '<html>Bad gateway</html>'), request, describe_))).toBe(`${where} answered HTTP 502 (not JSON); fix for 502`);
  });

  it("cuts the provider's message at its first line and 300 characters", async () => {
    const where = 'the template look-up (Test) (GET https://graph.example.test/v23.0/1/message_templates)';
    expect(await stop(getJson(answer(400, JSON.stringify({ message: 'first\nsecond' })), request, describe_))).toBe(`${where} answered HTTP 400: first; fix for 400`);
    expect(await stop(getJson(answer(400, JSON.stringify({ message: 'x'.repeat(300) })), request, describe_))).toBe(`${where} answered HTTP 400: ${'x'.repeat(300)}; fix for 400`);
    expect(await stop(getJson(answer(400, JSON.stringify({ message: 'x'.repeat(301) })), request, describe_))).toBe(`${where} answered HTTP 400: ${'x'.repeat(300)}…; fix for 400`);
  });

  it('is undefined for a 404 where that means no such template, and stops on it elsewhere', async () => {
    expect(await getJson(answer(404, '{"message":"nope"}'), request, { ...describe_, notFound: true })).toBe(undefined);
    expect(await stop(getJson(answer(404, '{"message":"nope"}'), request, describe_))).toBe(
      'the template look-up (Test) (GET https://graph.example.test/v23.0/1/message_templates) answered HTTP 404: nope; fix for 404',
    );
    expect(await stop(getJson(answer(403, '{"message":"no"}'), request, { ...describe_, notFound: true }))).toBe(
      'the template look-up (Test) (GET https://graph.example.test/v23.0/1/message_templates) answered HTTP 403: no; fix for 403',
    );
  });

  it('stops on a 2xx that is not JSON', async () => {
    expect(await stop(getJson(answer(200, '<html>'), request, describe_))).toBe(
      "the template look-up (Test) (GET https://graph.example.test/v23.0/1/message_templates) answered HTTP 200 with something that is not JSON: is the base URL the provider's API?",
    );
  });
});

describe('readShape', () => {
  it('gives what the read gives', async () => {
    expect(await readShape('the look-up', redact, async () => 42)).toBe(42);
  });

  it('turns a shape problem into a stop naming it, redacted; lets any other error through', async () => {
    expect(await stop(readShape('the look-up', redact, async () => Promise.reject(new TemplateShapeError('no "data" in SECRET'))))).toBe('the look-up answered an unexpected shape: no "data" in [redacted]');
    const other = new Error('boom');
    await expect(readShape('the look-up', redact, async () => Promise.reject(other))).rejects.toBe(other);
  });
});

describe('pickByName, isRecord, MAX_PAGES', () => {
  const t = (name: string, language: string) => ({ name, language }) as AccountTemplate;

  it("picks the name's template in the language, and keeps its other languages", () => {
    const templates = [t('spring', 'en'), t('autumn', 'en'), t('spring', 'fr'), t('spring', 'de')];
    expect(pickByName(templates, 'spring', 'fr')).toEqual({ template: templates[2], others: [templates[0], templates[3]] });
    expect(pickByName(templates, 'spring', 'es')).toEqual({ template: undefined, others: [templates[0], templates[2], templates[3]] });
    expect(pickByName(templates, 'winter', 'en')).toEqual({ template: undefined, others: [] });
  });

  it('isRecord is an object that is not null or an array', () => {
    expect([{}, { a: 1 }, null, [], 'x', 1, undefined].map(isRecord)).toEqual([true, true, false, false, false, false, false]);
  });

  it('stops a listing after 200 pages', () => {
    expect(MAX_PAGES).toBe(200);
  });
});
