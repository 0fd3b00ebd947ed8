import type { ProviderFamily } from '../codes/error-codes.js';
import type { MarketingApiPolicy } from './marketing-api-policy.js';
import type { TemplateSpec } from '../template/template-spec.js';
import type { CallbackChannel } from './callback-channel.js';
import type { EmulatorRoute } from './emulator-route.js';
import type { Provider } from './provider.js';
import type { SecretVariables } from './secret-variables.js';
import type { TemplateLookupModule } from './template-lookup.js';

export interface ProviderSetupOptions {
  /** Allow plain http:// to a host other than this machine. */
  allowInsecureHttp: boolean;
  /** Where the provider should post status callbacks, for a provider that takes it per message (Twilio's StatusCallback). */
  statusCallbackUrl: string | undefined;
  /** For --dry-run: stand-ins for missing credentials instead of an error. */
  placeholders: boolean;
  /** `send --marketing-api` (default auto): which API a marketing template goes through, where the provider has a choice. */
  marketingApi?: MarketingApiPolicy;
  /** One line for the user (a route chosen or switched); default: nowhere. */
  notice?: (line: string) => void;
}

export interface ProviderSetup {
  provider: Provider;
  baseUrl: string;
  /** Who the messages come from, for the confirmation (`phone-number id 1065…`, `from whatsapp:+1555…`); not a secret. */
  sender?: string | undefined;
  /** Removes every credential of this provider from text, in any encoding they travel in. */
  redact: (text: string) => string;
  /** One-line warnings about the configuration, for the user before anything is sent. */
  warnings?: string[];
  /**
   * What must be asked of the provider before the first message (the Marketing Messages API's
   * onboarding): resolves once done; a ProviderStopError or ConfigError when the run cannot go on.
   */
  prepare?: () => Promise<void>;
}

/**
 * Everything that differs between providers, behind one object per provider folder
 * (src/providers/<name>/index.ts), registered with one line in src/providers/index.ts. The
 * pipeline, the webhook receiver, reconcile and the emulator ask the registry; none of them names
 * a provider.
 */
export interface ProviderModule {
  /** `--provider <name>`, and the `provider` of the ledger's run records. */
  readonly name: string;
  /** The code table (src/codes/) its answers and callbacks use. */
  readonly family: ProviderFamily;
  /** The credentials it reads from the environment. */
  readonly secrets: SecretVariables;
  /**
   * Its configuration from the environment (credentials, base URL) and the template spec: a
   * provider whose `buildRequest` and `parseResponse` are pure, and the redactor of its
   * credentials. Missing or unsafe configuration is a ConfigError naming the variables.
   */
  fromEnv(env: NodeJS.ProcessEnv, spec: TemplateSpec, options: ProviderSetupOptions): ProviderSetup;
  /** Where its status callbacks arrive, how they are verified and read (shared by providers whose callbacks are alike). */
  readonly callbacks: CallbackChannel;
  /** Its send API in the emulator, and the status callbacks the emulator posts for it. */
  readonly emulator: EmulatorRoute;
  /**
   * How it reads the account's templates (SPEC "Template look-ups"): for the preflight before
   * `send`, `validate --online` and `templates`. A provider without one is sent to unchecked, with
   * a line saying so.
   */
  readonly templates?: TemplateLookupModule;
}
