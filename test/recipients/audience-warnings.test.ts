import { describe, expect, it } from 'vitest';
import { audienceWarnings } from '../../src/recipients/audience-warnings.js';
import type { TemplateSpec } from '../../src/template/template-spec.js';

function spec(overrides: Partial<TemplateSpec> = {}): TemplateSpec {
  return {
    file: 's.yaml',
    name: 'n',
    language: { code: 'en' },
    category: 'marketing',
    ttlSeconds: 2_592_000,
    body: undefined,
    parameterFormat: 'positional',
    components: [],
    lines: { components: [], parameterFormat: undefined, twilio: undefined, category: undefined },
    twilio: undefined,
    defaults: new Map(),
    placeholders: [],
    warnings: [],
    ...overrides,
  };
}

const codes = (facts: Parameters<typeof audienceWarnings>[0]) => audienceWarnings(facts).map((w) => w.code);

describe('audienceWarnings', () => {
  it('says nothing for a plain campaign', () => {
    expect(codes({ spec: spec({ body: 'one\ntwo' }), sendable: 10, usRecipients: 0, dailyLimit: 1000 })).toEqual([]);
  });

  it('warns about marketing to US numbers, with the count, but not for utility', () => {
    const warnings = audienceWarnings({ spec: spec(), sendable: 10, usRecipients: 3, dailyLimit: undefined });
    expect(warnings).toEqual([{ code: 'marketing_to_us', message: expect.stringContaining('3 recipients have US (+1) numbers') }]);
    const [one] = audienceWarnings({ spec: spec(), sendable: 10, usRecipients: 1, dailyLimit: undefined });
    expect(one!.message).toMatch(/^1 recipient has a US \(\+1\) number:/);
    expect(codes({ spec: spec({ category: 'utility' }), sendable: 10, usRecipients: 3, dailyLimit: undefined })).toEqual([]);
  });

  it('warns about a marketing body over five lines', () => {
    expect(codes({ spec: spec({ body: '1\n2\n3\n4\n5\n' }), sendable: 1, usRecipients: 0, dailyLimit: undefined })).toEqual([]);
    expect(codes({ spec: spec({ body: '1\n2\n3\n4\n5\n6' }), sendable: 1, usRecipients: 0, dailyLimit: undefined })).toEqual(['long_marketing_body']);
  });

  it('warns when the audience outgrows the daily messaging limit', () => {
    const [warning] = audienceWarnings({ spec: spec(), sendable: 2500, usRecipients: 0, dailyLimit: 1000 });
    expect(warning).toEqual({
      code: 'over_daily_limit',
      message: '2,500 recipients but the messaging limit is 1,000 unique users per 24 hours: about 1,500 sends would fail; split the campaign over 3 days',
    });
    expect(codes({ spec: spec(), sendable: 1000, usRecipients: 0, dailyLimit: 1000 })).toEqual([]);
  });

  it('warns about the short TTL of authentication templates', () => {
    const warnings = audienceWarnings({ spec: spec({ category: 'authentication', ttlSeconds: 600 }), sendable: 5, usRecipients: 5, dailyLimit: undefined });
    expect(warnings).toEqual([{ code: 'authentication_ttl', message: expect.stringContaining('within 600 s are dropped') }]);
  });

  it('passes on spec warnings and unreadable suppression entries', () => {
    const facts = { spec: spec({ warnings: ['ttl odd'] }), sendable: 1, usRecipients: 0, dailyLimit: undefined, suppressionUnreadable: { file: 'sup.csv', count: 2, firstLine: 4 } };
    expect(audienceWarnings(facts)).toEqual([
      { code: 'spec', message: 'ttl odd' },
      { code: 'suppression_unreadable', message: expect.stringContaining('2 entries of sup.csv (first at line 4)') },
    ]);
  });

  it('words the long-body warning, for marketing only', () => {
    expect(audienceWarnings({ spec: spec({ body: '1\n2\n3\n4\n5\n6\n7' }), sendable: 1, usRecipients: 0, dailyLimit: undefined })).toEqual([
      {
        code: 'long_marketing_body',
        message: 'the body has 7 lines: WhatsApp shows only the first 5 of a marketing message and hides the rest behind "Read more"',
      },
    ]);
    expect(codes({ spec: spec({ category: 'utility', body: '1\n2\n3\n4\n5\n6\n7' }), sendable: 1, usRecipients: 0, dailyLimit: undefined })).toEqual([]);
  });

  it('words one unreadable suppression entry, and says nothing when every entry was read', () => {
    const one = { file: 'sup.csv', count: 1, firstLine: 7 };
    expect(audienceWarnings({ spec: spec(), sendable: 1, usRecipients: 0, dailyLimit: undefined, suppressionUnreadable: one })).toEqual([
      {
        code: 'suppression_unreadable',
        message:
          '1 entry of sup.csv (first at line 7) cannot be read as a phone number and suppress no one: national numbers need a country column or --default-country',
      },
    ]);
    const none = { file: 'sup.csv', count: 0, firstLine: undefined };
    expect(codes({ spec: spec(), sendable: 1, usRecipients: 0, dailyLimit: undefined, suppressionUnreadable: none })).toEqual([]);
  });
});

