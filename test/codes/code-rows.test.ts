import { describe, expect, it } from 'vitest';
import { allCodes, answerMeaning, callbackClass, CODE_FAMILIES, equivalentCode, httpStatusOf, laterRetryOf, lookupCode } from '../../src/codes/error-codes.js';

/*
 * The code tables' optional fields, listed whole: which rows carry each one and with what value.
 * A row that lost one (or gained one) changes what send or reconcile does with that code, so each
 * listing is exact, not "contains". Found by the per-folder mutation run over src/codes/
 * (TESTING.md "Score by folder").
 */

const HOUR = 3_600_000;

/** Every row of both tables that has `field`, as `family code` → value. */
function rowsWith<K extends 'laterRetry' | 'inCallback' | 'onMarketingApi' | 'equivalent'>(field: K) {
  const out: Record<string, unknown> = {};
  for (const family of CODE_FAMILIES) for (const [code, info] of allCodes(family)) if (info[field] !== undefined) out[`${family} ${code}`] = info[field];
  return out;
}

describe('the code tables: the optional fields, row by row', () => {
  it('a later retry (reconcile, for a stop reported in a callback) is named by exactly these rows, each with its reason and wait', () => {
    expect(rowsWith('laterRetry')).toEqual({
      'meta 131048': { reason: 'spam_rate_limit', afterMs: 24 * HOUR },
      'meta 131064': { reason: 'messaging_limit', afterMs: 24 * HOUR },
      'meta 132069': { reason: 'flow_throttled', afterMs: HOUR },
      'twilio 63018': { reason: 'messaging_limit', afterMs: 24 * HOUR },
      'twilio 63020': { reason: 'business_manager', afterMs: 0 },
    });
    expect(laterRetryOf('meta', 132069)).toEqual({ reason: 'flow_throttled', afterMs: HOUR });
    expect(laterRetryOf('meta', 131064)).toEqual({ reason: 'messaging_limit', afterMs: 24 * HOUR });
  });

  it('a paused template’s held message (a different meaning in a callback) is exactly 132015, the On-Premises 2061 and Twilio’s 63041', () => {
    expect(rowsWith('inCallback')).toEqual({ 'meta 2061': 'template_paused', 'meta 132015': 'template_paused', 'twilio 63041': 'template_paused' });
    expect(callbackClass('meta', 2061)).toBe('template_paused');
    expect(callbackClass('meta', 2062)).toBe('stop_campaign');
  });

  it('only 131009 means something else on the Marketing Messages API', () => {
    expect(Object.keys(rowsWith('onMarketingApi'))).toEqual(['meta 131009']);
    expect(answerMeaning('meta', 131009, 'marketing_messages')).toMatchObject({ title: 'Parameter value is not valid (ad sync may be incomplete)', retryDelayMs: 600_000 });
    // Without a title of its own, the route's meaning keeps the row's title; on the provider's own routing nothing changes.
    expect(answerMeaning('meta', 131009, 'provider')).toMatchObject({ class: 'row_rejected', title: 'Parameter value is not valid' });
  });

  it('Meta’s codes with a Twilio equivalent are exactly these twelve', () => {
    const pairs = Object.entries(rowsWith('equivalent')).map(([row, equivalent]) => [row, (equivalent as { twilio?: number }).twilio]);
    expect(pairs).toEqual([
      ['meta 130472', 63032], ['meta 131021', 63031], ['meta 131026', 63024], ['meta 131031', 63051], ['meta 131048', 63018], ['meta 131049', 63049],
      ['meta 131050', 21610], ['meta 132000', 63028], ['meta 132001', 63027], ['meta 132015', 63041], ['meta 132016', 63042], ['meta 134102', 63054],
    ]);
    expect(equivalentCode('twilio', 63024, 'meta')).toBe(63024);
  });

  it('what is uncertain about a row is said in words wherever a row says anything is', () => {
    let rows = 0;
    for (const family of CODE_FAMILIES) {
      for (const [code, info] of allCodes(family)) {
        if (info.uncertain === undefined) continue;
        rows++;
        // A sentence, not a flag: at least three words.
        expect(info.uncertain.split(' ').length, `${family} ${code}`).toBeGreaterThanOrEqual(3);
      }
    }
    // 11 rows of Meta's table and 9 of Twilio's say what is not confirmed.
    expect(rows).toBe(20);
  });

  it('the 200–299 range is API permission at both ends and nothing outside it', () => {
    expect(lookupCode('meta', 200)?.title).toBe('API permission');
    expect(lookupCode('meta', 299)?.title).toBe('API permission');
    expect(lookupCode('meta', 199)).toBeUndefined();
    expect(lookupCode('meta', 300)).toBeUndefined();
    expect(lookupCode('twilio', 250)).toBeUndefined();
  });

  it('a source naming several documents names each in full: every part a URL or a seed file’s line', () => {
    let parts = 0;
    for (const family of CODE_FAMILIES) {
      for (const [code, info] of allCodes(family)) {
        if (info.source === 'uncertain') continue;
        for (const part of info.source.split(' ; ')) {
          parts++;
          expect(part, `${family} ${code}`).toMatch(/^(https:\/\/[^ ;]+[a-z0-9/]|seeds\/\d{3}_[0-9a-f]{16}\.txt:\d+)( \([^)]+\))?$/);
        }
      }
    }
    expect(parts).toBeGreaterThan(90);
  });

  it('Twilio’s codes without a status of their own are 400 below its 205xx server errors as above them', () => {
    expect(httpStatusOf('twilio', 20404)).toBe(400);
    expect(httpStatusOf('twilio', 20499)).toBe(400);
    expect(httpStatusOf('twilio', 20500)).toBe(500);
  });
});
