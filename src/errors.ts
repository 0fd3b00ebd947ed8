/**
 * The run-level error vocabulary. Per-recipient results are values, never errors; these are the
 * failures that stop a command. Each carries a stable `code`, and only `main` turns them into exit
 * codes (see SPEC.md "Exit codes").
 */

/** Where in an input file a problem is: printed as `file:line:` in front of the message. */
export interface Location {
  file: string;
  line?: number;
}

export abstract class WaError extends Error {
  abstract readonly code: string;
  readonly location: Location | undefined;

  constructor(message: string, location?: Location, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.location = location;
  }
}

/** Bad flags or arguments: exit 2. */
export class UsageError extends WaError {
  readonly code = 'USAGE';
}

/** An input file that cannot be used as it is (CSV, template spec, suppression list): exit 2. */
export class InputError extends WaError {
  readonly code = 'INPUT';
}

/** Missing or unusable configuration (credentials, base URLs): exit 2. */
export class ConfigError extends WaError {
  readonly code = 'CONFIG';
}

/** Formats `file:line: message` (or `file: message`, or just the message). */
export function formatLocated(message: string, location: Location | undefined): string {
  if (!location) return message;
  return location.line === undefined ? `${location.file}: ${message}` : `${location.file}:${location.line}: ${message}`;
}

/** The provider answered something that would fail every recipient; `send` stopped: exit 3. */
export class ProviderStopError extends WaError {
  readonly code = 'PROVIDER_STOP';
}

/** Ctrl-C or SIGTERM: in-flight requests finished and the ledger is flushed: exit 130. */
export class InterruptedError extends WaError {
  readonly code = 'INTERRUPTED';
}

/** The ledger could not be written: nothing more was sent: exit 1. */
export class LedgerError extends WaError {
  readonly code = 'LEDGER';
}

/**
 * A file could not be written or made durable (a full disk, an I/O error): exit 1. The location
 * names the file; the message says what was kept.
 */
export class WriteError extends WaError {
  readonly code = 'WRITE';
}
