import { describe, expect, it } from 'vitest';
import { describeQuality, templateTtlSeconds, TTL_30_DAYS, type AccountTemplate } from '../../src/template/account-template.js';
import { templateToSpec } from '../../src/template/template-to-spec.js';

const template = (quality: string | undefined, ttlSeconds?: number): AccountTemplate => ({
  name: 'spring_sale',
  language: 'en_GB',
  category: 'MARKETING',
  status: 'APPROVED',
  quality,
  parameterFormat: 'positional',
  header: undefined,
  body: { text: 'Hello {{1}}', parameters: [{ name: '1', example: 'Ann' }] },
  footer: undefined,
  buttons: [],
  ttlSeconds,
  rejectedReason: undefined,
  id: '1',
});

describe('templates pull: the first comment names the quality as the templates table does', () => {
  it.each([
    ['UNKNOWN', 'pending'],
    ['GREEN', 'high'],
    ['YELLOW', 'medium'],
    ['RED', 'low'],
  ])('%s is "quality %s"', (quality, words) => {
    const first = templateToSpec(template(quality), 'WhatsApp Manager').split('\n')[0];
    expect(first).toBe(`# spring_sale (en_GB) as WhatsApp Manager holds it: APPROVED, MARKETING, quality ${words}.`);
  });

  it('says nothing of quality when the answer has none', () => {
    expect(templateToSpec(template(undefined), 'WhatsApp Manager').split('\n')[0]).toBe('# spring_sale (en_GB) as WhatsApp Manager holds it: APPROVED, MARKETING.');
  });
});

describe('templateTtlSeconds: the TTL reconcile uses, as the account sets it', () => {
  it.each([
    [undefined, undefined],
    [-1, TTL_30_DAYS],
    [3600, 3600],
    [1, 1],
    [0, undefined],
    [-2, undefined],
  ])('message_send_ttl_seconds %s is %s', (ttl, seconds) => {
    expect(templateTtlSeconds(template('GREEN', ttl))).toBe(seconds);
  });

  it('-1 is thirty days', () => {
    expect(TTL_30_DAYS).toBe(2_592_000);
  });
});

describe('describeQuality', () => {
  it('names a quality it does not know in lower case, as the account wrote it', () => {
    expect(describeQuality('FLAGGED')).toBe('flagged');
    expect(describeQuality(undefined)).toBe('pending');
  });
});
