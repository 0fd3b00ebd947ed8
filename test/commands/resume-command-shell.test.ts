import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorCredentials } from '../../src/emulator/emulator-server.js';
import { loadTemplateCatalog, SAMPLE_TEMPLATES_FILE } from '../../src/emulator/template-catalog.js';
import { shellQuote } from '../../src/invocation.js';
import { fixture, run } from '../helpers.js';

// The resume command send prints is meant to be pasted into a shell: these run it through a real
// one (/bin/sh) and check the arguments that arrive are the ones the user gave.
const sh = (command: string, cwd?: string) => promisify(execFile)('/bin/sh', ['-c', command], { cwd, encoding: 'utf8' });
const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const CREDENTIALS: EmulatorCredentials = {
  WA_TOKEN: 'EAAtoken-SECRET-resume',
  WA_PHONE_NUMBER_ID: '106540352242922',
  D360_API_KEY: 'k',
  TWILIO_ACCOUNT_SID: `AC${'5'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 't',
};
/** What a shell must take literally: spaces, both quotes, $ and $(…), backticks, globs, a backslash, a newline, a leading dash. */
const HOSTILE = ["it's a \"$HOME\" `touch pwned-backtick` $(touch pwned-dollar) *.csv \\ dir", 'spring\nsale; rm -rf ~ &'];

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

describe('shellQuote through /bin/sh', () => {
  it('any word arrives as it was, whatever it holds', async () => {
    const chars = fc.constantFrom("'", '"', '$', '`', '\\', ' ', '\n', '\t', '*', '?', '~', '#', ';', '&', '|', '<', '>', '(', ')', '{', '}', '!', '=', '-', '%', 'a', 'é', '✓');
    const words = fc.array(fc.oneof(fc.string({ unit: chars }), fc.string({ unit: 'grapheme' })), { minLength: 1, maxLength: 200 });
    const [sample] = fc.sample(words.map((w) => w.map((word) => word.replace(/\0/g, ''))), { seed: 16, numRuns: 1 });
    const all = [...sample!, ...HOSTILE, '', '-n', "'", "''", 'plain-word', '~/x', 'a=b'];
    // One shell for all of them: printf writes each argument it received, NUL-terminated.
    const { stdout } = await sh(`printf '%s\\0' ${all.map(shellQuote).join(' ')}`);
    expect(stdout.split('\0').slice(0, -1)).toEqual(all);
  });

  it('leaves a safe word bare and quotes anything else', () => {
    expect(['send', 'a/b.csv', '--mps=80', 'x@y%z+1:2,3', '', 'two words', '$HOME', 'a`b`', '~', '*']
      .map(shellQuote)).toEqual(['send', 'a/b.csv', '--mps=80', 'x@y%z+1:2,3', "''", "'two words'", "'$HOME'", "'a`b`'", "'~'", "'*'"]);
  });
});

describe('the resume command send prints', () => {
  it('pasted into a shell, runs the same command with the same arguments, however hostile its file names', async () => {
    const emulator = await startEmulator({ port: 0, credentials: CREDENTIALS, log: () => {}, mps: 1000, templates: await loadTemplateCatalog(SAMPLE_TEMPLATES_FILE) });
    stops.push(emulator.close);
    const root = await fixture({});
    const dir = path.join(root, HOSTILE[0]!);
    await mkdir(dir);
    const csv = path.join(dir, `${HOSTILE[1]}.csv`);
    const template = path.join(dir, "spring 'sale' $x.yaml");
    await copyFile(path.join(SAMPLES, 'campaign.csv'), csv);
    await copyFile(path.join(SAMPLES, 'spring-sale.yaml'), template);
    // The "tool" the pasted command starts: a script (in a folder as hostile) that prints its arguments
    // (CommonJS: Node refuses an ES module entry whose path holds a backslash).
    const printer = path.join(dir, 'print $argv `x`.cjs');
    await writeFile(printer, 'process.stdout.write(JSON.stringify(process.argv.slice(2)));\n');
    const argv = ['send', csv, '--template', template, '--opt-in-values', "yes,it's ✓", '--ledger', path.join(dir, 'my $ledger.jsonl'), '--yes'];
    // A bad token: the campaign stops at once, and says how to resume.
    const env = { WA_API_URL: emulator.url, WA_TOKEN: 'EAAwrong-SECRET-token', WA_PHONE_NUMBER_ID: CREDENTIALS.WA_PHONE_NUMBER_ID };
    const result = await run(argv, env, root, { invocation: [process.execPath, printer] });
    expect(result.code).toBe(3);
    const command = /resume when fixed: (.*)\n$/s.exec(result.stderr)?.[1];
    expect(command?.startsWith(shellQuote(process.execPath))).toBe(true);

    const { stdout } = await sh(command!, root);
    expect(JSON.parse(stdout)).toEqual(argv);
    // Nothing in a name was run as a command.
    expect((await readdir(root)).sort()).toEqual([HOSTILE[0]]);
    expect((await readdir(dir)).filter((name) => name.startsWith('pwned'))).toEqual([]);
  });
});
