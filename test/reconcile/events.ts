// Event lines as `webhook` writes them, for reconcile's tests.
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';

export const RECEIVED = '2026-11-17T08:05:00.000Z';

export interface MetaStatus {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  cid?: string;
  code?: number;
  /** Unix seconds. */
  ts?: number;
  recipient?: string;
}

export function metaLine(statuses: MetaStatus[], receivedAt = RECEIVED): string {
  const raw = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              statuses: statuses.map((s) => ({
                id: s.id,
                status: s.status,
                timestamp: String(s.ts ?? 1795000000),
                recipient_id: s.recipient ?? '447400123456',
                ...(s.cid ? { biz_opaque_callback_data: s.cid } : {}),
                ...(s.status === 'failed' ? { errors: [{ code: s.code, title: 't', message: 't', error_data: { details: 't' } }] } : {}),
              })),
            },
          },
        ],
      },
    ],
  });
  return JSON.stringify({ type: 'event', received_at: receivedAt, provider: 'meta', path: '/webhook', raw });
}

export function metaValueLine(value: Record<string, unknown>, receivedAt = RECEIVED): string {
  const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', ...value } }] }] });
  return JSON.stringify({ type: 'event', received_at: receivedAt, provider: 'meta', path: '/webhook', raw });
}

export function twilioLine(form: Record<string, string>, cid?: string, receivedAt = RECEIVED): string {
  return JSON.stringify({
    type: 'event',
    received_at: receivedAt,
    provider: 'twilio',
    path: cid ? `/twilio/status?cid=${encodeURIComponent(cid)}` : '/twilio/status',
    raw: new URLSearchParams(form).toString(),
  });
}

/** A run header as send writes it. */
export function runRecord(overrides: Partial<Extract<LedgerRecord, { type: 'run' }>> = {}): LedgerRecord {
  return {
    type: 'run',
    v: 1,
    run: 'r1',
    at: '2026-11-17T08:00:00.000Z',
    pid: 1,
    provider: 'cloud',
    mps: 80,
    csv: 'campaign.csv',
    csv_sha256: 'x',
    template: 'offer.yaml',
    template_sha256: 'y',
    template_name: 'offer',
    language: 'en',
    category: 'marketing',
    ttl_seconds: 2592000,
    phone_column: 'phone',
    opt_in_column: 'opt_in',
    ...overrides,
  };
}

export function intent(phone: string, cid: string, attempt = 1, row?: Record<string, string>, at = '2026-11-17T08:00:01.000Z'): LedgerRecord {
  return { type: 'intent', at, cid, phone, line: 2, attempt, ...(row ? { row } : {}) };
}

export function accepted(phone: string, cid: string, messageId: string, waId?: string, at = '2026-11-17T08:00:01.100Z'): LedgerRecord {
  return { type: 'outcome', at, cid, phone, outcome: 'accepted', message_id: messageId, wa_id: waId ?? phone.slice(1), status: 'accepted' };
}

export function outcome(phone: string, cid: string, state: 'failed' | 'in_doubt' | 'retry', code: string, errorClass?: string, at = '2026-11-17T08:00:01.100Z'): LedgerRecord {
  return { type: 'outcome', at, cid, phone, outcome: state, code, title: 't', ...(errorClass ? { class: errorClass } : {}) };
}

export function jsonl(records: (LedgerRecord | string)[]): string {
  return records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
}
