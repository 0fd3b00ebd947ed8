import { describe, expect, it } from 'vitest';
import { allCodes, answerMeaning, callbackClass, codesOfClass, equivalentCode, httpStatusOf, laterRetryOf, lookupCode, retryDelayMs } from '../../src/codes/error-codes.js';

describe('the code table: every per-code number is a field of its row', () => {
  it('132015 stops the campaign in a send answer, and is template_paused in a callback; other codes mean the same in both', () => {
    expect(lookupCode('meta', 132015)?.class).toBe('stop_campaign');
    expect(callbackClass('meta', 132015)).toBe('template_paused');
    expect(callbackClass('meta', 132016)).toBe('stop_campaign');
    expect(callbackClass('meta', 131026)).toBe('sms_fallback');
    expect(callbackClass('twilio', 63016)).toBe('stop_campaign');
    expect(callbackClass('meta', 999_999)).toBeUndefined();
  });

  it.each([
    // Meta's error-code page (Dec 2025): throttling is 400 there, not 429.
    ['meta', 0, 401], ['meta', 190, 401],
    ['meta', 10, 403], ['meta', 200, 403], ['meta', 299, 403], ['meta', 368, 403], ['meta', 131005, 403], ['meta', 131031, 403],
    ['meta', 132001, 404],
    ['meta', 2, 503],
    ['meta', 1, 500], ['meta', 131000, 500], ['meta', 131016, 500], ['meta', 131045, 500], ['meta', 131057, 500],
    ['meta', 130429, 400], ['meta', 131056, 400], ['meta', 131026, 400], ['meta', 100, 400], ['meta', 300, 400], ['meta', 987654, 400],
    ['twilio', 20003, 401], ['twilio', 20429, 429], ['twilio', 20500, 500], ['twilio', 20599, 500], ['twilio', 20600, 400], ['twilio', 21211, 400], ['twilio', 63024, 400],
  ] as const)('%s %i is answered with HTTP %i', (family, code, status) => {
    expect(httpStatusOf(family, code)).toBe(status);
  });

  it.each([
    [131026, 63024],
    [131049, 63049],
    [130472, 63032],
    [131050, 21610],
    [132015, 63041],
    [132016, 63042],
    [132001, 63027],
    [132000, 63028],
    [131031, 63051],
    [134102, 63054],
    [131021, 63031],
    [131048, 63018],
  ])('Meta %i is Twilio %i; what Twilio reports means the same, in an answer and in a callback', (meta, twilio) => {
    expect(equivalentCode('meta', meta, 'twilio')).toBe(twilio);
    expect(callbackClass('twilio', twilio)).toBe(callbackClass('meta', meta));
    expect(lookupCode('twilio', twilio)?.class).toBe(lookupCode('meta', meta)?.class);
  });

  it('63020 is a Business Manager invitation not accepted (seed 003), not a payment issue: stop, and say to accept it', () => {
    const info = lookupCode('twilio', 63020)!;
    expect(info.class).toBe('stop_campaign');
    expect(info.fix).toMatch(/accept Twilio’s invitation .* Meta Business Manager/);
    expect(info.fix).toMatch(/billing verification/);
    expect(info.fix).not.toMatch(/payment method/);
    expect(info.source).toContain('seeds/003_cb153f5f7ac208a7.txt:111');
  });

  it('63018 and 131048 in a callback are retried a day later with their own reason; a stop without one is due at once as campaign_stopped', () => {
    expect(laterRetryOf('twilio', 63018)).toEqual({ reason: 'messaging_limit', afterMs: 24 * 3_600_000 });
    expect(laterRetryOf('meta', 131048)).toEqual({ reason: 'spam_rate_limit', afterMs: 24 * 3_600_000 });
    expect(laterRetryOf('twilio', 63020)).toEqual({ reason: 'business_manager', afterMs: 0 });
    expect(laterRetryOf('meta', 190)).toEqual({ reason: 'campaign_stopped', afterMs: 0 });
  });

  it('131009 on the Marketing Messages API is the ad sync (retry in ten minutes); on /messages a bad parameter', () => {
    expect(answerMeaning('meta', 131009, 'messages')).toMatchObject({ class: 'row_rejected' });
    expect(answerMeaning('meta', 131009, 'marketing_messages')).toMatchObject({ class: 'transient', retryDelayMs: 600_000 });
    expect(answerMeaning('meta', 100, 'marketing_messages')).toMatchObject({ class: 'row_rejected' });
    expect(answerMeaning('meta', 999_999, 'marketing_messages')).toBeUndefined();
  });

  it('every row names its source (a URL, a seed file, or "uncertain" with what is uncertain), and every stop says what to do', () => {
    for (const family of ['meta', 'twilio'] as const) {
      expect(allCodes(family).length).toBeGreaterThan(20);
      for (const [code, info] of allCodes(family)) {
        expect(info.source, `${family} ${code}`).toMatch(/^(https:\/\/|seeds\/\d{3}_)|^uncertain$/);
        if (info.source === 'uncertain') expect(info.uncertain, `${family} ${code}`).toBeTruthy();
        expect(info.title.length, `${family} ${code}`).toBeGreaterThan(3);
        if (info.class === 'stop_campaign') expect(info.fix, `${family} ${code}`).toBeTruthy();
        if (info.class === 'sms_fallback') expect(info.reason, `${family} ${code}`).toBeTruthy();
      }
    }
  });

  it.each([
    ['twilio', [63016, 63021, 63024, 63027, 63030, 63031, 63033, 63041, 63042, 63051, 63054, 63062, 21656, 30007, 30008, 20429, 63018, 63020]],
    ['meta', [131047, 131048, 131052, 131055, 131061, 131062, 131063, 132007, 132068, 132069, 131037, 2061, 2062, 134100, 134101, 134102, 131064, 132018]],
  ] as const)('%s: every code the issue names has a row', (family, codes) => {
    for (const code of codes) expect(lookupCode(family, code), `${family} ${code}`).toBeTruthy();
  });

  it('a code without an equivalent stays itself, and a family is its own equivalent', () => {
    expect(equivalentCode('meta', 131000, 'twilio')).toBe(131000);
    expect(equivalentCode('twilio', 63024, 'twilio')).toBe(63024);
    expect(equivalentCode('meta', 131026, 'meta')).toBe(131026);
  });

  it('131057 waits about a minute before its in-run retry, 134101 (template syncing) ten minutes; no other code names a delay', () => {
    expect(retryDelayMs('meta', 131057)).toBe(60_000);
    expect(retryDelayMs('meta', 134101)).toBe(600_000);
    for (const family of ['meta', 'twilio'] as const) {
      for (const [code] of allCodes(family)) if (code !== 131057 && code !== 134101) expect(retryDelayMs(family, code), `${family} ${code}`).toBeUndefined();
    }
  });

  it('lists the codes of a class in numeric order, ranges not included', () => {
    expect(codesOfClass('meta', 'throttle')).toEqual([4, 80007, 130429]);
    expect(codesOfClass('meta', 'opted_out')).toEqual([131050]);
    expect(codesOfClass('twilio', 'pair_rate')).toEqual([]);
    expect(codesOfClass('twilio', 'sms_fallback')).toEqual([63003, 63024, 63032]);
    // 200–299 are a range, decided by lookupCode.
    expect(codesOfClass('meta', 'stop_campaign')).not.toContain(250);
    expect(lookupCode('meta', 250)).toMatchObject({ class: 'stop_campaign', title: 'API permission' });
  });
});
