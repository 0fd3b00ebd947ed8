import { copyFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { HELLO_SPEC as SIMPLE_SPEC } from '../hello-spec.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const CSV = path.join(SAMPLES, 'campaign.csv');
const SPEC = path.join(SAMPLES, 'spring-sale.yaml');
const SUPPRESS = path.join(SAMPLES, 'suppress.csv');


/** Every failure is one line, `wa-broadcast: …`, with no stack trace. */
function expectOneLineError(stderr: string, start: string) {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(new RegExp(`^wa-broadcast: ${start.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('validate on the samples', () => {
  it('prints the counts, the rejected rows as file:line: reason, the warnings and a preview', async () => {
    const { code, stdout, stderr } = await run(['validate', CSV, '--template', SPEC, '--suppress', SUPPRESS]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`${CSV}: 20 rows, 12 sendable with spring_sale (en_GB, marketing)`);
    expect(stdout).toMatch(/rejected: invalid_number\s+│\s+2/);
    expect(stdout).toMatch(/rejected: suppressed\s+│\s+1/);
    expect(stdout).toContain(`${CSV}:13: duplicate: same number as line 2`);
    expect(stdout).toContain(`${CSV}:17: invalid_number: national number without a country`);
    expect(stdout).toContain(`${CSV}:18: suppressed`);
    expect(stdout).toContain(`${CSV}:19: missing_variable: "code" is empty`);
    expect(stdout).toContain('1 recipient has a US (+1) number');
    expect(stdout).not.toContain('(s)');
    expect(stdout).toContain('Preview: the message to +447400123456');
    expect(stdout).toContain('│ Hi Ana, our spring sale is on: 20% off everything until Sunday.');
  });

  it('--json prints one object with the fixed keys and nothing else on stdout', async () => {
    const { code, stdout, stderr } = await run(['validate', CSV, '--template', SPEC, '--suppress', SUPPRESS, '--json']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      rows: 20,
      sendable: 12,
      rejected: { invalid_number: 2, no_opt_in: 2, duplicate: 1, suppressed: 1, missing_variable: 1, invalid_variable: 1 },
    });
    expect(report.issues).toHaveLength(8);
    expect(report.issues[0]).toEqual({ line: 13, reason: 'duplicate', detail: 'same number as line 2', phone: '07400 123456' });
    expect(report.preview).toMatchObject({ line: 2, phone: '+447400123456', template: { name: 'spring_sale' } });
    expect(report.warnings.map((w: { code: string }) => w.code)).toEqual(['marketing_to_us']);
  });

  it('finds the spec beside the CSV when --template is left out', async () => {
    const dir = await fixture({ 'list.csv': 'phone,opt_in,name\n+447400123456,yes,Ana\n', 'list.template.yaml': SIMPLE_SPEC });
    const { code, stdout } = await run(['validate', path.join(dir, 'list.csv'), '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ sendable: 1, template: { name: 'hello' } });
  });

  it('resolves national numbers with --default-country', async () => {
    const dir = await fixture({ 'c.csv': 'phone,opt_in,name\n07400 123456,yes,Ana\n', 's.yaml': SIMPLE_SPEC });
    const { stdout } = await run(['validate', path.join(dir, 'c.csv'), '--template', path.join(dir, 's.yaml'), '--default-country', 'gb', '--json']);
    expect(JSON.parse(stdout).sendable).toBe(1);
  });

  it('takes other column names for phone and consent', async () => {
    const dir = await fixture({ 'c.csv': 'Mobile,Consent,name\n+447400123456,yes,Ana\n', 's.yaml': SIMPLE_SPEC });
    const { code, stdout } = await run(['validate', path.join(dir, 'c.csv'), '--template', path.join(dir, 's.yaml'), '--phone-column', 'mobile', '--opt-in-column', 'consent', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).sendable).toBe(1);
  });

  it('warns with --daily-limit when the audience is larger', async () => {
    const { stdout } = await run(['validate', CSV, '--template', SPEC, '--daily-limit', '10', '--json']);
    expect(JSON.parse(stdout).warnings.map((w: { code: string }) => w.code)).toContain('over_daily_limit');
  });

  it('exits 0 and says so when no row is sendable', async () => {
    const dir = await fixture({ 'c.csv': 'phone,opt_in,name\n+447400123456,no,Ana\n', 's.yaml': SIMPLE_SPEC });
    const { code, stdout } = await run(['validate', path.join(dir, 'c.csv'), '--template', path.join(dir, 's.yaml')]);
    expect(code).toBe(0);
    expect(stdout).toContain('No row is sendable');
  });
});

describe('validate refuses bad input with exit 2 and one line naming the file (and line)', () => {
  async function campaign(csv: string | Buffer, spec = SIMPLE_SPEC) {
    const dir = await fixture({ 'c.csv': csv, 's.yaml': spec });
    return { dir, csv: path.join(dir, 'c.csv'), spec: path.join(dir, 's.yaml') };
  }

  it('a missing CSV', async () => {
    const { code, stderr } = await run(['validate', '/nonexistent/c.csv', '--template', SPEC]);
    expect(code).toBe(2);
    expectOneLineError(stderr, '/nonexistent/c.csv: no such file');
  });

  it('a missing CSV and no --template: the CSV is named, not the spec', async () => {
    const { code, stderr } = await run(['validate', '/nonexistent/c.csv']);
    expect(code).toBe(2);
    expectOneLineError(stderr, '/nonexistent/c.csv: no such file');
  });

  it('a missing spec', async () => {
    const { code, stderr } = await run(['validate', CSV, '--template', '/nonexistent/s.yaml']);
    expect(code).toBe(2);
    expectOneLineError(stderr, '/nonexistent/s.yaml: no such file');
  });

  it('no spec given and none beside the CSV, naming the paths looked for', async () => {
    const { csv, dir } = await campaign('phone,opt_in\n');
    const { code, stderr } = await run(['validate', csv]);
    expect(code).toBe(2);
    expectOneLineError(stderr, 'no template spec given and none found');
    expect(stderr).toContain(path.join(dir, 'c.template.yaml'));
    expect(stderr).toContain(path.join(dir, 'template.json'));
  });

  it('an unclosed quote', async () => {
    const { csv, spec } = await campaign('phone,opt_in,name\n+447400123456,yes,Ana\n+447400123457,yes,"Ben\n');
    const { code, stderr } = await run(['validate', csv, '--template', spec]);
    expect(code).toBe(2);
    expectOneLineError(stderr, `${csv}:3: a quote opened in this row is never closed`);
  });

  it('text that is not UTF-8, naming the line and the flag that reads it', async () => {
    const { csv, spec } = await campaign(Buffer.from('phone,opt_in,name\n+447400123456,yes,Jos\xe9\n', 'latin1'));
    const { code, stderr } = await run(['validate', csv, '--template', spec]);
    expect(code).toBe(2);
    expectOneLineError(stderr, `${csv}:2: not UTF-8 text: save as CSV UTF-8, or pass --encoding windows-1252`);
  });

  it('a NUL byte', async () => {
    const { csv, spec } = await campaign('phone,opt_in,name\n+447400123456,yes,Ana\n+447400123457,yes,B\0\n');
    const { code, stderr } = await run(['validate', csv, '--template', spec]);
    expect(code).toBe(2);
    expectOneLineError(stderr, `${csv}:3: NUL byte`);
  });

  it('a truncated spec', async () => {
    const { csv, spec } = await campaign('phone,opt_in,name\n', '{"name": "hello", "language": "en", "categ');
    const { code, stderr } = await run(['validate', csv, '--template', spec]);
    expect(code).toBe(2);
    expectOneLineError(stderr, `${spec}:1: not valid YAML or JSON`);
  });

  it('an unknown placeholder, naming it and the spec file', async () => {
    const { csv, spec } = await campaign('phone,opt_in,nmae\n+447400123456,yes,Ana\n');
    const { code, stderr } = await run(['validate', csv, '--template', spec]);
    expect(code).toBe(2);
    expectOneLineError(stderr, `${spec}:7: placeholder {{name}} is not a column of ${csv}`);
  });

  it('a missing opt-in column, naming it', async () => {
    const { csv, spec } = await campaign('phone,name\n+447400123456,Ana\n');
    const { code, stderr } = await run(['validate', csv, '--template', spec]);
    expect(code).toBe(2);
    expectOneLineError(stderr, `${csv}:1: no "opt_in" column in the header`);
  });

  it('a missing phone column, naming it', async () => {
    const { csv, spec } = await campaign('mobile,opt_in,name\n+447400123456,yes,Ana\n');
    const { code, stderr } = await run(['validate', csv, '--template', spec]);
    expect(code).toBe(2);
    expectOneLineError(stderr, `${csv}:1: no "phone" column in the header`);
  });

  it('a suppression list without a phone column', async () => {
    const { csv, spec, dir } = await campaign('phone,opt_in,name\n+447400123456,yes,Ana\n');
    const sup = path.join(dir, 'sup.csv');
    await writeFile(sup, 'number\n+447400123456\n');
    const { code, stderr } = await run(['validate', csv, '--template', spec, '--suppress', sup]);
    expect(code).toBe(2);
    expectOneLineError(stderr, `${sup}:1: a suppression list needs a "phone" column`);
  });

  it('a folder where the CSV should be', async () => {
    const { dir, spec } = await campaign('x');
    const { code, stderr } = await run(['validate', dir, '--template', spec]);
    expect(code).toBe(2);
    expectOneLineError(stderr, `${dir}: is a folder, not a file`);
  });

  it.each([
    [['validate', CSV, '--template', SPEC, '--default-country', 'UK'], "option '--default-country <code>' argument 'UK' is invalid"],
    [['validate', CSV, '--template', SPEC, '--daily-limit', '-5'], "option '--daily-limit <n>' argument '-5' is invalid"],
    [['validate', CSV, '--template', SPEC, '--daily-limit', 'many'], "option '--daily-limit <n>' argument 'many' is invalid"],
    [['validate', CSV, '--template', SPEC, '--frobnicate'], "unknown option '--frobnicate'"],
    [['validate'], "missing required argument 'csv'"],
    [['validat', CSV], "unknown command 'validat'"],
  ])('bad usage %j', async (argv, message) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(`wa-broadcast: ${message}`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('no command at all prints the help to stderr with exit 2; --help and --version exit 0', async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: wa-broadcast');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('validate');
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('validate leaves its inputs alone', () => {
  it('does not write anything next to the CSV', async () => {
    const dir = await fixture({});
    await copyFile(CSV, path.join(dir, 'campaign.csv'));
    await copyFile(SPEC, path.join(dir, 'campaign.template.yaml'));
    const before = await readdir(dir);
    expect((await run(['validate', path.join(dir, 'campaign.csv'), '--json'])).code).toBe(0);
    expect(await readdir(dir)).toEqual(before);
  });
});
