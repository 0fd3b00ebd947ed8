import type { AccountTemplate } from '../template/account-template.js';

/** An answer the emulator sends: the HTTP status and a JSON body. */
export interface EmulatorAnswer {
  status: number;
  body: unknown;
}

export interface EmulatedRequest {
  method: string;
  /** Without the query. */
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string;
}

/**
 * What the emulated account is like, from the scenario: its Marketing Messages API onboarding,
 * whether marketing templates may still go through `/messages`, and its templates' categories.
 */
export interface EmulatedAccount {
  /** `marketing_messages_onboarding_status` (`ONBOARDED`, `ELIGIBLE`, …). */
  onboarding: string;
  /** False: the WABA set disable_marketing_messages_on_cloud_api, and `/messages` answers marketing templates with 131063. */
  marketingOnCloudApi: boolean;
  /** A template's category by name (`marketing`, `utility`, `authentication`); unlisted ones are marketing. */
  categoryOf(name: string): string;
  /** The account's templates (`emulator --templates`): sends are checked against them; none, not checked. */
  templates?: readonly EmulatedTemplate[];
}

export const DEFAULT_ACCOUNT: EmulatedAccount = { onboarding: 'ONBOARDED', marketingOnCloudApi: true, categoryOf: () => 'marketing' };

/** A send request as the emulated platform reads it: refused, or the facts the emulator needs. */
export type EmulatedSend =
  | { ok: false; code: number; answer: EmulatorAnswer }
  | {
      ok: true;
      /** The recipient, E.164. */
      to: string;
      correlationId: string | undefined;
      /** Where this message's status callbacks go, for a provider that takes it per message. */
      statusCallback: string | undefined;
      /** Whose throughput the send counts against (a phone-number id, a sender number). */
      sender: string;
      /** What the status callbacks' pricing says (`marketing_lite` through the Marketing Messages API), where it differs. */
      pricingCategory?: string;
      /** The platform's success answer to this request. */
      answer(accepted: { messageId: string; waId: string; held: boolean; now: number }): EmulatorAnswer;
    };

/** A message the emulator accepted (answered or dropped), for its status callbacks. */
export interface EmulatedMessage {
  /** The provider module's name. */
  provider: string;
  messageId: string;
  to: string;
  waId: string;
  correlationId: string | undefined;
  statusCallback: string | undefined;
  /** The pricing category of its callbacks, when the send said (`marketing_lite`). */
  pricingCategory?: string;
}

/** One status of one message, as the platform reports it. */
export interface PlannedStatus {
  status: 'sent' | 'delivered' | 'read' | 'failed';
  /** The error code of a failed status, in Meta's numbers as scenarios write them. */
  code?: number;
}

/** A status callback the emulator posts. */
export interface OutgoingCallback {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface CallbackContext {
  /** `emulator --webhook-url`: where callbacks go for a platform that posts them to one URL per app (Meta). */
  webhookUrl: string | undefined;
  credentials: Readonly<Record<string, string>>;
  /** When the status happened (ms). */
  at: number;
}

/**
 * A provider's send API in the emulator: the paths, auth checks and answer shapes of the platform.
 * The emulator itself (src/emulator/) keeps what every platform does alike: the per-sender
 * throughput limit, the scenario's outcomes, the request log, the schedule of status callbacks.
 */
export interface EmulatorRoute {
  /** The demo credentials it accepts when the environment sets none: variable → value (not secrets: the README prints them). */
  readonly credentials: Readonly<Record<string, string>>;
  /** The environment that points `send` at an emulator at `url` accepting `credentials`. */
  env(url: string, credentials: Readonly<Record<string, string>>): Record<string, string>;
  /** Whether a request is a send to this provider. */
  matches(method: string, path: string): boolean;
  /**
   * Checks the credentials, then the request, as the platform does (on an account like `account`);
   * when the account has templates, also the template and its parameters, refused with the
   * platform's codes.
   */
  read(request: EmulatedRequest, credentials: Readonly<Record<string, string>>, account?: EmulatedAccount): EmulatedSend;
  /** Answers a request that is not a send (the account's onboarding status), or undefined when it is not this provider's. */
  serve?(request: EmulatedRequest & { query: URLSearchParams }, credentials: Readonly<Record<string, string>>, account: EmulatedAccount): EmulatorAnswer | undefined;
  /** Its template look-up answers (SPEC "Template look-ups"), or undefined when the path is not one of its look-ups. */
  lookup?(request: EmulatedLookup, credentials: Readonly<Record<string, string>>, templates: readonly EmulatedTemplate[]): EmulatorAnswer | undefined;
  /** Whether the platform holds messages for quality assessment (Meta's template pacing) when a scenario says `held`. */
  readonly holds: boolean;
  /** The answer over the sender's throughput. */
  throttled(): { code: number; answer: EmulatorAnswer };
  /** The answer to a second message to one user within 6 s, for a platform that limits it (Meta's 131056). */
  pairRateLimited?(): { code: number; answer: EmulatorAnswer };
  /** The code of a transient failure whose scenario names none. */
  readonly transientCode: number;
  /** The answer for an error code (its HTTP status from src/codes). */
  error(code: number): EmulatorAnswer;
  newMessageId(): string;
  /** The signed callback for one status of an accepted message, or undefined when there is nowhere to send it. */
  statusCallback(message: EmulatedMessage, planned: PlannedStatus, context: CallbackContext): OutgoingCallback | undefined;
}

/**
 * A template the emulated account holds (`emulator --templates`): as Meta's look-up returns it
 * (`meta`, which the 360dialog and Twilio look-ups are written from too), parsed, and the Twilio
 * Content SID it is known by there.
 */
export interface EmulatedTemplate {
  meta: Readonly<Record<string, unknown>>;
  template: AccountTemplate;
  contentSid: string | undefined;
}

/** A GET to a template look-up path. */
export interface EmulatedLookup {
  path: string;
  query: URLSearchParams;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A request header's first value (names in lower case). */
export function headerOf(request: EmulatedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
