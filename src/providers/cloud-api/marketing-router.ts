import { answerMeaning, type SendRoute } from '../../codes/error-codes.js';
import type { Outcome } from '../provider.js';

import type { MarketingApiPolicy } from '../marketing-api-policy.js';

export type MetaRoute = Extract<SendRoute, 'messages' | 'marketing_messages'>;

const WRONG_ROUTE_FIX: Record<MetaRoute, string> = {
  marketing_messages:
    'this account sends marketing templates only through the Marketing Messages API (disable_marketing_messages_on_cloud_api is on): send with --marketing-api auto or always, or turn the setting off',
  messages: 'the Marketing Messages API refused this template as not a marketing template: check its category in WhatsApp Manager, or send with --marketing-api auto (which sends it through /messages)',
};

/**
 * Which API a Meta-shaped provider (Cloud API, 360dialog) sends the campaign's messages through,
 * and the one switch an answer may ask for: 131063 (marketing must go through the Marketing
 * Messages API) moves a marketing campaign to `/marketing_messages`, 131055 / 134100 (the MM API
 * takes marketing templates only) move it to `/messages`. The switch happens once per run and is
 * announced; the refused message is retried in the run (it was not sent). Where `--marketing-api`
 * forbids the switch, or a second switch is asked for, the campaign stops (exit 3).
 */
export class MarketingRouter {
  private current: MetaRoute;
  private switched = false;

  constructor(
    initial: MetaRoute,
    private readonly policy: MarketingApiPolicy,
    private readonly marketing: boolean,
    private readonly notice: (line: string) => void = () => undefined,
  ) {
    this.current = initial;
  }

  get route(): MetaRoute {
    return this.current;
  }

  /** Sets the route before the first message (once the onboarding is read). */
  start(route: MetaRoute): void {
    this.current = route;
  }

  /**
   * The outcome of an error answer whose code says the route is wrong (its class route_marketing
   * or route_messages), or undefined for any other code.
   */
  wrongRoute(code: number, title: string): Outcome | undefined {
    const errorClass = answerMeaning('meta', code, this.current)?.class;
    if (errorClass !== 'route_marketing' && errorClass !== 'route_messages') return undefined;
    const target: MetaRoute = errorClass === 'route_marketing' ? 'marketing_messages' : 'messages';
    const text = String(code);
    // Answers to requests that left before the switch: sent again, on the new route.
    if (this.switched && this.current === target) return { kind: 'transient', code: text, title, retryDelayMs: 0 };
    const allowed = !this.switched && this.current !== target && (target === 'marketing_messages' ? this.marketing && this.policy !== 'never' : this.policy === 'auto');
    if (!allowed) return { kind: 'stop', code: text, title, fix: WRONG_ROUTE_FIX[target] };
    this.current = target;
    this.switched = true;
    this.notice(`! ${code} ${title}: sending the rest of this campaign through /${target} (switched once for this run)`);
    return { kind: 'transient', code: text, title, retryDelayMs: 0 };
  }
}
