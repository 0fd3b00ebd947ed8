import type { ProviderFamily } from '../codes/error-codes.js';
import type { SecretVariables } from './secret-variables.js';
import type { FactsResult } from './event-facts.js';

/** What the receiver was started with: its secrets by variable name (from the environment) and flags. */
export interface ReceiverContext {
  secrets: Readonly<Record<string, string | undefined>>;
  /** `--allow-unsigned`: accept JSON callbacks without a signature (360dialog does not sign). */
  allowUnsigned: boolean;
}

/** A callback as received, before anything is parsed. */
export interface CallbackRequest {
  /** The raw bytes: signatures are over them. */
  body: Buffer;
  header(name: string): string | undefined;
  /** Path and query as received. */
  url: string;
  /** The URL the sender called (`--public-url` with the request's path and query): what a URL signature covers. */
  publicUrl: string;
}

export type CallbackVerdict =
  /** Store it: `tag` is the events line's `provider`, `path` its `path` (both redacted by the receiver). */
  | { ok: true; tag: string; path: string; idempotencyToken?: string | undefined }
  | { ok: false; status: number; reason: string; detail?: string };

/** One line of an events file as a callback parser reads it. */
export interface StoredCallback {
  raw: string;
  path: string;
  /** When the receiver stored it (ms since the epoch). */
  receivedAt: number;
}

/**
 * Where a provider's status callbacks arrive (a fixed path of the receiver), how they are verified
 * and how reconcile reads them back. Providers whose callbacks are alike share one channel (Cloud
 * API and 360dialog: Meta's JSON on /webhook).
 */
export interface CallbackChannel {
  /** The receiver's path for it (SPEC "Webhook receiver": fixed). */
  readonly path: string;
  /** The code table its failure codes use. */
  readonly family: ProviderFamily;
  /** The `provider` values of the events lines it writes; reconcile reads a line with the channel that owns its tag. */
  readonly tags: readonly string[];
  /** How the payload is encoded, for redacting secrets in it (webhook/redact-payload.ts). */
  readonly format: 'json' | 'form';
  /** The receiver's secrets it uses (a signing secret, a verify token). */
  readonly secrets: SecretVariables;
  /** Why the receiver must not start (a missing signing secret), or undefined. */
  startupProblem?(context: ReceiverContext): string | undefined;
  /** Whether callbacks are accepted at all with this configuration, and a note for the start-up line when they are not (or partly). */
  describe(context: ReceiverContext): { accepting: boolean; note?: string };
  /** A GET on the path: the platform's subscription handshake, where it has one. */
  handshake?(query: URLSearchParams, context: ReceiverContext): { status: number; body: string; log?: string };
  /** A refusal for every callback, decided before the body is read (no secret to check it with). */
  refuseAll?(context: ReceiverContext): { status: number; reason: string } | undefined;
  /** Verifies a callback over its raw bytes, before parsing, and says how to store it. Pure. */
  accept(request: CallbackRequest, context: ReceiverContext): CallbackVerdict;
  /** Reads a stored callback into the facts reconcile folds (the webhook stores them beside `raw`). Pure. */
  facts(event: StoredCallback): FactsResult;
}
