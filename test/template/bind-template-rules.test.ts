import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { BoundTemplate, MAX_BODY_CHARACTERS } from '../../src/template/bind-template.js';
import { loadTemplateSpec } from '../../src/template/load-template-spec.js';
import { fixture } from '../helpers.js';

/* BoundTemplate's edges: every message exactly, the body's length at the limit, defaults, what a spec without parts renders. */

async function bind(specText: string, header: string[]) {
  const dir = await fixture({ 'offer.yaml': specText });
  return new BoundTemplate(await loadTemplateSpec(path.join(dir, 'offer.yaml')), header, 'campaign.csv');
}

async function refusal(specText: string, header: string[]): Promise<InputError> {
  const error = await bind(specText, header).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

const TOP = 'name: offer\nlanguage: en_GB\ncategory: marketing\n';
const bodyOf = (...texts: string[]) => `${TOP}components:\n  - type: body\n    parameters:\n${texts.map((t) => `      - { type: text, text: "${t}" }\n`).join('')}`;

describe('BoundTemplate: placeholders that are not columns', () => {
  it('two, each with a near match: "and", no list of columns; the second one\'s line', async () => {
    const error = await refusal(bodyOf('{{Name}}', '{{cdoe}}'), ['phone', 'name', 'code']);
    expect(error.message).toBe('2 placeholders are not columns of campaign.csv: {{Name}} (did you mean {{name}}?) and {{cdoe}} (line 8: did you mean {{code}}?)');
    expect(error.location).toEqual({ file: expect.stringContaining('offer.yaml'), line: 7 });
  });

  it('one repeated is named once; none near: the columns', async () => {
    const error = await refusal(bodyOf('{{zzzz}}', '{{zzzz}}'), ['phone', 'name']);
    expect(error.message).toBe('placeholder {{zzzz}} is not a column of campaign.csv (columns: phone, name)');
    expect(error.location).toEqual({ file: expect.stringContaining('offer.yaml'), line: 7 });
  });

  it('three, the first without a near match: plain names, then the columns', async () => {
    const error = await refusal(bodyOf('{{zzzz}}', '{{yyyy}}', '{{nmae}}'), ['phone', 'name']);
    expect(error.message).toBe('3 placeholders are not columns of campaign.csv: {{zzzz}}, {{yyyy}} (line 8) and {{nmae}} (line 9: did you mean {{name}}?) (columns: phone, name)');
  });

  it('did-you-mean: at most two edits (a swap is one), the closest column, the first of equals', async () => {
    const near = async (placeholder: string, header: string[]) => (await refusal(bodyOf(`{{${placeholder}}}`), header)).message;
    expect(await near('frist', ['phone', 'first'])).toBe('placeholder {{frist}} is not a column of campaign.csv (did you mean {{first}}?)');
    expect(await near('abcde', ['phone', 'abxyz'])).toBe('placeholder {{abcde}} is not a column of campaign.csv (columns: phone, abxyz)');
    expect(await near('abcde', ['phone', 'abcxy'])).toBe('placeholder {{abcde}} is not a column of campaign.csv (did you mean {{abcxy}}?)');
    expect(await near('abcde', ['phone', 'abcxy', 'abcdx'])).toBe('placeholder {{abcde}} is not a column of campaign.csv (did you mean {{abcdx}}?)');
    expect(await near('abcde', ['phone', 'abcdx', 'abcdy'])).toBe('placeholder {{abcde}} is not a column of campaign.csv (did you mean {{abcdx}}?)');
    expect(await near('ab', ['phone', 'abcd'])).toBe('placeholder {{ab}} is not a column of campaign.csv (did you mean {{abcd}}?)');
    expect(await near('abcd', ['phone', 'ab'])).toBe('placeholder {{abcd}} is not a column of campaign.csv (did you mean {{ab}}?)');
    expect(await near('abcd', ['phone', 'a'])).toBe('placeholder {{abcd}} is not a column of campaign.csv (columns: phone, a)');
    expect(await near('badc', ['phone', 'abcd'])).toBe('placeholder {{badc}} is not a column of campaign.csv (did you mean {{abcd}}?)');
    expect(await near('bcda', ['phone', 'abcd'])).toBe('placeholder {{bcda}} is not a column of campaign.csv (did you mean {{abcd}}?)');
    expect(await near('dcba', ['phone', 'abcd'])).toBe('placeholder {{dcba}} is not a column of campaign.csv (columns: phone, abcd)');
  });
});

describe('BoundTemplate: a row', () => {
  const header = ['phone', 'name', 'note', 'city'];

  it('the text-parameter refusal, exactly; a default counts as the value', async () => {
    const bound = await bind(`${bodyOf('{{name}}', '{{note}}')}defaults:\n  note: "a\\tb"\n`, header);
    expect(bound.checkVariables(['+1', 'Ana', '', ''])).toEqual({
      reason: 'invalid_variable',
      detail: '"note" has a line break, tab or more than 4 spaces in a row, which WhatsApp refuses in a text parameter',
    });
    expect(bound.checkVariables(['+1', 'Ana', 'fine', ''])).toBeUndefined();
    expect(bound.checkVariables(['+1', 'Ana    Smith', 'fine', ''])).toBeUndefined();
    expect(bound.checkVariables(['+1', 'Ana     Smith', 'fine', ''])?.reason).toBe('invalid_variable');
    expect(bound.checkVariables(['+1', 'Ana\r', 'fine', ''])).toBeUndefined();
    expect(bound.checkVariables(['+1', 'A\rna', 'fine', ''])?.reason).toBe('invalid_variable');
    expect(bound.checkVariables(['+1', '', 'fine', ''])).toEqual({ reason: 'missing_variable', detail: '"name" is empty' });
    expect(bound.checkVariables(['+1'])).toEqual({ reason: 'missing_variable', detail: '"name" is empty' });
    expect(bound.required.map((ref) => ref.name)).toEqual(['name']);
    expect(bound.inText).toEqual([
      { name: 'name', index: 1, inText: true },
      { name: 'note', index: 2, inText: true },
    ]);
  });

  it('value: trimmed, the default for an empty cell, "" for a name that is no column', async () => {
    const bound = await bind(`${bodyOf('{{name}}')}defaults:\n  name: there\n`, header);
    expect(bound.value(['+1', '  Ana  '], 'name')).toBe('Ana');
    expect(bound.value(['+1', '   '], 'name')).toBe('there');
    expect(bound.value(['+1'], 'name')).toBe('there');
    expect(bound.value(['+1', 'Ana'], 'city')).toBe('');
    expect(bound.placeholderNames).toEqual(['name']);
    expect(bound.required).toEqual([]);
  });

  it('the body at the limit is sent, one character more is not; characters are code points', async () => {
    const spec = `${bodyOf('{{name}}')}body: "Hi {{1}}! {{city}}"\n`;
    const bound = await bind(spec, header);
    const fill = (n: number, char = 'x') => ['+1', 'Ana', '', char.repeat(n)];
    const fixed = 'Hi Ana! '.length;
    expect(bound.checkVariables(fill(MAX_BODY_CHARACTERS - fixed))).toBeUndefined();
    expect(bound.checkVariables(fill(MAX_BODY_CHARACTERS - fixed + 1))).toEqual({ reason: 'body_too_long', detail: "rendered body is 1025 characters (WhatsApp's limit is 1024)" });
    expect(bound.checkVariables(fill(MAX_BODY_CHARACTERS - fixed, '😀'))).toBeUndefined();
    expect(bound.checkVariables(fill(MAX_BODY_CHARACTERS - fixed + 1, '😀'))).toEqual({ reason: 'body_too_long', detail: "rendered body is 1025 characters (WhatsApp's limit is 1024)" });
    expect(MAX_BODY_CHARACTERS).toBe(1024);
  });

  it('a default longer than the cell counts in the body length only when the cell is empty', async () => {
    const spec = `${bodyOf('{{name}}')}body: "{{city}}{{city}}"\ndefaults:\n  city: "${'d'.repeat(600)}"\n`;
    const bound = await bind(spec, header);
    expect(bound.checkVariables(['+1', 'Ana', '', ''])).toEqual({ reason: 'body_too_long', detail: "rendered body is 1200 characters (WhatsApp's limit is 1024)" });
    expect(bound.checkVariables(['+1', 'Ana', '', 'Porto'])).toBeUndefined();
    expect(bound.renderBody(['+1', 'Ana', '', 'Porto'])).toBe('PortoPorto');
  });

  it('the body with a date, a parameter of another kind, and a BODY component in capitals', async () => {
    const spec = `${TOP}body: "{{1}} / {{2}} / {{3}}"\ncomponents:\n  - type: BODY\n    parameters:\n      - type: date_time\n        date_time: { fallback_value: "{{city}}" }\n      - { type: image, image: { link: x } }\n      - { type: currency, currency: { code: EUR } }\n`;
    const bound = await bind(spec, header);
    expect(bound.renderBody(['+1', 'Ana', '', 'Porto'])).toBe('Porto / [image] / [currency]');
  });

  it('a spec without components, body or twilio block', async () => {
    const bound = await bind(`${TOP}language: { code: en_GB, policy: deterministic }\n`.replace('language: en_GB\n', ''), header);
    expect(bound.render(['+1'])).toEqual({ name: 'offer', language: { code: 'en_GB', policy: 'deterministic' } });
    expect(bound.renderBody(['+1'])).toBeUndefined();
    expect(bound.renderTwilioVariables(['+1'])).toBeUndefined();
    expect(bound.checkVariables(['+1'])).toBeUndefined();
  });

  it('render fills strings at any depth and keeps numbers, booleans and null', async () => {
    const spec = `${TOP}components:\n  - type: button\n    sub_type: url\n    index: 0\n    parameters:\n      - { type: text, text: "{{name}}-{{city}}", n: 3, b: true, z: null }\n`;
    const bound = await bind(spec, header);
    expect(bound.render(['+1', 'Ana', '', ' Porto '])).toEqual({
      name: 'offer',
      language: { code: 'en_GB' },
      components: [{ type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: 'Ana-Porto', n: 3, b: true, z: null }] }],
    });
  });
});
