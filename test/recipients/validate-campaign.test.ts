import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { Recipient } from '../../src/recipients/audience.js';
import { loadSuppressionList } from '../../src/recipients/load-suppression-list.js';
import { openAudience } from '../../src/recipients/open-audience.js';
import type { PhoneKeys } from '../../src/recipients/phone-table.js';
import { MAX_REPORTED_ISSUES, validateCampaign } from '../../src/recipients/validate-campaign.js';
import { fixture } from '../helpers.js';
import { HELLO_SPEC } from '../hello-spec.js';

// In process (test/cli runs validate through main(), which the folder's mutation run leaves out):
// the whole report, field by field, so that a count, a warning or a file left out is seen.

const MARKETING_SPEC = HELLO_SPEC.replace('category: utility', 'category: marketing');

const ZERO = { invalid_number: 0, no_opt_in: 0, duplicate: 0, suppressed: 0, missing_variable: 0, invalid_variable: 0, body_too_long: 0, malformed_row: 0 };
const DEFAULT_VALUES = ['yes', 'y', 'true', '1', 'opted_in'];

const helloTemplate = (name: string) => ({ name: 'hello', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text', text: name }] }] });

describe('validateCampaign', () => {
  it('judges every row and reports counts, issues, suppression, preview, consent and the rejects file', async () => {
    const dir = await fixture({
      's.yaml': HELLO_SPEC,
      'c.csv':
        'phone,opt_in,name,country\n' +
        '+447400123456,yes,Ana,\n' +
        '07400123457,yes,Bo,GB\n' +
        '+447400123456,yes,Ana,\n' +
        'xx,yes,C,\n' +
        '+12125550123,yes,Ed,\n' +
        '+447400123458,no,D,\n' +
        '+447400123459,yes,E,\n',
      // Its own delimiter (found from its header), a country column, two entries that are no number.
      'sup.csv': 'phone;country\n07400123459;GB\nnope;\n+44 7400 123450;\nbad;\n',
    });
    const recipients: Recipient[] = [];
    let numbers: PhoneKeys | undefined;
    const report = await validateCampaign({
      csvFile: path.join(dir, 'c.csv'),
      templateFile: path.join(dir, 's.yaml'),
      suppressFile: path.join(dir, 'sup.csv'),
      rejectsFile: path.join(dir, 'rej.csv'),
      dailyLimit: 1,
      onRecipient: (recipient) => recipients.push(recipient),
      onNumbers: (keys) => (numbers = keys),
    });
    expect(report).toEqual({
      csv: path.join(dir, 'c.csv'),
      dialect: { delimiter: ',', encoding: 'utf-8' },
      template: { file: path.join(dir, 's.yaml'), name: 'hello', language: 'en', category: 'utility', ttl_seconds: 2592000 },
      rows: 7,
      sendable: 3,
      rejected: { ...ZERO, invalid_number: 1, no_opt_in: 1, duplicate: 1, suppressed: 1 },
      issues: [
        { line: 4, reason: 'duplicate', detail: 'same number as line 2', phone: '+447400123456' },
        { line: 5, reason: 'invalid_number', detail: 'unexpected characters', phone: 'xx' },
        { line: 7, reason: 'no_opt_in', detail: '"no" means no consent', phone: '+447400123458' },
        { line: 8, reason: 'suppressed', detail: 'on the suppression list', phone: '+447400123459' },
      ],
      issues_truncated: false,
      warnings: [
        {
          code: 'suppression_unreadable',
          message: `2 entries of ${path.join(dir, 'sup.csv')} (first at line 3) cannot be read as a phone number and suppress no one: national numbers need a country column or --default-country`,
        },
        {
          code: 'over_daily_limit',
          message: '3 recipients but the messaging limit is 1 unique users per 24 hours: about 2 sends would fail; split the campaign over 3 days',
        },
      ],
      suppression: { file: path.join(dir, 'sup.csv'), numbers: 2, unreadable: 2, first_unreadable_line: 3 },
      preview: { line: 2, phone: '+447400123456', template: helloTemplate('Ana'), body: undefined, twilio_variables: undefined },
      consent: { column: 'opt_in', accepted_values: DEFAULT_VALUES, rows_with_consent: 4, other_values: [{ value: 'no', rows: 1 }] },
      rejects_file: path.join(dir, 'rej.csv'),
    });
    expect(recipients.map((r) => [r.line, r.phone, r.country])).toEqual([
      [2, '+447400123456', 'GB'],
      [3, '+447400123457', 'GB'],
      [6, '+12125550123', 'US'],
    ]);
    // The distinct numbers of every row with a number (the rejected ones too): 5.
    expect(numbers!.size).toBe(5);
    expect(numbers!.slotOf('+447400123459')).toBeGreaterThanOrEqual(0);
    expect(numbers!.slotOf('+447400999999')).toBe(-1);
    expect((await readFile(path.join(dir, 'rej.csv'), 'utf8')).slice(1)).toBe(
      'phone,opt_in,name,country,line,reason,detail\n' +
        "'+447400123456,yes,Ana,,4,duplicate,same number as line 2\n" +
        'xx,yes,C,,5,invalid_number,unexpected characters\n' +
        "'+447400123458,no,D,,7,no_opt_in,\"\"\"no\"\" means no consent\"\n" +
        "'+447400123459,yes,E,,8,suppressed,on the suppression list\n",
    );
  });

  it('without a suppression list or rejects file: neither in the report; a US marketing audience and unknown consent values warned of', async () => {
    const dir = await fixture({
      's.yaml': MARKETING_SPEC,
      'c.csv': 'phone,opt_in,name\n+12125550123,yes,Ed\n+12125550124,x,Fi\n+14165550123,yes,To\n',
    });
    const report = await validateCampaign({ csvFile: path.join(dir, 'c.csv'), templateFile: path.join(dir, 's.yaml') });
    expect(report.rows).toBe(3);
    expect(report.sendable).toBe(2);
    expect(report.suppression).toBeUndefined();
    expect('rejects_file' in report).toBe(false);
    expect(report.template.category).toBe('marketing');
    expect(report.warnings).toEqual([
      {
        code: 'unknown_consent_values',
        message: `1 row has a value in "opt_in" that is not a consent value: "x" (1 row); if "x" records consent, pass --opt-in-values yes,x`,
      },
      {
        code: 'marketing_to_us',
        message: '1 recipient has a US (+1) number: Meta has not delivered marketing templates to US numbers since 1 April 2025, so these sends will fail; reach them by SMS instead',
      },
    ]);
    expect(report.preview).toEqual({ line: 2, phone: '+12125550123', template: helloTemplate('Ed'), body: undefined, twilio_variables: undefined });
    expect(await readdir(dir)).toEqual(['c.csv', 's.yaml']);
  });

  it(`keeps the first ${MAX_REPORTED_ISSUES} rejected rows and counts them all`, async () => {
    const rows = Array.from({ length: MAX_REPORTED_ISSUES + 1 }, (_, i) => `x${i},yes,A\n`).join('');
    const dir = await fixture({ 's.yaml': HELLO_SPEC, 'c.csv': `phone,opt_in,name\n${rows}+447400123456,yes,Ana\n` });
    const report = await validateCampaign({ csvFile: path.join(dir, 'c.csv'), templateFile: path.join(dir, 's.yaml') });
    expect(report.rows).toBe(MAX_REPORTED_ISSUES + 2);
    expect(report.sendable).toBe(1);
    expect(report.rejected.invalid_number).toBe(MAX_REPORTED_ISSUES + 1);
    expect(report.issues).toHaveLength(MAX_REPORTED_ISSUES);
    expect(report.issues.at(-1)!.line).toBe(MAX_REPORTED_ISSUES + 1);
    expect(report.issues_truncated).toBe(true);
  });

  it('exactly as many rejected rows as are kept: not truncated', async () => {
    const rows = Array.from({ length: MAX_REPORTED_ISSUES }, (_, i) => `x${i},yes,A\n`).join('');
    const dir = await fixture({ 's.yaml': HELLO_SPEC, 'c.csv': `phone,opt_in,name\n${rows}` });
    const report = await validateCampaign({ csvFile: path.join(dir, 'c.csv'), templateFile: path.join(dir, 's.yaml') });
    expect(report.rows).toBe(MAX_REPORTED_ISSUES);
    expect(report.issues).toHaveLength(MAX_REPORTED_ISSUES);
    expect(report.issues_truncated).toBe(false);
    expect(report.preview).toBeUndefined();
  });

  it('writes the rejects file with the CSV delimiter', async () => {
    const dir = await fixture({ 's.yaml': HELLO_SPEC, 'c.csv': 'phone;opt_in;name\n+447400123456;no;Ana\n' });
    const report = await validateCampaign({ csvFile: path.join(dir, 'c.csv'), templateFile: path.join(dir, 's.yaml'), rejectsFile: path.join(dir, 'r.csv') });
    expect(report.dialect).toEqual({ delimiter: ';', encoding: 'utf-8' });
    expect((await readFile(path.join(dir, 'r.csv'), 'utf8')).slice(1)).toBe(
      `phone;opt_in;name;line;reason;detail\n'+447400123456;no;Ana;2;no_opt_in;"""no"" means no consent"\n`,
    );
  });

  it.each([
    ['c.csv', 'recipients CSV'],
    ['s.yaml', 'template spec'],
    ['sup.csv', 'suppression list'],
  ])('refuses a rejects file that is an input (%s), before reading a row', async (name, what) => {
    const dir = await fixture({ 's.yaml': HELLO_SPEC, 'c.csv': 'phone,opt_in,name\n+447400123456,no,Ana\n', 'sup.csv': 'phone\n+447400123459\n' });
    const before = await readFile(path.join(dir, name), 'utf8');
    const error = await validateCampaign({
      csvFile: path.join(dir, 'c.csv'),
      templateFile: path.join(dir, 's.yaml'),
      suppressFile: path.join(dir, 'sup.csv'),
      rejectsFile: path.join(dir, name),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`is the ${what}: --rejects must name another file, or it would be replaced`);
    expect((error as InputError).location).toEqual({ file: path.join(dir, name) });
    expect(await readFile(path.join(dir, name), 'utf8')).toBe(before);
  });

  it('a CSV that fails part way: the error, and no rejects file (nor its temp)', async () => {
    const dir = await fixture({ 's.yaml': HELLO_SPEC, 'c.csv': 'phone,opt_in,name\n+447400123456,no,Ana\n+447400123457,yes,"Bo\n' });
    const error = await validateCampaign({ csvFile: path.join(dir, 'c.csv'), templateFile: path.join(dir, 's.yaml'), rejectsFile: path.join(dir, 'r.csv') }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('a quote opened in this row is never closed');
    expect((error as InputError).location).toEqual({ file: path.join(dir, 'c.csv'), line: 3 });
    expect(await readdir(dir)).toEqual(['c.csv', 's.yaml']);
  });

  it('reads the CSV and the suppression list in the --encoding given', async () => {
    const dir = await fixture({
      's.yaml': HELLO_SPEC,
      'c.csv': Buffer.from('phone,opt_in,name\n+447400123456,yes,Jos\xe9\n+447400123457,yes,Andr\xe9\n', 'latin1'),
      'sup.csv': Buffer.from('phone,name\n+447400123457,Andr\xe9\n', 'latin1'),
    });
    const report = await validateCampaign({
      csvFile: path.join(dir, 'c.csv'),
      templateFile: path.join(dir, 's.yaml'),
      suppressFile: path.join(dir, 'sup.csv'),
      encoding: 'windows-1252',
    });
    expect(report.dialect).toEqual({ delimiter: ',', encoding: 'windows-1252' });
    expect(report.preview!.template).toEqual(helloTemplate('José'));
    expect(report.suppression).toEqual({ file: path.join(dir, 'sup.csv'), numbers: 1, unreadable: 0, first_unreadable_line: undefined });
    expect(report.rejected.suppressed).toBe(1);
  });

  it('uses a suppression list already loaded instead of reading the file', async () => {
    const dir = await fixture({ 's.yaml': HELLO_SPEC, 'c.csv': 'phone,opt_in,name\n+447400123456,yes,Ana\n', 'sup.csv': 'phone\n+447400123456\n' });
    const loaded = await loadSuppressionList(path.join(dir, 'sup.csv'), undefined);
    const report = await validateCampaign({
      csvFile: path.join(dir, 'c.csv'),
      templateFile: path.join(dir, 's.yaml'),
      suppressFile: path.join(dir, 'missing.csv'),
      suppression: loaded,
    });
    expect(report.rejected.suppressed).toBe(1);
    expect(report.suppression!.file).toBe(path.join(dir, 'sup.csv'));
  });
});

describe('loadSuppressionList', () => {
  const load = async (text: string, country?: 'GB' | 'FR') => {
    const dir = await fixture({ 'sup.csv': text });
    const list = await loadSuppressionList(path.join(dir, 'sup.csv'), country);
    return { ...list, file: path.basename(list.file), numbers: list.numbers.size, has: (e164: string) => list.numbers.has(e164) };
  };

  it('normalises every entry to E.164, by its country cell, else the default country', async () => {
    const dir = await fixture({ 'sup.csv': 'Phone,Country\n07400 123456,gb\n06 12 34 56 78,FR\n07400123457,\n07400123458, \n' });
    const list = await loadSuppressionList(path.join(dir, 'sup.csv'), 'GB');
    expect(['+447400123456', '+33612345678', '+447400123457', '+447400123458'].map((e164) => list.numbers.has(e164))).toEqual([true, true, true, true]);
    expect(list.unreadable).toBe(0);
    expect(list.firstUnreadableLine).toBeUndefined();
    expect(list.file).toBe(path.join(dir, 'sup.csv'));
  });

  it('a row without its country cell takes the default country', async () => {
    const list = await load('phone,country\n07400123459\n', 'GB');
    expect(list.has('+447400123459')).toBe(true);
    expect(list.unreadable).toBe(0);
  });

  it('without a country column, national numbers take the default country', async () => {
    const list = await load('phone\n07400123459\n', 'GB');
    expect(list.has('+447400123459')).toBe(true);
  });

  it('a country cell wins over the default country', async () => {
    const list = await load('phone,country\n0612345678,FR\n', 'GB');
    expect(list.has('+33612345678')).toBe(true);
    expect(list.unreadable).toBe(0);
  });

  it('counts the entries that are no number, and names the first line', async () => {
    const list = await load('phone\n+447400123456\n07400123457\nabc\n+447400123458\nxyz\n');
    expect(list).toMatchObject({ numbers: 2, unreadable: 3, firstUnreadableLine: 3 });
    expect(list.has('+447400123456')).toBe(true);
    expect(list.has('+447400123458')).toBe(true);
  });

  it('refuses a list without a phone column, naming its columns', async () => {
    const dir = await fixture({ 'sup.csv': 'number,country\n+447400123456,GB\n' });
    const error = await loadSuppressionList(path.join(dir, 'sup.csv'), undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('a suppression list needs a "phone" column (columns: number, country)');
    expect((error as InputError).location).toEqual({ file: path.join(dir, 'sup.csv'), line: 1 });
  });
});

describe('openAudience', () => {
  async function rowsOf(header: string, lines: string[]) {
    const dir = await fixture({ 's.yaml': HELLO_SPEC, 'c.csv': `${header}\n${lines.join('\n')}\n` });
    const audience = await openAudience({ csvFile: path.join(dir, 'c.csv'), templateFile: path.join(dir, 's.yaml') });
    const out: { values: string[]; verdict: ReturnType<typeof audience.check> }[] = [];
    for await (const batch of audience.batches) for (const row of batch) out.push({ values: audience.values(row), verdict: audience.check(row) });
    return { audience, out };
  }

  it('a plain CSV: cells as written, a leading quote kept', async () => {
    const { audience, out } = await rowsOf('phone,opt_in,name', ["+447400123456,yes,'=1+1"]);
    expect(audience.retryList).toBe(false);
    expect(out[0]!.values).toEqual(['+447400123456', 'yes', "'=1+1"]);
    expect(out[0]!.verdict).toEqual({
      ok: true,
      recipient: { line: 2, phone: '+447400123456', rawPhone: '+447400123456', country: 'GB', fields: ['+447400123456', 'yes', "'=1+1"] },
    });
  });

  it('a rejects file fed back: cells read without the formula quote, no retry fields', async () => {
    const { audience, out } = await rowsOf('phone,opt_in,name,line,reason,detail,attempts', ["'+447400123456,yes,'=1+1,4,no_opt_in,x,3"]);
    expect(audience.retryList).toBe(false);
    expect(out[0]!.values).toEqual(['+447400123456', 'yes', '=1+1', '4', 'no_opt_in', 'x', '3']);
    expect(out[0]!.verdict).toEqual({
      ok: true,
      recipient: { line: 2, phone: '+447400123456', rawPhone: '+447400123456', country: 'GB', fields: ['+447400123456', 'yes', '=1+1', '4', 'no_opt_in', 'x', '3'] },
    });
  });

  it('a retry list: cells without the formula quote, the listed attempts and due time of sendable rows', async () => {
    const { audience, out } = await rowsOf('due_at,phone,opt_in,name,reason,error_code,attempts', [
      "2026-12-05T10:00:00.000Z,'+447400123456,yes,'=A,throttled,131056,2",
      ',+447400123457,yes,B,throttled,131056,0',
      ',+447400123458,yes,C,throttled,131056,1.5',
      ',+447400123459,yes,D,throttled,131056,-1',
      '2026-12-05T10:00:00.000Z,+447400123450,no,E,throttled,131056,2',
    ]);
    expect(audience.retryList).toBe(true);
    expect(out[0]!.values).toEqual(['2026-12-05T10:00:00.000Z', '+447400123456', 'yes', '=A', 'throttled', '131056', '2']);
    const recipients = out.map(({ verdict }) => (verdict.ok ? verdict.recipient : verdict.issue.reason));
    expect(recipients[0]).toEqual({
      line: 2,
      phone: '+447400123456',
      rawPhone: '+447400123456',
      country: 'GB',
      fields: ['2026-12-05T10:00:00.000Z', '+447400123456', 'yes', '=A', 'throttled', '131056', '2'],
      listedAttempts: 2,
      listedDueAt: Date.parse('2026-12-05T10:00:00.000Z'),
    });
    for (const recipient of recipients.slice(1, 4)) {
      expect(Object.keys(recipient as Recipient)).toEqual(['line', 'phone', 'rawPhone', 'country', 'fields']);
    }
    expect(recipients[4]).toBe('no_opt_in');
  });

  it('a retry list without a due_at column: attempts only', async () => {
    const { out } = await rowsOf('phone,opt_in,name,reason,error_code,attempts', ['+447400123456,yes,A,throttled,131056,3']);
    const verdict = out[0]!.verdict;
    expect(verdict.ok && Object.keys(verdict.recipient)).toEqual(['line', 'phone', 'rawPhone', 'country', 'fields', 'listedAttempts']);
    expect(verdict.ok && verdict.recipient.listedAttempts).toBe(3);
  });

  it('names a missing column and closes the CSV', async () => {
    const dir = await fixture({ 's.yaml': HELLO_SPEC, 'c.csv': 'phone,name\n+447400123456,Ana\n' });
    const error = await openAudience({ csvFile: path.join(dir, 'c.csv'), templateFile: path.join(dir, 's.yaml') }).catch((e: unknown) => e);
    expect((error as InputError).message).toBe(
      'no "opt_in" column in the header: every recipient needs recorded consent (yes/no); name yours with --opt-in-column',
    );
  });

  it('takes other column names and consent values', async () => {
    const dir = await fixture({ 's.yaml': HELLO_SPEC, 'c.csv': 'Mobile,Consent,name\n+447400123456,ja,Ana\n+447400123457,yes,Bo\n' });
    const report = await validateCampaign({
      csvFile: path.join(dir, 'c.csv'),
      templateFile: path.join(dir, 's.yaml'),
      phoneColumn: 'mobile',
      optInColumn: 'consent',
      optInValues: ['ja'],
    });
    expect(report.sendable).toBe(1);
    expect(report.consent).toEqual({ column: 'Consent', accepted_values: ['ja'], rows_with_consent: 1, other_values: [{ value: 'yes', rows: 1 }] });
  });
});
