import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerEmulator } from './commands/emulator.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerSend } from './commands/send.js';
import { registerTemplates } from './commands/templates.js';
import { registerValidate } from './commands/validate.js';
import { registerWebhook } from './commands/webhook.js';
import { ConfigError, InputError, InterruptedError, LedgerError, ProviderStopError, UsageError, WaError, WriteError, formatLocated } from './errors.js';
import { processIo, type Io } from './io.js';

/** Exit codes fixed by SPEC.md. */
export const EXIT = { ok: 0, unexpected: 1, badInput: 2, stopped: 3, interrupted: 130 } as const;

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * Runs one command line and returns its exit code. The only place that turns results and errors
 * into exit codes; nothing below it calls process.exit.
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io, argv);
  if (argv.length === 0) {
    io.stderr.write(program.helpInformation());
    return EXIT.badInput;
  }
  let code: number;
  try {
    await program.parseAsync(argv, { from: 'user' });
    code = EXIT.ok;
  } catch (error) {
    code = reportError(error, io);
  }
  // A failed write to stdout is reported a tick later: wait for it before saying all went well.
  await new Promise((resolve) => setImmediate(resolve));
  const lost = io.outputFailure?.();
  if (lost && code === EXIT.ok) {
    io.stderr.write(`wa-broadcast: the output could not be written (${lost})\n`);
    return EXIT.unexpected;
  }
  return code;
}

function buildProgram(io: Io, argv: readonly string[]): Command {
  const program = new Command('wa-broadcast')
    .description('Send WhatsApp template campaigns: validated, paced, resumable, reconciled.')
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`wa-broadcast: ${text.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError();
  const cwd = io.cwd ?? process.cwd();
  registerValidate(program, io, cwd);
  registerSend(program, io, { interactive: io.stdinIsTTY === true, cwd, commandLine: [...(io.invocation ?? ['wa-broadcast']), ...argv] });
  registerReconcile(program, io);
  registerTemplates(program, io, cwd);
  registerEmulator(program, io, cwd);
  registerWebhook(program, io, cwd);
  for (const command of program.commands) {
    command.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

function reportError(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message; help and --version are not failures.
    return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  }
  if (error instanceof UsageError || error instanceof InputError || error instanceof ConfigError) {
    io.stderr.write(`wa-broadcast: ${formatLocated(error.message, error.location)}\n`);
    return EXIT.badInput;
  }
  if (error instanceof ProviderStopError) {
    io.stderr.write(`wa-broadcast: ${error.message}\n`);
    return EXIT.stopped;
  }
  if (error instanceof InterruptedError) {
    io.stderr.write(`wa-broadcast: ${error.message}\n`);
    return EXIT.interrupted;
  }
  if (error instanceof LedgerError || error instanceof WriteError) {
    // A full disk or a failing one: the message names the file and says what was kept.
    io.stderr.write(`wa-broadcast: ${formatLocated(error.message, error.location)}\n`);
    return EXIT.unexpected;
  }
  if (error instanceof WaError) {
    io.stderr.write(`wa-broadcast: ${formatLocated(error.message, error.location)}\n`);
    return EXIT.unexpected;
  }
  // A bug or an I/O failure: one line for the user, the stack only when asked for.
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`wa-broadcast: unexpected error: ${message.split('\n')[0]}\n`);
  if (io.env.WA_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return EXIT.unexpected;
}
