import type { Command } from 'commander';
import type { Io } from '../io.js';
import { PROVIDER_NAMES } from '../providers/index.js';
import { choiceOption } from './options.js';
import type { PullFlags, TemplatesFlags } from './templates-flags.js';

/** `templates` (the account's templates) and `templates pull` (a spec for one of them). */
export function registerTemplates(program: Command, io: Io, cwd: string): void {
  const providerOption = ['--provider <name>', `${PROVIDER_NAMES.join(' | ')}`, choiceOption(PROVIDER_NAMES), 'cloud'] as const;
  const templates = program
    .command('templates')
    .description("list the account's templates as WhatsApp Manager, 360dialog or Twilio Content hold them (name, language, category, status, quality, parameters)")
    .option(...providerOption)
    .option('--json', 'print one JSON object on stdout')
    .option('--allow-insecure-http', 'allow a plain http:// base URL to another machine')
    // The look-ups and got load only when the command runs: every other command starts as small as before.
    .action(async (flags: TemplatesFlags) => (await import('./templates-action.js')).listTemplates(flags, io, cwd));

  templates
    .command('pull')
    .description('write a ready template spec for one of the account’s templates: {{column}} placeholders, the approved examples as comments, category and TTL')
    .argument('<name>', 'the template’s name, as in WhatsApp Manager (--provider and --allow-insecure-http as for templates)')
    .requiredOption('--language <code>', 'its language, e.g. en_GB')
    .option('--out <spec>', 'write the spec to this file (default: stdout)')
    .option('--force', 'replace --out when it exists')
    // --provider and --allow-insecure-http are the parent's (`templates pull x --provider twilio` sets them there).
    .action(async (name: string, _own: unknown, command: Command) => {
      return (await import('./templates-action.js')).pullTemplate(name, command.optsWithGlobals<PullFlags>(), io, cwd);
    });
}
