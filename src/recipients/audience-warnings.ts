import type { TemplateSpec } from '../template/template-spec.js';
import { formatCount, plural } from '../plural.js';

export interface Warning {
  code: string;
  message: string;
}

export interface AudienceFacts {
  spec: TemplateSpec;
  sendable: number;
  /** Sendable recipients whose number is in the United States. */
  usRecipients: number;
  /** The portfolio's messaging limit (unique users per 24 h), when the user gave it. */
  dailyLimit: number | undefined;
  /** Suppression-list entries that are not phone numbers, and where the first one is. */
  suppressionUnreadable?: { file: string; count: number; firstLine: number | undefined } | undefined;
}

/** Lines in a marketing body past which WhatsApp folds it behind "Read more". */
export const MARKETING_BODY_LINES = 5;

/**
 * Warnings that cost nothing to read and money to ignore. Pure: the facts are gathered while the
 * rows stream past. Sources: api-facts.md §3 (TTL) and §5 (US marketing, messaging limits).
 */
export function audienceWarnings(facts: AudienceFacts): Warning[] {
  const { spec, sendable, usRecipients, dailyLimit, suppressionUnreadable: bad } = facts;
  const warnings: Warning[] = spec.warnings.map((message) => ({ code: 'spec', message }));
  if (bad && bad.count > 0) {
    warnings.push({
      code: 'suppression_unreadable',
      message: `${plural(bad.count, 'entry', 'entries')} of ${bad.file} (first at line ${bad.firstLine}) cannot be read as a phone number and suppress no one: national numbers need a country column or --default-country`,
    });
  }
  if (spec.category === 'marketing' && usRecipients > 0) {
    warnings.push({
      code: 'marketing_to_us',
      message: `${plural(usRecipients, 'recipient has a US (+1) number', 'recipients have US (+1) numbers')}: Meta has not delivered marketing templates to US numbers since 1 April 2025, so these sends will fail; reach them by SMS instead`,
    });
  }
  if (spec.category === 'marketing' && spec.body !== undefined) {
    const lines = spec.body.trimEnd().split('\n').length;
    if (lines > MARKETING_BODY_LINES) {
      warnings.push({
        code: 'long_marketing_body',
        message: `the body has ${lines} lines: WhatsApp shows only the first ${MARKETING_BODY_LINES} of a marketing message and hides the rest behind "Read more"`,
      });
    }
  }
  if (dailyLimit !== undefined && sendable > dailyLimit) {
    warnings.push({
      code: 'over_daily_limit',
      message: `${plural(sendable, 'recipient')} but the messaging limit is ${formatCount(dailyLimit)} unique users per 24 hours: about ${plural(sendable - dailyLimit, 'send')} would fail; split the campaign over ${Math.ceil(sendable / dailyLimit)} days`,
    });
  }
  if (spec.category === 'authentication') {
    warnings.push({
      code: 'authentication_ttl',
      message: `authentication messages not delivered within ${spec.ttlSeconds} s are dropped: send codes when users ask for them, not as a bulk campaign`,
    });
  }
  return warnings;
}
