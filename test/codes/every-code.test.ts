import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY, settle, type SettleContext } from '../../src/campaign/settle.js';
import { allCodes, callbackClass, type CodeInfo, type ErrorClass, type ProviderFamily } from '../../src/codes/error-codes.js';
import { DEFAULT_CREDENTIALS } from '../../src/emulator/emulator-server.js';
import { MarketingRouter } from '../../src/providers/cloud-api/marketing-router.js';
import { parseCloudApiResponse } from '../../src/providers/cloud-api/parse-cloud-api-response.js';
import { PROVIDER_MODULES, providerFromEnv } from '../../src/providers/index.js';
import type { HttpResponse } from '../../src/providers/provider.js';
import type { ProviderModule } from '../../src/providers/provider-module.js';
import { decideRecipient, type RecipientFacts } from '../../src/reconcile/decide-recipient.js';
import { loadTemplateSpec } from '../../src/template/load-template-spec.js';
import type { TemplateSpec } from '../../src/template/template-spec.js';

/*
 * One test per row of the code table, generated from it: a row added to meta-codes.ts or
 * twilio-codes.ts is run through what `send` does with it in an answer (the provider's emulator
 * writes the platform's error body, the provider reads it, settle decides) and what `reconcile`
 * does with it in a status callback, without a line here. The expectations are per class, written
 * out below, not read from the code under test.
 */

const SAMPLE_SPEC = fileURLToPath(new URL('../../samples/spring-sale.yaml', import.meta.url));
let spec: TemplateSpec;
beforeAll(async () => {
  spec = await loadTemplateSpec(SAMPLE_SPEC);
});

const NOW = 5_000_000;
const SENT_AT = NOW - 100;
const context: SettleContext = { now: NOW, requestAt: SENT_AT, health: HEALTHY, maxConsecutiveFailures: 25, mps: 80 };
const FRESH = { transientRetries: 0, pairRateRetries: 0 };
const asResponse = ({ status, body }: { status: number; body: unknown }): HttpResponse => ({ status, headers: {}, body: JSON.stringify(body) });

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

function provider(module: ProviderModule) {
  // Placeholders: no onboarding read; the route is /messages, as for a utility template.
  return providerFromEnv(module.name as never, module.emulator.env('http://127.0.0.1:9', DEFAULT_CREDENTIALS), spec, { allowInsecureHttp: false, statusCallbackUrl: 'https://hooks.example.com/twilio/status', placeholders: true }).provider;
}

/** What send must do with a code of this class answered to a request on /messages. */
function expectAnswer(errorClass: ErrorClass, info: CodeInfo, code: number, module: ProviderModule) {
  const outcome = provider(module).parseResponse(asResponse(module.emulator.error(code)));
  const s = settle(outcome, FRESH, context);
  const text = String(code);
  switch (errorClass) {
    case 'throttle':
      expect(s).toMatchObject({ state: 'retry', errorCode: text });
      expect(s.slowDown).toBeTruthy();
      // Due at once (or after its Retry-After): a throttled request was not delivered, and the pacer decides when it goes.
      expect(s.retryAt).toBeGreaterThanOrEqual(SENT_AT);
      return;
    case 'pair_rate':
      expect(s).toMatchObject({ state: 'retry', errorCode: text, retryAt: SENT_AT + 6_000 });
      return;
    case 'transient':
      // Retried in the run, after the code's own wait when its row names one, never under the pair gap.
      expect(s).toMatchObject({ state: 'retry', errorCode: text, retryAt: SENT_AT + Math.max(6_000, info.retryDelayMs ?? 6_000) });
      expect(s.halt).toBeUndefined();
      return;
    case 'stop_campaign':
      expect(s).toMatchObject({ state: 'retry', tally: 'failed', halt: { reason: 'stopped', code: text, fix: info.fix } });
      return;
    case 'route_marketing':
      // A marketing campaign on /messages under auto (the default): switched to the MM API, and the refused message retried.
      expect(s).toMatchObject({ state: 'retry', retryAt: SENT_AT + 6_000 });
      expect(s.halt).toBeUndefined();
      return;
    case 'route_messages':
      // Already on /messages, nothing to switch to: the campaign stops, saying what to do.
      expect(s).toMatchObject({ halt: { reason: 'stopped', code: text } });
      expect(s.halt!.fix).toMatch(/--marketing-api/);
      return;
    default:
      expect(s).toMatchObject({ state: 'failed', tally: 'failed', fields: { code: text, class: errorClass } });
      expect(s.halt).toBeUndefined();
      expect(s.retryAt).toBeUndefined();
  }
}

function callbackFacts(family: ProviderFamily, code: number): RecipientFacts {
  return {
    phone: '+447400123456',
    category: 'utility',
    ttlMs: 30 * 24 * HOUR,
    firstAttemptAt: T0,
    retryLaterFailures: 1,
    transientFailures: 1,
    pausedFailures: 1,
    latest: { ledger: 'accepted', intentAt: T0, outcomeAt: T0, ledgerCode: undefined, ledgerClass: undefined, evidence: true, rank: 1, eventFailure: { code, at: T0 + MIN, family } },
    optedOut: undefined,
    resumedAt: undefined,
    family,
    deliveriesVisible: true,
  };
}

/** What reconcile must do with the code in a status callback: the list, reason and due time. */
function expectCallback(family: ProviderFamily, code: number, info: CodeInfo) {
  const errorClass = callbackClass(family, code)!;
  const at = T0 + MIN;
  const d = decideRecipient(callbackFacts(family, code), at + 30 * 24 * HOUR - 2 * HOUR);
  const soon = decideRecipient(callbackFacts(family, code), at);
  const text = String(code);
  switch (errorClass) {
    case 'sms_fallback':
      expect(d).toMatchObject({ list: 'sms_fallback', reason: info.reason, code: text });
      return;
    case 'opted_out':
      expect(d).toMatchObject({ list: 'suppress', reason: 'opted_out', code: text });
      return;
    case 'retry_later':
      expect(soon).toMatchObject({ state: 'waiting_retry', list: 'retry', reason: 'per_user_limit', code: text, dueAt: at + 24 * HOUR });
      return;
    case 'throttle':
    case 'pair_rate':
    case 'transient':
      expect(soon).toMatchObject({ state: 'waiting_retry', list: 'retry', reason: 'transient', code: text, dueAt: at + 30 * MIN });
      return;
    case 'template_paused':
      expect(soon).toMatchObject({ state: 'retry', list: 'retry', reason: 'template_paused', code: text, dueAt: at });
      return;
    case 'stop_campaign': {
      const reason = info.laterRetry?.reason ?? 'campaign_stopped';
      const dueAt = at + (info.laterRetry?.afterMs ?? 0);
      expect(soon).toMatchObject({ list: 'retry', reason, code: text, dueAt, state: dueAt > at ? 'waiting_retry' : 'retry' });
      return;
    }
    default:
      expect(d).toMatchObject({ state: 'failed', list: 'failed', reason: errorClass === 'row_rejected' ? 'rejected' : 'failed', code: text, title: info.title });
  }
}

const rows = PROVIDER_MODULES.flatMap((module) => allCodes(module.family).map(([code, info]) => [module.name, code, info.class, module as ProviderModule, info] as const));

describe('every code row: in an answer (emulator → provider → settle) and in a callback (reconcile)', () => {
  it('there are rows for every provider', () => {
    for (const module of PROVIDER_MODULES) expect(rows.filter(([name]) => name === module.name).length).toBeGreaterThan(20);
  });

  it.each(rows)('%s %i (%s)', (_name, code, errorClass, module, info) => {
    expectAnswer(errorClass, info, code, module);
    expectCallback(module.family, code, info);
  });
});

describe('the route codes, on the route they refuse', () => {
  const answer = (code: number) => asResponse({ status: 400, body: { error: { code, message: `(#${code}) refused` } } });

  it('131063 on /messages for a marketing campaign under auto: switched once to /marketing_messages, said so, and the refused message retried', () => {
    const notices: string[] = [];
    const router = new MarketingRouter('messages', 'auto', true, (line) => notices.push(line));
    const s = settle(parseCloudApiResponse(answer(131063), router), FRESH, context);
    expect(s).toMatchObject({ state: 'retry', retryAt: SENT_AT + 6_000 });
    expect(s.halt).toBeUndefined();
    expect(router.route).toBe('marketing_messages');
    expect(notices).toEqual([expect.stringMatching(/^! 131063 .*through \/marketing_messages \(switched once/)]);
    // Answers to requests that left before the switch: retried too, without a second notice.
    expect(parseCloudApiResponse(answer(131063), router)).toMatchObject({ kind: 'transient' });
    expect(notices).toHaveLength(1);
    // Asked to switch back: no ping-pong, the campaign stops.
    expect(parseCloudApiResponse(answer(131055), router)).toMatchObject({ kind: 'stop', code: '131055' });
  });

  it('131063 under never: stop, naming the flag and the WABA setting', () => {
    const outcome = parseCloudApiResponse(answer(131063), new MarketingRouter('messages', 'never', true));
    expect(outcome).toMatchObject({ kind: 'stop', code: '131063' });
    expect((outcome as { fix: string }).fix).toMatch(/disable_marketing_messages_on_cloud_api/);
  });

  it('131055 and 134100 on /marketing_messages under auto: back to /messages once; under always: stop', () => {
    for (const code of [131055, 134100]) {
      const auto = new MarketingRouter('marketing_messages', 'auto', true);
      expect(parseCloudApiResponse(answer(code), auto)).toMatchObject({ kind: 'transient', code: String(code) });
      expect(auto.route).toBe('messages');
      expect(parseCloudApiResponse(answer(code), new MarketingRouter('marketing_messages', 'always', true))).toMatchObject({ kind: 'stop', code: String(code) });
    }
  });

  it('131009 on /marketing_messages (ad sync): retried after ten minutes; on /messages a rejected row', () => {
    const onMm = settle(parseCloudApiResponse(answer(131009), new MarketingRouter('marketing_messages', 'auto', true)), FRESH, context);
    expect(onMm).toMatchObject({ state: 'retry', retryAt: SENT_AT + 600_000 });
    const onMessages = settle(parseCloudApiResponse(answer(131009), new MarketingRouter('messages', 'auto', true)), FRESH, context);
    expect(onMessages).toMatchObject({ state: 'failed', fields: { class: 'row_rejected' } });
  });

  it('360dialog’s Marketing Messages endpoint wraps Meta’s error in detail: read the same', () => {
    const wrapped = asResponse({ status: 400, body: { detail: { error: { code: 131026, message: 'Message undeliverable' } } } });
    expect(parseCloudApiResponse(wrapped, new MarketingRouter('marketing_messages', 'always', true))).toMatchObject({ kind: 'failed', code: '131026', class: 'sms_fallback' });
  });
});
