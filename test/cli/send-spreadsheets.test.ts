import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorLogEntry } from '../../src/emulator/emulator-server.js';
import { fixture, run } from '../helpers.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';

const CREDENTIALS = { WA_TOKEN: 'EAAtoken-SECRET-sheets', WA_PHONE_NUMBER_ID: '106540352242922', D360_API_KEY: 'k', TWILIO_ACCOUNT_SID: `AC${'5'.repeat(32)}`, TWILIO_AUTH_TOKEN: 't' };

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** A windows-1252, semicolon-separated CSV whose consent column says `x`, as a European Excel saves it. */
async function excelCampaign() {
  const csv = Buffer.from('phone;opt_in;name\r\n+33612345678;x;Élodie\r\n+33612345679;x;Zoé\r\n+33612345670;;Léa\r\n+3361234;x;Noé\r\n', 'latin1');
  const dir = await fixture({ 'c.csv': csv, 's.yaml': SPEC, 'sup.csv': Buffer.from('phone;raison\r\n+33612345679;demandé\r\n', 'latin1') });
  const log: EmulatorLogEntry[] = [];
  const emulator = await startEmulator({ port: 0, credentials: CREDENTIALS, log: (entry) => log.push(entry), mps: 1000 });
  stops.push(emulator.close);
  const env = { WA_API_URL: emulator.url, WA_TOKEN: CREDENTIALS.WA_TOKEN, WA_PHONE_NUMBER_ID: CREDENTIALS.WA_PHONE_NUMBER_ID };
  const at = (name: string) => path.join(dir, name);
  const send = (...flags: string[]) => run(['send', at('c.csv'), '--template', at('s.yaml'), '--suppress', at('sup.csv'), ...flags], env, dir);
  return { dir, at, log, env, send };
}

describe('send reads spreadsheets as validate does', () => {
  it('--encoding, --delimiter and --opt-in-values: the file as Excel saved it is sent, the suppression list read in the same encoding', async () => {
    const c = await excelCampaign();
    const result = await c.send('--encoding', 'windows-1252', '--delimiter', ';', '--opt-in-values', 'x', '--yes', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 1, rejected: { no_opt_in: 1, suppressed: 1, invalid_number: 1 } });
    expect(c.log.map((entry) => entry.to)).toEqual(['+33612345678']);
    const intent = (await readFile(c.at('c.ledger.jsonl'), 'utf8')).split('\n').map((line) => (line ? JSON.parse(line) : undefined)).find((r) => r?.type === 'intent');
    expect(intent.row.name).toBe('Élodie');
  });

  it('without --encoding a windows-1252 file is exit 2 naming the line and the flag, before any request', async () => {
    const c = await excelCampaign();
    const result = await c.send('--yes');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`wa-broadcast: ${c.at('c.csv')}:2: not UTF-8 text: save as CSV UTF-8, or pass --encoding windows-1252 (or the encoding it was saved in)\n`);
    expect(c.log).toHaveLength(0);
  });

  it('without --opt-in-values no row has consent: nothing is sent', async () => {
    const c = await excelCampaign();
    const result = await c.send('--encoding', 'windows-1252', '--yes', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 0, rejected: { no_opt_in: 3 } });
    expect(c.log).toHaveLength(0);
  });

  it('--rejects writes every rejected row as it was, with line, reason and detail, mode 0600', async () => {
    const c = await excelCampaign();
    const result = await c.send('--encoding', 'windows-1252', '--opt-in-values', 'x', '--rejects', c.at('rejected.csv'), '--yes', '--json');
    expect(result.code).toBe(0);
    const text = await readFile(c.at('rejected.csv'), 'utf8');
    const lines = text.replace(/^\ufeff/, '').trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe('phone;opt_in;name;line;reason;detail');
    expect(lines.slice(1).map((line) => line.split(';').slice(0, 5).join(';'))).toEqual(["'+33612345679;x;Zoé;3;suppressed", "'+33612345670;;Léa;4;no_opt_in", "'+3361234;x;Noé;5;invalid_number"]);
    expect((await stat(c.at('rejected.csv'))).mode & 0o777).toBe(0o600);
  });

  it('--rejects in a folder that does not exist is exit 2 naming it, before any request', async () => {
    const c = await excelCampaign();
    const result = await c.send('--encoding', 'windows-1252', '--opt-in-values', 'x', '--rejects', c.at('nowhere/rejected.csv'), '--yes');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`wa-broadcast: ${c.at('nowhere/rejected.csv')}: the folder ${c.at('nowhere')} does not exist\n`);
    expect(c.log).toHaveLength(0);
  });

  it('the resume command is the command as the user ran it: its flags repeated, no --yes added', async () => {
    const c = await excelCampaign();
    const flags = ['--encoding', 'windows-1252', '--delimiter', ';', '--opt-in-values', 'x,✓', '--rejects', c.at('rejected.csv')];
    const result = await run(['send', c.at('c.csv'), '--template', c.at('s.yaml'), ...flags, '--yes'], { ...c.env, WA_TOKEN: 'EAAwrong-SECRET-token' }, c.dir, { invocation: ['npx', 'wa-broadcast'] });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`resume when fixed: npx wa-broadcast send ${c.at('c.csv')} --template ${c.at('s.yaml')} --encoding windows-1252 --delimiter ';' --opt-in-values 'x,✓' --rejects ${c.at('rejected.csv')} --yes\n`);
    const interactive = await run(['send', c.at('c.csv'), '--template', c.at('s.yaml'), ...flags, '--json'], { ...c.env, WA_TOKEN: 'EAAwrong-SECRET-token' }, c.dir, {
      invocation: ['wa-broadcast'],
      stdinIsTTY: true,
      stdin: answering('y\n'),
    });
    expect(interactive.code).toBe(3);
    expect(interactive.stderr).toMatch(/resume when fixed: wa-broadcast send \S+ --template \S+ --encoding windows-1252 --delimiter ';' --opt-in-values 'x,✓' --rejects \S+ --json\n$/);
  });
});

/** A terminal's input that types `text`. */
function answering(text: string): NodeJS.ReadableStream {
  const input = new PassThrough();
  (input as unknown as { isTTY: boolean }).isTTY = true;
  setImmediate(() => input.write(text));
  return input;
}

