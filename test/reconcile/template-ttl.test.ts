import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { CampaignFold } from '../../src/reconcile/fold-campaign.js';
import { parseEventLine } from '../../src/reconcile/parse-event.js';
import { accepted, intent, metaLine, runRecord } from './events.js';

// A message accepted and sent, never delivered; decided 2 h 30 min later.
const SENT_AT = Date.parse('2026-11-17T08:00:01.100Z');
const LATER = SENT_AT + 2.5 * 3600_000;

function decide(run: LedgerRecord) {
  const fold = new CampaignFold();
  for (const record of [run, intent('+447400123456', 'c1'), accepted('+447400123456', 'c1', 'wamid.A')]) fold.addLedgerRecord(record);
  const parsed = parseEventLine(metaLine([{ id: 'wamid.A', status: 'sent', cid: 'c1', ts: Math.floor(SENT_AT / 1000) + 1 }]), new Set());
  if (parsed.ok) for (const signal of parsed.signals) fold.addSignal(signal);
  return fold.decide(LATER)[fold.recipientOf('+447400123456')];
}

describe('reconcile and the template’s own TTL', () => {
  it('the preflight’s template_ttl_seconds (1 h) wins over the spec’s 30 days: past it plus the buffer, SMS fallback', () => {
    expect(decide(runRecord({ category: 'utility', ttl_seconds: 30 * 86400, template_ttl_seconds: 3600 }))).toMatchObject({ list: 'sms_fallback', reason: 'ttl_expired' });
  });

  it('without it, the spec’s TTL: still waiting', () => {
    expect(decide(runRecord({ category: 'utility', ttl_seconds: 30 * 86400 }))).not.toMatchObject({ reason: 'ttl_expired' });
  });

  it('a marketing template’s own TTL only on the Marketing Messages API: through /messages Meta keeps the default, so the spec’s applies', () => {
    expect(decide(runRecord({ category: 'marketing', route: 'messages', ttl_seconds: 30 * 86400, template_ttl_seconds: 3600 }))).not.toMatchObject({ reason: 'ttl_expired' });
    expect(decide(runRecord({ category: 'marketing', route: 'marketing_messages', ttl_seconds: 30 * 86400, template_ttl_seconds: 3600 }))).toMatchObject({ list: 'sms_fallback', reason: 'ttl_expired' });
  });
});
