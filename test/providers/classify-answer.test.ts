import { describe, expect, it } from 'vitest';
import { classifyFailure, parseJson, parseRetryAfter } from '../../src/providers/classify-answer.js';
import type { HttpResponse } from '../../src/providers/provider.js';

/*
 * classifyFailure in process, every outcome compared whole (kind, code, title, and the fields of
 * its kind): providers.test.ts reads the same answers through a server, but with toMatchObject on
 * kind and code, so a title, a fix or a Retry-After could change unseen. What matters most here
 * is where an answer leaves the message "in doubt" (never re-sent by itself) and where it is a
 * failure that is safe to retry: a 5xx without the provider's body, and a 502 or 504 from a
 * gateway whatever the body, are in doubt; a 5xx with the provider's own error body is transient.
 */

// Far from the machine's clock: an answer's time must come from receivedAt, never from Date.now().
const NOW = Date.parse('2030-01-15T12:00:00Z');
const answer = (status: number, headers: HttpResponse['headers'] = {}): HttpResponse => ({ status, headers, body: '', receivedAt: NOW });
const meta = (code: number, message = `(#${code}) from Meta`) => ({ code, message });

describe('classifyFailure: in doubt or safe to retry', () => {
  it.each([502, 504])('HTTP %i from a gateway is in doubt, with or without the provider’s body, whatever its code says', (status) => {
    const inDoubt = { kind: 'in_doubt', code: `http_${status}`, title: `HTTP ${status} from a gateway: the message may have gone out` };
    expect(classifyFailure('meta', answer(status), undefined)).toEqual(inDoubt);
    // 131000 alone would be transient (re-sent): a gateway's answer cannot say the provider did not take it.
    expect(classifyFailure('meta', answer(status), meta(131000))).toEqual(inDoubt);
    expect(classifyFailure('twilio', answer(status), { code: 20429, message: 'Too Many Requests' })).toEqual(inDoubt);
  });

  it.each([500, 501, 503, 599])('HTTP %i without the provider’s body is in doubt', (status) => {
    expect(classifyFailure('meta', answer(status), undefined)).toEqual({
      kind: 'in_doubt',
      code: `http_${status}`,
      title: `HTTP ${status} without the provider’s error body: the message may have gone out`,
    });
  });

  it('HTTP 499 without a body, just below the 5xx, is a plain failure', () => {
    expect(classifyFailure('meta', answer(499), undefined)).toEqual({ kind: 'failed', code: 'http_499', title: 'HTTP 499', class: 'unknown' });
  });

  it('a code no table knows, in a 5xx provider body, is transient (the provider answered: it did not take the message)', () => {
    expect(classifyFailure('meta', answer(500), meta(987654))).toEqual({ kind: 'transient', code: '987654', title: '(#987654) from Meta' });
    expect(classifyFailure('twilio', answer(503), { code: 99999, message: 'busy' })).toEqual({ kind: 'transient', code: '99999', title: 'busy' });
  });

  it('a code no table knows in a 499 or a 400 body is a failure of unknown class', () => {
    expect(classifyFailure('meta', answer(499), meta(987654))).toEqual({ kind: 'failed', code: '987654', title: '(#987654) from Meta', class: 'unknown' });
    expect(classifyFailure('meta', answer(400), meta(987654))).toEqual({ kind: 'failed', code: '987654', title: '(#987654) from Meta', class: 'unknown' });
  });
});

describe('classifyFailure: a code the table knows', () => {
  it('throttle: throttled, with the answer’s Retry-After', () => {
    expect(classifyFailure('meta', answer(400, { 'retry-after': '7' }), meta(130429))).toEqual({ kind: 'throttled', code: '130429', title: '(#130429) from Meta', retryAfterMs: 7000 });
    expect(classifyFailure('meta', answer(400), meta(130429))).toEqual({ kind: 'throttled', code: '130429', title: '(#130429) from Meta', retryAfterMs: undefined });
  });

  it('a known code wins over the status (a throttle code in a 500 is throttled, a transient code in a 400 is transient)', () => {
    expect(classifyFailure('meta', answer(500), meta(130429))).toEqual({ kind: 'throttled', code: '130429', title: '(#130429) from Meta', retryAfterMs: undefined });
    expect(classifyFailure('meta', answer(400), meta(131000))).toEqual({ kind: 'transient', code: '131000', title: '(#131000) from Meta' });
  });

  it('pair rate', () => {
    expect(classifyFailure('meta', answer(400), meta(131056))).toEqual({ kind: 'pair_rate', code: '131056', title: '(#131056) from Meta' });
  });

  it('transient, with the code’s own wait when its row names one (131057: a minute), else no wait field at all', () => {
    expect(classifyFailure('meta', answer(500), meta(131057))).toEqual({ kind: 'transient', code: '131057', title: '(#131057) from Meta', retryDelayMs: 60_000 });
    const plain = classifyFailure('meta', answer(500), meta(131000));
    expect(plain).toEqual({ kind: 'transient', code: '131000', title: '(#131000) from Meta' });
    expect(Object.keys(plain)).toEqual(['kind', 'code', 'title']);
  });

  it('stop: the row’s fix', () => {
    expect(classifyFailure('meta', answer(401), meta(190))).toEqual({ kind: 'stop', code: '190', title: '(#190) from Meta', fix: 'create a new system-user token with whatsapp_business_messaging permission and set WA_TOKEN (or D360_API_KEY)' });
    expect(classifyFailure('meta', answer(400), meta(131042))).toEqual({ kind: 'stop', code: '131042', title: '(#131042) from Meta', fix: 'fix the payment method or credit line in Business Settings › Payments' });
    expect(classifyFailure('twilio', answer(401), { code: 20003, message: 'Authenticate' })).toEqual({ kind: 'stop', code: '20003', title: 'Authenticate', fix: 'check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN' });
  });

  it.each([
    ['route_marketing', 131063],
    ['route_messages', 131055],
    ['route_messages', 134100],
  ])('%s (%i) without a router: a stop that names --marketing-api', (_class, code) => {
    expect(classifyFailure('meta', answer(400), meta(code))).toEqual({
      kind: 'stop',
      code: String(code),
      title: `(#${code}) from Meta`,
      fix: 'the account’s marketing templates and this API do not match: see --marketing-api in the README',
    });
  });

  it('any other class: failed, with the class', () => {
    expect(classifyFailure('meta', answer(400), meta(131026))).toEqual({ kind: 'failed', code: '131026', title: '(#131026) from Meta', class: 'sms_fallback' });
    expect(classifyFailure('twilio', answer(400), { code: 21610, message: 'unsubscribed' })).toEqual({ kind: 'failed', code: '21610', title: 'unsubscribed', class: 'opted_out' });
  });

  it('the route changes a code’s meaning: 131009 on the Marketing Messages API is the ad sync, on /messages a bad parameter; the default route is /messages', () => {
    expect(classifyFailure('meta', answer(400), meta(131009), 'marketing_messages')).toEqual({ kind: 'transient', code: '131009', title: '(#131009) from Meta', retryDelayMs: 600_000 });
    expect(classifyFailure('meta', answer(400), meta(131009), 'messages')).toEqual({ kind: 'failed', code: '131009', title: '(#131009) from Meta', class: 'row_rejected' });
    expect(classifyFailure('meta', answer(400), meta(131009))).toEqual({ kind: 'failed', code: '131009', title: '(#131009) from Meta', class: 'row_rejected' });
  });

  it('the family picks the table: 20429 is Twilio’s throttle, not a code Meta knows', () => {
    expect(classifyFailure('twilio', answer(400), { code: 20429, message: 'Too Many Requests' })).toEqual({ kind: 'throttled', code: '20429', title: 'Too Many Requests', retryAfterMs: undefined });
    expect(classifyFailure('meta', answer(400), meta(20429))).toEqual({ kind: 'failed', code: '20429', title: '(#20429) from Meta', class: 'unknown' });
  });
});

describe('classifyFailure: an unknown code, or no provider body: the status decides', () => {
  it('429 is throttled, with its Retry-After, body or not', () => {
    expect(classifyFailure('meta', answer(429, { 'retry-after': '2' }), meta(987654))).toEqual({ kind: 'throttled', code: '987654', title: '(#987654) from Meta', retryAfterMs: 2000 });
    expect(classifyFailure('meta', answer(429, { 'retry-after': '2' }), undefined)).toEqual({ kind: 'throttled', code: 'http_429', title: 'HTTP 429 Too Many Requests', retryAfterMs: 2000 });
    expect(classifyFailure('meta', answer(429), undefined)).toEqual({ kind: 'throttled', code: 'http_429', title: 'HTTP 429 Too Many Requests', retryAfterMs: undefined });
  });

  it.each([401, 403])('HTTP %i without a body: stop, the credentials', (status) => {
    expect(classifyFailure('twilio', answer(status), undefined)).toEqual({ kind: 'stop', code: `http_${status}`, title: `HTTP ${status}`, fix: 'the credentials were refused: check the token or API key' });
  });

  it('HTTP 404 without a body: stop, no such endpoint', () => {
    expect(classifyFailure('meta', answer(404), undefined)).toEqual({
      kind: 'stop',
      code: 'http_404',
      title: 'HTTP 404',
      fix: 'no such endpoint: check the base URL, API version and phone-number id or account SID',
    });
  });

  it.each([400, 402, 405, 409])('HTTP %i without a body: failed, class unknown', (status) => {
    expect(classifyFailure('meta', answer(status), undefined)).toEqual({ kind: 'failed', code: `http_${status}`, title: `HTTP ${status}`, class: 'unknown' });
  });

  it('a Retry-After date is measured from when the answer came (receivedAt), not from the system clock', () => {
    const at = new Date(NOW + 90_000).toUTCString();
    expect(classifyFailure('meta', answer(429, { 'retry-after': at }), undefined)).toEqual({ kind: 'throttled', code: 'http_429', title: 'HTTP 429 Too Many Requests', retryAfterMs: 90_000 });
  });
});

describe('parseRetryAfter', () => {
  it('seconds, trimmed; the first of several headers', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter(' 12 ', NOW)).toBe(12_000);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(['4', '9'], NOW)).toBe(4000);
  });

  it('absent or empty: undefined', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter([], NOW)).toBeUndefined();
  });

  it('an HTTP date: the wait from now; a date already past is 0', () => {
    expect(parseRetryAfter('Tue, 15 Jan 2030 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Tue, 15 Jan 2030 11:59:00 GMT', NOW)).toBe(0);
  });

  it('neither seconds nor a date: undefined (digits with anything else are not seconds)', () => {
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('3s', NOW)).toBeUndefined();
    expect(parseRetryAfter('x5', NOW)).toBeUndefined();
    expect(parseRetryAfter('1e3', NOW)).toBeUndefined();
  });
});

describe('parseJson', () => {
  it('JSON, or undefined for anything else', () => {
    expect(parseJson('{"error":{"code":131000}}')).toEqual({ error: { code: 131000 } });
    expect(parseJson('<html>Bad gateway</html>')).toBeUndefined();
    expect(parseJson('')).toBeUndefined();
  });
});
