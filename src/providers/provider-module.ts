import type { ProviderFamily } from '../codes/error-codes.js';
import type { TemplateSpec } from '../template/template-spec.js';
import type { CallbackChannel } from './callback-channel.js';
import type { EmulatorRoute } from './emulator-route.js';
import type { Provider } from './provider.js';
import type { SecretVariables } from './secret-variables.js';

export interface ProviderSetupOptions {
  /** Allow plain http:// to a host other than this machine. */
  allowInsecureHttp: boolean;
  /** Where the provider should post status callbacks, for a provider that takes it per message (Twilio's StatusCallback). */
  statusCallbackUrl: string | undefined;
  /** For --dry-run: stand-ins for missing credentials instead of an error. */
  placeholders: boolean;
}

export interface ProviderSetup {
  provider: Provider;
  baseUrl: string;
  /** Who the messages come from, for the confirmation (`phone-number id 1065…`, `from whatsapp:+1555…`); not a secret. */
  sender?: string | undefined;
  /** Removes every credential of this provider from text, in any encoding they travel in. */
  redact: (text: string) => string;
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
}
