import { randomBytes, randomUUID } from 'node:crypto';
import { lookupCode } from '../codes/error-codes.js';
import { escapeNonAscii, metaSignature, twilioSignature } from '../webhook/signatures.js';
import type { AcceptedMessage } from './emulator-server.js';
import { ruleFor, type Scenario } from './scenario.js';

/** The app secret the emulator signs with when WA_APP_SECRET is not set (a demo value, not a secret). */
export const DEFAULT_APP_SECRET = 'emulator-app-secret';

export interface CallbackOptions {
  /** Where Meta-shaped callbacks go (Cloud API and 360dialog), e.g. http://127.0.0.1:8090/webhook. */
  webhookUrl: string | undefined;
  /** Signs Meta-shaped callbacks (X-Hub-Signature-256). */
  appSecret: string;
  /** Signs Twilio callbacks (X-Twilio-Signature), sent to each message's StatusCallback URL. */
  twilioAuthToken: string;
  twilioAccountSid: string;
  phoneNumberId: string;
  scenario: Scenario;
  /** Milliseconds between a message's statuses. */
  stepMs?: number;
  log?: (line: string) => void;
}

/** One status of one message, as the platform reports it. */
export interface PlannedStatus {
  status: 'sent' | 'delivered' | 'read' | 'failed';
  /** The error code of a failed status. */
  code?: number;
}

/**
 * The statuses the platform would report for an accepted message (pure). Failures that matter to
 * reconcile arrive here, not in the send answer: a rule with `callback: failed` and a `code`
 * (131026, 131049, 130472, 131050, 132015…) gives `sent` then `failed`; everyone else gets
 * `sent`, `delivered`, `read`.
 */
export function plannedStatuses(scenario: Scenario, to: string): PlannedStatus[] {
  const rule = ruleFor(scenario, to);
  if (rule?.callback === 'failed') return [{ status: 'sent' }, { status: 'failed', code: rule.callbackCode ?? 131026 }];
  if (rule?.callback === 'none') return [];
  return [{ status: 'sent' }, { status: 'delivered' }, { status: 'read' }];
}

/** Twilio's numbers for the Meta failures it passes on (api-facts.md §2.2). */
const TWILIO_FOR_META = new Map<number, number>([[131026, 63024], [131049, 63049], [130472, 63032], [131050, 21610], [132015, 63016]]);

/**
 * Posts signed status callbacks for accepted messages, like the real platforms: at least once
 * and not always in order (with `duplicates` and `shuffle` in the scenario), retried a few times
 * when the receiver does not answer 200.
 */
export function statusCallbacks(options: CallbackOptions) {
  const step = options.stepMs ?? 50;
  const log = options.log ?? (() => undefined);
  const pending = new Set<Promise<void>>();
  // Statuses scheduled but not yet sent; drain() waits for them too.
  let scheduled = 0;
  let onIdle: (() => void) | undefined;

  const deliver = async (url: string, body: string, headers: Record<string, string>) => {
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const res = await fetch(url, { method: 'POST', body, headers });
        await res.arrayBuffer();
        if (res.status === 200) return;
        log(`emulator: callback to ${url} answered ${res.status}`);
      } catch (error) {
        log(`emulator: callback to ${url} failed: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  };

  const metaPayload = (message: AcceptedMessage, planned: PlannedStatus, at: number) => {
    const status: Record<string, unknown> = {
      id: message.messageId,
      status: planned.status,
      timestamp: String(Math.floor(at / 1000)),
      recipient_id: message.waId,
      ...(message.correlationId ? { biz_opaque_callback_data: message.correlationId } : {}),
    };
    if (planned.status === 'failed') {
      const title = lookupCode('meta', planned.code!)?.title ?? 'Error';
      status.errors = [{ code: planned.code, title, message: title, error_data: { details: title }, href: '/documentation/business-messaging/whatsapp/support/error-codes' }];
    } else if (planned.status !== 'read') {
      status.pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' };
    }
    // Meta sends its JSON with non-ASCII characters escaped, and signs exactly those bytes.
    return escapeNonAscii(
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: 'emulator-waba', changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: options.phoneNumberId }, statuses: [status] }, field: 'messages' }] }],
      }),
    );
  };

  const twilioForm = (message: AcceptedMessage, planned: PlannedStatus) => {
    const status = planned.status === 'failed' ? 'undelivered' : planned.status;
    const form = new URLSearchParams({
      AccountSid: options.twilioAccountSid,
      ApiVersion: '2010-04-01',
      ChannelPrefix: 'whatsapp',
      From: 'whatsapp:+15550000000',
      MessageSid: message.messageId,
      MessageStatus: status,
      SmsSid: message.messageId,
      SmsStatus: status,
      To: `whatsapp:${message.to}`,
    });
    if (planned.status === 'failed') form.set('ErrorCode', String(TWILIO_FOR_META.get(planned.code!) ?? planned.code));
    return form;
  };

  const send = (message: AcceptedMessage, planned: PlannedStatus) => {
    const at = Date.now();
    if (message.provider === 'twilio') {
      if (!message.statusCallback) return;
      const form = twilioForm(message, planned);
      const headers = {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(message.statusCallback, form, options.twilioAuthToken),
        'i-twilio-idempotency-token': randomUUID(),
      };
      track(deliver(message.statusCallback, form.toString(), headers));
      return;
    }
    if (!options.webhookUrl) return;
    const body = metaPayload(message, planned, at);
    track(deliver(options.webhookUrl, body, { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body, options.appSecret) }));
  };

  const track = (promise: Promise<void>) => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  };

  return {
    /** Schedules the statuses of a message the emulator accepted. */
    onAccepted(message: AcceptedMessage): void {
      const statuses = plannedStatuses(options.scenario, message.to);
      const order = options.scenario.shuffleCallbacks ? shuffled(statuses) : statuses;
      order.forEach((planned, i) => {
        scheduled++;
        setTimeout(() => {
          scheduled--;
          send(message, planned);
          if (options.scenario.duplicateCallbacks) send(message, planned);
          onIdle?.();
        }, step * (i + 1));
      });
    },
    /** Resolves when every status scheduled so far has been delivered (or given up on). */
    async drain(): Promise<void> {
      for (;;) {
        if (pending.size > 0) await Promise.all(pending);
        else if (scheduled > 0) await new Promise<void>((resolve) => (onIdle = resolve));
        else return;
      }
    },
  };
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomBytes(1)[0]! % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
