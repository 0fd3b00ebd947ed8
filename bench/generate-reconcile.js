// Writes a campaign's ledger (one intent with its row and one accepted outcome per recipient) and
// an events file as `webhook` writes it (Meta-shaped statuses, three per recipient: sent, then
// delivered and read, or a failure and a duplicate), for the reconcile benchmark. Each events
// line is made by the webhook's own withFacts (from the build: `npm run build` first), or, with
// `raw-only`, as webhooks before it wrote them (no `facts`).
//
//   node bench/generate-reconcile.js <dir> <recipients> [raw-only]
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { channelOfTag } from '../dist/providers/index.js';
import { withFacts } from '../dist/webhook/with-facts.js';

const T0 = Date.parse('2026-11-17T08:00:00Z');

function writer(file) {
  const fd = openSync(file, 'w', 0o600);
  let chunk = [];
  return {
    line(text) {
      chunk.push(text);
      if (chunk.length >= 5000) this.flush();
    },
    flush() {
      if (chunk.length) writeSync(fd, chunk.join('\n') + '\n');
      chunk = [];
    },
    close() {
      this.flush();
      closeSync(fd);
    },
  };
}

const phoneOf = (i) => `+4474${String(i).padStart(8, '0')}`;

const META = channelOfTag('meta');

function event(i, status, code, seconds, rawOnly) {
  const s = {
    id: `wamid.HBgLNDQ3NDAwMTIzNDU2FQIAERgSQ0FG${String(i).padStart(10, '0')}AA==`,
    status,
    timestamp: String(seconds),
    recipient_id: phoneOf(i).slice(1),
    biz_opaque_callback_data: `bench01-${i + 2}-1`,
  };
  if (status === 'failed') s.errors = [{ code, title: 't', message: 't', error_data: { details: 't' }, href: '/documentation/business-messaging/whatsapp/support/error-codes' }];
  else if (status !== 'read') s.pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' };
  const raw = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' }, statuses: [s] }, field: 'messages' }] }],
  });
  const record = { type: 'event', received_at: new Date(seconds * 1000 + 150).toISOString(), provider: 'meta', path: '/webhook', raw };
  return JSON.stringify(rawOnly ? record : withFacts(META, record));
}

/** `rawOnly`: the events as webhooks before `facts` wrote them. */
export function generateReconcile(dir, recipients, rawOnly = false) {
  const ledger = writer(path.join(dir, 'bench.ledger.jsonl'));
  ledger.line(JSON.stringify({ type: 'run', v: 1, run: 'bench01', at: new Date(T0).toISOString(), pid: 1, provider: 'cloud', mps: 1000, csv: 'bench.csv', csv_sha256: 'x', template: 'bench.yaml', template_sha256: 'y', template_name: 'spring_sale', language: 'en_GB', category: 'marketing', ttl_seconds: 2592000, phone_column: 'phone', opt_in_column: 'opt_in' }));
  for (let i = 0; i < recipients; i++) {
    const phone = phoneOf(i);
    const at = new Date(T0 + i).toISOString();
    const cid = `bench01-${i + 2}-1`;
    ledger.line(JSON.stringify({ type: 'intent', at, cid, phone, line: i + 2, attempt: 1, row: { phone, opt_in: 'yes', first_name: `Name${i}`, discount: '20%', code: `SPRING-${i}` } }));
    ledger.line(JSON.stringify({ type: 'outcome', at, cid, phone, outcome: 'accepted', message_id: `wamid.HBgLNDQ3NDAwMTIzNDU2FQIAERgSQ0FG${String(i).padStart(10, '0')}AA==`, wa_id: phone.slice(1), status: 'accepted' }));
  }
  ledger.close();
  const events = writer(path.join(dir, 'bench.events.jsonl'));
  const second = Math.floor(T0 / 1000);
  // Three waves, as callbacks arrive: every `sent`, then the second status, then the third.
  for (let wave = 0; wave < 3; wave++) {
    for (let i = 0; i < recipients; i++) {
      const t = second + wave * 60 + Math.floor(i / 1000);
      if (wave === 0) events.line(event(i, 'sent', 0, t, rawOnly));
      else if (i % 20 === 0) events.line(event(i, 'failed', 131049, t, rawOnly));
      else if (i % 20 === 1) events.line(event(i, 'failed', 131026, t, rawOnly));
      else events.line(event(i, wave === 1 ? 'delivered' : 'read', 0, t, rawOnly));
    }
  }
  events.close();
  return { ledger: path.join(dir, 'bench.ledger.jsonl'), events: path.join(dir, 'bench.events.jsonl'), records: 1 + 2 * recipients + 3 * recipients };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, recipients, format] = process.argv.slice(2);
  console.log(generateReconcile(dir, Number(recipients), format === 'raw-only'));
}
