import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AudienceChecker, FIXED_REJECT_REASONS, type RowVerdict } from '../../src/recipients/audience.js';
import type { CountryCode } from '../../src/recipients/normalize-phone.js';
import { ConsentValues } from '../../src/recipients/opt-in.js';
import { PhoneTable } from '../../src/recipients/phone-table.js';
import { BoundTemplate } from '../../src/template/bind-template.js';
import { loadTemplateSpec } from '../../src/template/load-template-spec.js';
import { fixture } from '../helpers.js';
import { HELLO_SPEC } from '../hello-spec.js';

const HEADER = ['phone', 'opt_in', 'name', 'country'];

async function checker(options: { defaultCountry?: CountryCode; suppressed?: string[]; consent?: ConsentValues; delimiter?: string } = {}) {
  const dir = await fixture({
    's.yaml': HELLO_SPEC,
  });
  const template = new BoundTemplate(await loadTemplateSpec(path.join(dir, 's.yaml')), HEADER, 'c.csv');
  let suppressed: PhoneTable | undefined;
  if (options.suppressed) {
    suppressed = new PhoneTable();
    options.suppressed.forEach((phone, i) => suppressed!.addOrGet(phone, i + 2));
  }
  return new AudienceChecker({
    columns: { phone: 0, optIn: 1, country: 3 },
    headerLength: HEADER.length,
    template,
    defaultCountry: options.defaultCountry,
    suppressed,
    consent: options.consent,
    optInColumnName: 'Consent',
    delimiter: options.delimiter,
  });
}

const reasonOf = (verdict: RowVerdict) => (verdict.ok ? 'ok' : verdict.issue.reason);

describe('AudienceChecker', () => {
  it('accepts a consenting row with a valid number and keeps the original text', async () => {
    const verdict = (await checker()).check({ line: 2, fields: ["'+44 7400 123456", 'yes', 'Ana', ''] });
    expect(verdict).toEqual({
      ok: true,
      recipient: { line: 2, phone: '+447400123456', rawPhone: "'+44 7400 123456", country: 'GB', fields: ["'+44 7400 123456", 'yes', 'Ana', ''] },
    });
  });

  it('resolves national numbers by the country column first, then the default country', async () => {
    const check = await checker({ defaultCountry: 'FR' });
    expect(check.check({ line: 2, fields: ['07400 123456', 'yes', 'Ana', 'gb'] })).toMatchObject({ ok: true, recipient: { phone: '+447400123456' } });
    expect(check.check({ line: 3, fields: ['06 12 34 56 78', 'yes', 'Élodie', ''] })).toMatchObject({ ok: true, recipient: { phone: '+33612345678' } });
    expect(check.check({ line: 4, fields: ['06 12 34 56 79', 'yes', 'Zoé', 'XX'] })).toMatchObject({
      ok: false,
      issue: { reason: 'invalid_number', detail: expect.stringContaining('unknown country "XX"') },
    });
  });

  it('finds a duplicate written in another format and names the first row', async () => {
    const check = await checker({ defaultCountry: 'GB' });
    expect(reasonOf(check.check({ line: 2, fields: ['+447400123456', 'yes', 'Ana', ''] }))).toBe('ok');
    expect(check.check({ line: 7, fields: ['0044 (7400) 123-456', 'yes', 'Ana', ''] })).toEqual({
      ok: false,
      issue: { line: 7, reason: 'duplicate', detail: 'same number as line 2', phone: '0044 (7400) 123-456' },
    });
  });

  it('lets the first row decide even when it was rejected: conflicting consent never sends', async () => {
    const check = await checker();
    expect(reasonOf(check.check({ line: 2, fields: ['+447400123456', 'no', 'Ana', ''] }))).toBe('no_opt_in');
    expect(reasonOf(check.check({ line: 3, fields: ['+447400123456', 'yes', 'Ana', ''] }))).toBe('duplicate');
  });

  it('checks in order: shape, number, duplicate, consent, suppression, variables', async () => {
    const check = await checker({ suppressed: ['+447400123459'] });
    expect(reasonOf(check.check({ line: 2, fields: ['+447400123456', 'yes', 'Ana', '', 'extra'] }))).toBe('malformed_row');
    expect(reasonOf(check.check({ line: 3, fields: ['not a number', 'no', '', ''] }))).toBe('invalid_number');
    expect(reasonOf(check.check({ line: 4, fields: ['+447400123457', '', '', ''] }))).toBe('no_opt_in');
    expect(reasonOf(check.check({ line: 5, fields: ['+447400123459', 'yes', '', ''] }))).toBe('suppressed');
    expect(reasonOf(check.check({ line: 6, fields: ['+447400123458', 'yes', '', ''] }))).toBe('missing_variable');
    // Fewer fields than the header: the missing cells are empty.
    expect(reasonOf(check.check({ line: 7, fields: ['+447400123460', 'yes'] }))).toBe('missing_variable');
  });

  it('shows the consent cell as written, and takes the values --opt-in-values gives', async () => {
    const plain = await checker();
    expect(plain.check({ line: 2, fields: ['+447400123456', 'Opted in', 'Ana', ''] })).toEqual({
      ok: false,
      issue: {
        line: 2,
        reason: 'no_opt_in',
        detail: '"Opted in" is not a consent value (accepted: yes, y, true, 1, opted_in; --opt-in-values sets them)',
        phone: '+447400123456',
      },
    });
    expect(plain.check({ line: 3, fields: ['+447400123457', '', 'Ben', ''] })).toMatchObject({ issue: { detail: '"Consent" is empty: no consent recorded' } });
    const custom = await checker({ consent: new ConsentValues(['x', '✓', 'ja']) });
    expect(reasonOf(custom.check({ line: 2, fields: ['+447400123456', '✓', 'Ana', ''] }))).toBe('ok');
    expect(reasonOf(custom.check({ line: 3, fields: ['+447400123457', ' X', 'Ben', ''] }))).toBe('ok');
    expect(custom.check({ line: 4, fields: ['+447400123458', 'yes', 'Cy', ''] })).toMatchObject({
      issue: { reason: 'no_opt_in', detail: '"yes" is not a consent value (accepted: x, ✓, ja; --opt-in-values sets them)' },
    });
    expect(custom.consentTally.consenting).toBe(2);
    expect(custom.consentTally.otherValues()).toEqual([{ value: 'yes', rows: 1 }]);
  });

  it('names the delimiter of the file in a malformed row', async () => {
    const check = await checker({ delimiter: ';' });
    expect(check.check({ line: 2, fields: ['+447400123456', 'yes', 'Ana', '', 'x'] })).toMatchObject({
      issue: { reason: 'malformed_row', detail: '5 fields but the header has 4: a semicolon in an unquoted field?' },
    });
  });

  it('without the optional names, calls the consent column opt_in and the delimiter a comma', async () => {
    const dir = await fixture({ 's.yaml': HELLO_SPEC });
    const template = new BoundTemplate(await loadTemplateSpec(path.join(dir, 's.yaml')), HEADER, 'c.csv');
    const check = new AudienceChecker({ columns: { phone: 0, optIn: 1, country: 3 }, headerLength: HEADER.length, template, defaultCountry: undefined, suppressed: undefined });
    expect(check.check({ line: 2, fields: ['+447400123456', '', 'Ana', ''] })).toMatchObject({ issue: { reason: 'no_opt_in', detail: '"opt_in" is empty: no consent recorded' } });
    expect(check.check({ line: 3, fields: ['+447400123457', 'yes', 'Ana', '', 'x'] })).toMatchObject({
      issue: { reason: 'malformed_row', detail: '5 fields but the header has 4: a comma in an unquoted field?' },
    });
  });

  it('reads an empty row as an empty phone cell, and a country cell of spaces as no country', async () => {
    const check = await checker({ defaultCountry: 'FR' });
    expect(check.check({ line: 2, fields: [] })).toEqual({ ok: false, issue: { line: 2, reason: 'invalid_number', detail: 'empty', phone: '' } });
    expect(check.check({ line: 3, fields: ['06 12 34 56 78', 'yes', 'Élodie', '  '] })).toMatchObject({ ok: true, recipient: { phone: '+33612345678', country: 'FR' } });
  });

  it('a second pass over the same CSV finds its duplicates from the first pass\'s numbers, and cannot hand them on', async () => {
    const first = await checker();
    expect(reasonOf(first.check({ line: 2, fields: ['+447400123456', 'yes', 'Ana', ''] }))).toBe('ok');
    const dir = await fixture({ 's.yaml': HELLO_SPEC });
    const template = new BoundTemplate(await loadTemplateSpec(path.join(dir, 's.yaml')), HEADER, 'c.csv');
    const second = new AudienceChecker({
      columns: { phone: 0, optIn: 1, country: 3 },
      headerLength: HEADER.length,
      template,
      defaultCountry: undefined,
      suppressed: undefined,
      firstPass: first.takeNumbers(),
    });
    expect(reasonOf(second.check({ line: 2, fields: ['+447400123456', 'yes', 'Ana', ''] }))).toBe('ok');
    expect(second.check({ line: 5, fields: ['+44 7400 123456', 'yes', 'Ana', ''] })).toEqual({
      ok: false,
      issue: { line: 5, reason: 'duplicate', detail: 'same number as an earlier line', phone: '+44 7400 123456' },
    });
    expect(() => second.takeNumbers()).toThrow(new Error('takeNumbers: this pass was itself a later one'));
  });
});

describe('FIXED_REJECT_REASONS', () => {
  it("are SPEC.md's five, in its order", () => {
    expect(FIXED_REJECT_REASONS).toEqual(['invalid_number', 'no_opt_in', 'duplicate', 'suppressed', 'missing_variable']);
  });
});

