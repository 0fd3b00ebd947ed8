import { execFileSync } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';


/** Every failure is one line, `wa-broadcast: …`, with no stack trace. */
function expectOneLine(stderr: string, text: string) {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr.startsWith(`wa-broadcast: ${text}`)).toBe(true);
  expect(stderr).not.toMatch(/\n\s+at /);
}

async function campaign(csv: string | Buffer, spec = SPEC, extra: Record<string, string | Buffer> = {}) {
  const dir = await fixture({ 'c.csv': csv, 's.yaml': spec, ...extra });
  const at = (name: string) => path.join(dir, name);
  const validate = (...flags: string[]) => run(['validate', at('c.csv'), '--template', at('s.yaml'), ...flags]);
  return { dir, at, csv: at('c.csv'), spec: at('s.yaml'), validate };
}

const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

describe('spreadsheets as they are saved', () => {
  it('reads a semicolon CSV from Excel in a European locale, and a semicolon suppression list', async () => {
    const c = await campaign('phone;opt_in;name\r\n+49 151 23456789;yes;Jürgen\r\n+33 6 12 34 56 78;yes;"Dupont; Élodie"\r\n', SPEC, {
      'sup.csv': 'phone;reason\n+33612345678;asked\n',
    });
    const human = await c.validate('--suppress', c.at('sup.csv'));
    expect(human.stderr).toBe('');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`${c.csv}: 2 rows (semicolon-separated), 1 sendable with hello`);
    expect(human.stdout).toContain(`${c.csv}:3: suppressed`);
    const json = JSON.parse((await c.validate('--json')).stdout);
    expect(json).toMatchObject({ rows: 2, sendable: 2, dialect: { delimiter: ';', encoding: 'utf-8' } });
  });

  it("reads Excel's Unicode text (UTF-16LE with a BOM, tab-separated) and a UTF-16 suppression list", async () => {
    const c = await campaign(utf16le('phone\topt_in\tname\r\n+447400123456\tyes\tΝίκος 🌸\r\n+447400123457\tyes\tBen\r\n'), SPEC, {
      'sup.csv': utf16le('phone\r\n+447400123457\r\n'),
    });
    const { code, stdout, stderr } = await c.validate('--suppress', c.at('sup.csv'), '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ rows: 2, sendable: 1, rejected: { suppressed: 1 }, dialect: { delimiter: '\t', encoding: 'utf-16le' } });
    expect(report.preview.template.components[0].parameters[0].text).toBe('Νίκος 🌸');
  });

  it('reads windows-1252 with --encoding; without it, exit 2 naming the line and the flag', async () => {
    const bytes = Buffer.from('phone;opt_in;name\r\n+33612345678;yes;Ana\r\n+33612345679;yes;Élodie\r\n', 'latin1');
    const c = await campaign(bytes);
    const refused = await c.validate();
    expect(refused.code).toBe(2);
    expectOneLine(refused.stderr, `${c.csv}:3: not UTF-8 text: save as CSV UTF-8, or pass --encoding windows-1252`);
    const read = await c.validate('--encoding', 'windows-1252', '--json');
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ sendable: 2, dialect: { encoding: 'windows-1252' } });
    expect((await c.validate('--encoding', 'latin1')).stdout).toContain('(semicolon-separated, windows-1252)');
  });

  it.each([
    [['--encoding', 'klingon'], "option '--encoding <name>' argument 'klingon' is invalid. unknown encoding"],
    [['--encoding', 'iso-2022-kr'], "option '--encoding <name>' argument 'iso-2022-kr' is invalid"],
    [['--delimiter', ':'], "option '--delimiter <c>' argument ':' is invalid"],
    [['--opt-in-values', ' , '], "option '--opt-in-values <list>' argument ' , ' is invalid"],
  ])('bad usage %j is exit 2 naming the flag', async (flags, message) => {
    const c = await campaign('phone,opt_in,name\n+447400123456,yes,Ana\n');
    const { code, stderr } = await c.validate(...flags);
    expect(code).toBe(2);
    expectOneLine(stderr, message);
  });

  it('--delimiter forces one (tab, \\t, |); a wrong one says what the header looks like', async () => {
    const tabs = await campaign('phone\topt_in\tname\n+447400123456\tyes\tAna, B\n');
    for (const value of ['tab', '\\t', '\t']) expect(JSON.parse((await tabs.validate('--delimiter', value, '--json')).stdout).sendable).toBe(1);
    const pipes = await campaign('phone|opt_in|name\n+447400123456|yes|Ana\n');
    expect(JSON.parse((await pipes.validate('--delimiter', '|', '--json')).stdout).sendable).toBe(1);
    const unread = await pipes.validate();
    expect(unread.code).toBe(2);
    expectOneLine(unread.stderr, `${pipes.csv}:1: the header row is read as one column ("phone|opt_in|name"): if its columns are separated by vertical bars, pass --delimiter '|'`);
  });

  it('shows each consent value that is not one, and when no row has consent, the values seen and the flag that accepts them', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `+4474001234${String(i).padStart(2, '0')},x,N${i}`);
    const c = await campaign(`phone,opt_in,name\n${rows.join('\n')}\n+447400123499,,Eve\n`);
    const { code, stdout } = await c.validate();
    expect(code).toBe(0);
    expect(stdout).toContain(`${c.csv}:2: no_opt_in: "x" is not a consent value (accepted: yes, y, true, 1, opted_in; --opt-in-values sets them) ("+447400123400")`);
    expect(stdout).toContain(
      '! no row has consent in "opt_in": the values seen are "x" (30 rows), "" (1 row) (accepted: yes, y, true, 1, opted_in); if "x" records consent, pass --opt-in-values x',
    );
    expect(stdout).toContain('No row is sendable: nothing would be sent. No row has consent: see the warning above.');
    const json = JSON.parse((await c.validate('--json')).stdout);
    expect(json.consent).toEqual({
      column: 'opt_in',
      accepted_values: ['yes', 'y', 'true', '1', 'opted_in'],
      rows_with_consent: 0,
      other_values: [
        { value: 'x', rows: 30 },
        { value: '', rows: 1 },
      ],
    });
    expect(json.warnings.map((w: { code: string }) => w.code)).toContain('no_consent');
    const accepted = JSON.parse((await c.validate('--opt-in-values', 'X,✓,ja', '--json')).stdout);
    expect(accepted).toMatchObject({ sendable: 30, rejected: { no_opt_in: 1 }, consent: { accepted_values: ['X', '✓', 'ja'], rows_with_consent: 30 } });
    expect(accepted.issues[0].detail).toBe('"opt_in" is empty: no consent recorded');
  });

  it('says what happened to a number in scientific notation and one without its +', async () => {
    const c = await campaign('phone,opt_in,name\n4.4740012346E+11,yes,Ana\n447400123457,yes,Ben\n');
    const { stdout } = await c.validate();
    expect(stdout).toContain(`${c.csv}:2: invalid_number: 4.4740012346E+11 is Excel's scientific notation: the last digit was lost (it reads as 447400123460); format the phone column as Text`);
    expect(stdout).toContain(`${c.csv}:3: invalid_number: looks like an international number without its "+" (+447400123457, GB?)`);
  });

  it('names every placeholder that is not a column in one line, at the first one\'s spec line', async () => {
    const spec = `${SPEC}      - {type: text, text: "{{cod}}"}\n      - {type: text, text: "{{city}}"}\n`;
    const c = await campaign('phone,opt_in,nmae,code\n+447400123456,yes,Ana,X\n', spec);
    const { code, stderr } = await c.validate();
    expect(code).toBe(2);
    expectOneLine(
      stderr,
      `${c.spec}:7: 3 placeholders are not columns of ${c.csv}: {{name}} (did you mean {{nmae}}?), {{cod}} (line 8: did you mean {{code}}?) and {{city}} (line 9) (columns: phone, opt_in, nmae, code)`,
    );
  });
});

describe('validate --rejects', () => {
  const CSV = [
    'phone;opt_in;name;discount',
    '+447400123456;yes;Ana;-20%',
    '+447400123457;x;"Smith; Ben";=1+1',
    '4.4740012346E+11;yes;Cy;10%',
    '+447400123456;yes;Ana again;5%',
    '+447400123458;Opted in;Dee',
    '',
  ].join('\r\n');

  it('writes every rejected row as it was, plus line, reason and detail, formula-safe, mode 0600; --json names it', async () => {
    const c = await campaign(CSV);
    const { code, stdout, stderr } = await c.validate('--rejects', c.at('rejected.csv'), '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ rows: 5, sendable: 1, rejects_file: c.at('rejected.csv') });
    const bytes = await readFile(c.at('rejected.csv'));
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.subarray(3).toString('utf8').split('\n')).toEqual([
      'phone;opt_in;name;discount;line;reason;detail',
      `'+447400123457;x;"Smith; Ben";'=1+1;3;no_opt_in;"""x"" is not a consent value (accepted: yes, y, true, 1, opted_in; --opt-in-values sets them)"`,
      // The detail holds the delimiter, so it is quoted.
      `4.4740012346E+11;yes;Cy;10%;4;invalid_number;"4.4740012346E+11 is Excel's scientific notation: the last digit was lost (it reads as 447400123460); format the phone column as Text before typing or importing the numbers, or export the list again from where it came from"`,
      `'+447400123456;yes;Ana again;5%;5;duplicate;same number as line 2`,
      `'+447400123458;Opted in;Dee;;6;no_opt_in;"""Opted in"" is not a consent value (accepted: yes, y, true, 1, opted_in; --opt-in-values sets them)"`,
      '',
    ]);
    expect((await stat(c.at('rejected.csv'))).mode & 0o777).toBe(0o600);
    expect((await readdir(c.dir)).sort()).toEqual(['c.csv', 'rejected.csv', 's.yaml']);
  });

  it('a rejects file, fixed and fed back, reads as a recipients CSV: values come back exactly, the extra columns are variables', async () => {
    const c = await campaign(CSV, SPEC, {
      'again.yaml': 'name: hello\nlanguage: en\ncategory: utility\ncomponents:\n  - type: body\n    parameters:\n      - {type: text, text: "{{name}} {{discount}} {{reason}}"}\n',
    });
    expect((await c.validate('--rejects', c.at('rejected.csv'))).code).toBe(0);
    // The marketer fixes the consent values (as a spreadsheet would save them, quotes and all) and validates again.
    const { code, stdout, stderr } = await run([
      'validate',
      c.at('rejected.csv'),
      '--template',
      c.at('again.yaml'),
      '--opt-in-values',
      'yes,x,Opted in',
      '--rejects',
      c.at('rejected-again.csv'),
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ rows: 4, sendable: 2, rejected: { invalid_number: 1, missing_variable: 1, duplicate: 0, no_opt_in: 0 }, dialect: { delimiter: ';' } });
    // The formula-safe quote is gone again: the message says =1+1, not '=1+1.
    expect(report.preview.template.components[0].parameters[0].text).toBe('Smith; Ben =1+1 no_opt_in');
    // Its own rejects file has line, reason and detail once, the new ones.
    const again = (await readFile(c.at('rejected-again.csv'), 'utf8')).slice(1).split('\n');
    expect(again[0]).toBe('phone;opt_in;name;discount;line;reason;detail');
    expect(again[1]).toMatch(/^4\.4740012346E\+11;yes;Cy;10%;3;invalid_number;/);
    // Dee still has no discount; "Ana again" is no duplicate here (row 2 was sendable and is not in the file).
    expect(again[2]).toBe(`'+447400123458;Opted in;Dee;;5;missing_variable;"""discount"" is empty"`);
    expect(again).toHaveLength(4);
  });

  it('points to --rejects when more rows are rejected than it prints, and to the file when given', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `+4474001234${String(i).padStart(2, '0')},no,N${i}`);
    const c = await campaign(`phone,opt_in,name\n${rows.join('\n')}\n+447400123499,yes,Ana\n`);
    const plain = await c.validate();
    expect(plain.stdout).toContain('First 20 of 25 rejected rows (to have all of them in a CSV to fix and validate again, pass --rejects rejected.csv):');
    const given = await c.validate('--rejects', c.at('out.csv'));
    expect(given.stdout).toContain(`First 20 of 25 rejected rows (all of them are in ${c.at('out.csv')}):`);
    expect((await readFile(c.at('out.csv'), 'utf8')).trimEnd().split('\n')).toHaveLength(26);
  });

  it('refuses a folder that does not exist, a path that is not a regular file, and the CSV itself: exit 2, nothing written', async () => {
    const c = await campaign('phone,opt_in,name\n+447400123456,no,Ana\n');
    const missing = await c.validate('--rejects', c.at('nope/rejected.csv'));
    expect(missing.code).toBe(2);
    expectOneLine(missing.stderr, `${c.at('nope/rejected.csv')}: the folder ${c.at('nope')} does not exist`);
    execFileSync('mkfifo', [c.at('pipe')]);
    const pipe = await c.validate('--rejects', c.at('pipe'));
    expect(pipe.code).toBe(2);
    expectOneLine(pipe.stderr, `${c.at('pipe')}: is a named pipe (FIFO), not a regular file`);
    const itself = await c.validate('--rejects', c.csv);
    expect(itself.code).toBe(2);
    expectOneLine(itself.stderr, `${c.csv}: is the recipients CSV: --rejects must name another file`);
    const spec = await c.validate('--rejects', c.spec);
    expectOneLine(spec.stderr, `${c.spec}: is the template spec`);
    expect(await readFile(c.csv, 'utf8')).toBe('phone,opt_in,name\n+447400123456,no,Ana\n');
    expect((await readdir(c.dir)).sort()).toEqual(['c.csv', 'pipe', 's.yaml']);
  });

  it('a CSV that turns out unreadable half-way leaves no rejects file and an older one as it was', async () => {
    const c = await campaign('phone,opt_in,name\n+447400123456,no,Ana\n+447400123457,yes,"Ben\n', SPEC, { 'rejected.csv': 'older\n' });
    const { code, stderr } = await c.validate('--rejects', c.at('rejected.csv'));
    expect(code).toBe(2);
    expectOneLine(stderr, `${c.csv}:3: a quote opened in this row is never closed`);
    expect(await readFile(c.at('rejected.csv'), 'utf8')).toBe('older\n');
    expect((await readdir(c.dir)).sort()).toEqual(['c.csv', 'rejected.csv', 's.yaml']);
  });
});

describe("validate's human report", () => {
  it('says "1 row", and writes thousands with separators', async () => {
    const one = await campaign('phone,opt_in,name\n+447400123456,yes,Ana\n');
    expect((await one.validate()).stdout).toContain(`${one.csv}: 1 row, 1 sendable with hello`);
    const rows = Array.from({ length: 12_345 }, (_, i) => `+4474${String(10_000_000 + i)},${i < 12_000 ? 'yes' : 'no'},N`);
    const many = await campaign(`phone,opt_in,name\n${rows.join('\n')}\n`);
    const { stdout } = await many.validate();
    expect(stdout).toContain(`${many.csv}: 12,345 rows, 12,000 sendable with hello`);
    expect(stdout).toMatch(/│ rows read\s+│ 12,345 │/);
    expect(stdout).toMatch(/│ rejected: no_opt_in\s+│\s+345 │/);
    expect(stdout).toContain('First 20 of 345 rejected rows');
  });
});
