import { describe, expect, it } from 'vitest';
import type { AccountTemplate } from '../../src/template/account-template.js';
import { templateToSpec } from '../../src/template/template-to-spec.js';

const template = (quality: string | undefined): AccountTemplate => ({
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
  ttlSeconds: undefined,
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
