import { describe, expect, it } from 'vitest';
import { callbackClass, codesOfClass, equivalentCode, httpStatusOf, lookupCode, retryDelayMs } from '../../src/codes/error-codes.js';

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
    [132015, 63016],
  ])('Meta %i is Twilio %i; the class of what Twilio reports is the same (the paused template excepted: see below)', (meta, twilio) => {
    expect(equivalentCode('meta', meta, 'twilio')).toBe(twilio);
    if (meta !== 132015) expect(callbackClass('twilio', twilio)).toBe(callbackClass('meta', meta));
  });

  it('a code without an equivalent stays itself, and a family is its own equivalent', () => {
    expect(equivalentCode('meta', 131000, 'twilio')).toBe(131000);
    expect(equivalentCode('twilio', 63024, 'twilio')).toBe(63024);
    expect(equivalentCode('meta', 131026, 'meta')).toBe(131026);
  });

  it('131057 waits about a minute before its in-run retry; no other code names a delay', () => {
    expect(retryDelayMs('meta', 131057)).toBe(60_000);
    for (const family of ['meta', 'twilio'] as const) {
      for (const errorClass of ['throttle', 'pair_rate', 'transient', 'stop_campaign', 'row_rejected', 'retry_later', 'sms_fallback', 'opted_out'] as const) {
        for (const code of codesOfClass(family, errorClass)) if (code !== 131057) expect(retryDelayMs(family, code), `${family} ${code}`).toBeUndefined();
      }
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
