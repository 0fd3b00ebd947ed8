import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import type { PlannedStatus } from '../providers/emulator-route.js';
import { providerModule } from '../providers/index.js';
import type { AcceptedMessage, EmulatorCredentials } from './emulator-server.js';
import { ruleFor, type Scenario } from './scenario.js';

export type { PlannedStatus } from '../providers/emulator-route.js';

export interface CallbackOptions {
  /**
   * Where callbacks go for a platform that posts them to one URL per app (Meta's: Cloud API and
   * 360dialog), e.g. http://127.0.0.1:8090/webhook. Twilio's go to each message's StatusCallback.
   */
  webhookUrl: string | undefined;
  /** The emulator's credentials: the secrets callbacks are signed with (WA_APP_SECRET, TWILIO_AUTH_TOKEN) among them. */
  credentials: EmulatorCredentials;
  scenario: Scenario;
  /** Milliseconds between a message's statuses. */
  stepMs?: number;
  /** The clock the statuses are spaced, retried and dated by (default: the system's; tests: a manual one). */
  clock?: Clock;
  /** A number in [0, 1) for the shuffled order (default: crypto's; tests: a seeded one). */
  random?: () => number;
  log?: (line: string) => void;
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

/**
 * Posts signed status callbacks for accepted messages, like the real platforms: at least once
 * and not always in order (with `duplicates` and `shuffle` in the scenario), retried a few times
 * when the receiver does not answer 200. Each provider's route shapes and signs its own.
 */
export function statusCallbacks(options: CallbackOptions) {
  const step = options.stepMs ?? 50;
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? (() => randomBytes(4).readUInt32BE() / 2 ** 32);
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
      await clock.sleep(200 * 2 ** attempt);
    }
  };

  const send = (message: AcceptedMessage, planned: PlannedStatus) => {
    const route = providerModule(message.provider)?.emulator;
    const callback = route?.statusCallback(message, planned, { webhookUrl: options.webhookUrl, credentials: options.credentials, at: clock.date().getTime() });
    if (callback) track(deliver(callback.url, callback.body, callback.headers));
  };

  const track = (promise: Promise<void>) => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  };

  return {
    /** Schedules the statuses of a message the emulator accepted. */
    onAccepted(message: AcceptedMessage): void {
      const statuses = plannedStatuses(options.scenario, message.to);
      const order = options.scenario.shuffleCallbacks ? shuffled(statuses, random) : statuses;
      order.forEach((planned, i) => {
        scheduled++;
        void clock.sleep(step * (i + 1)).then(() => {
          scheduled--;
          send(message, planned);
          if (options.scenario.duplicateCallbacks) send(message, planned);
          onIdle?.();
        });
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

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
