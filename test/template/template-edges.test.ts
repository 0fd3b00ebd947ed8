import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TemplateButton } from '../../src/template/account-template.js';
import { BoundTemplate } from '../../src/template/bind-template.js';
import { loadTemplateSpec } from '../../src/template/load-template-spec.js';
import { fixture } from '../helpers.js';
import { accountTemplate as account, fitProblems as problems, specOf } from '../template-builders.js';

/*
 * What the first mutation run of src/template left alive (TESTING.md "Score by folder"): the
 * sub_type of every kind of button, which names count as numbers, and the body's length bound
 * with numbered parameters.
 */

describe('fitTemplate: the sub_type of each kind of button', () => {
  it.each([
    ['QUICK_REPLY', 'quick_reply'],
    ['URL', 'url'],
    ['COPY_CODE', 'copy_code'],
    ['OTP', 'url'],
    ['FLOW', 'flow'],
    ['CATALOG', 'catalog'],
    ['MPM', 'mpm'],
    ['SPM', 'spm'],
  ])('a %s button needs sub_type %s', (type, subType) => {
    const buttons: TemplateButton[] = [{ index: 0, type, text: undefined, url: undefined, example: undefined, needsParameter: true, takesParameter: true }];
    const label = type === 'URL' ? 'a URL button' : `a ${type} button`;
    expect(problems(specOf([{ type: 'button', sub_type: 'other', index: 0 }]), account({ buttons }))).toEqual([`10: button 0: the template's button 0 is ${label}: its sub_type is ${subType}, not other`]);
    expect(problems(specOf([{ type: 'body' }]), account({ buttons }))).toEqual([
      `10: button 0: the template's button 0 is ${label} and needs a parameter (Meta answers 131008): add a component with type: button, sub_type: ${subType}, index: 0`,
    ]);
    expect(problems(specOf([{ type: 'button', sub_type: subType, index: 0 }]), account({ buttons }))).toEqual([]);
  });
});

describe('fitTemplate: which parameter names are numbers', () => {
  const header = (name: string) => account({ parameterFormat: 'named', header: { format: 'TEXT', text: `{{${name}}}`, parameters: [{ name, example: undefined }], example: undefined } });
  const given = (name: string) => specOf([{ type: 'header', parameters: [{ type: 'text', text: 'x', parameter_name: name }] }], { parameterFormat: 'named' });

  it.each(['x1', '1x', 'abc', 'first_name'])('a header parameter named %s is compared by name', (name) => {
    expect(problems(given(`${name}z`), header(name))).toEqual([
      `10: header: the template's header has {{${name}}}, which the spec does not give; the spec gives {{${name}z}}, which the template's header does not have`,
    ]);
    expect(problems(given(name), header(name))).toEqual([]);
  });

  it('a named spec against a template body without parameters: the names it gives are named', () => {
    const spec = specOf([{ type: 'body', parameters: [{ type: 'text', text: 'x', parameter_name: 'x' }] }], { parameterFormat: 'named' });
    expect(problems(spec, account({ body: { text: 'Hello', parameters: [] } }))).toEqual(["10: body: the spec gives {{x}}, which the template's body does not have"]);
  });
});

describe('BoundTemplate: numbered body parameters', () => {
  async function bind(text: string, header: string[]) {
    const dir = await fixture({ 'offer.yaml': text });
    return new BoundTemplate(await loadTemplateSpec(path.join(dir, 'offer.yaml')), header, 'campaign.csv');
  }
  const TOP = 'name: offer\nlanguage: en_GB\ncategory: marketing\n';

  it('the length bound counts the column inside the n-th parameter (not another), so a body one over is caught', async () => {
    const spec = `${TOP}body: "{{2}}-{{1}}-{{city}}"\ncomponents:\n  - type: body\n    parameters:\n      - { type: text, text: "{{name}}" }\n      - { type: text, text: "ab" }\n`;
    const bound = await bind(spec, ['phone', 'name', 'city']);
    // "ab-" + name + "-" + city: 4 fixed characters.
    expect(bound.checkVariables(['+1', 'n'.repeat(500), 'c'.repeat(520)])).toBeUndefined();
    expect(bound.checkVariables(['+1', 'n'.repeat(500), 'c'.repeat(521)])).toEqual({ reason: 'body_too_long', detail: "rendered body is 1025 characters (WhatsApp's limit is 1024)" });
    expect(bound.checkVariables(['+1', 'n'.repeat(501), 'c'.repeat(520)])).toEqual({ reason: 'body_too_long', detail: "rendered body is 1025 characters (WhatsApp's limit is 1024)" });
    expect(bound.renderBody(['+1', 'Ana', 'Porto'])).toBe('ab-Ana-Porto');
  });

  it('in the body, a1 and 1a are columns, not parameters', async () => {
    const spec = `${TOP}body: "{{1}} {{a1}} {{1a}} {{12}}"\ncomponents:\n  - type: body\n    parameters:\n${Array.from({ length: 12 }, (_, i) => `      - { type: text, text: "p${i + 1}" }\n`).join('')}`;
    const bound = await bind(spec, ['phone', 'a1', '1a']);
    expect(bound.renderBody(['+1', 'A', 'B'])).toBe('p1 A B p12');
    expect(bound.checkVariables(['+1', 'A'.repeat(1000), 'B'.repeat(17)])).toEqual({ reason: 'body_too_long', detail: "rendered body is 1025 characters (WhatsApp's limit is 1024)" });
    expect(bound.checkVariables(['+1', 'A'.repeat(1000), 'B'.repeat(16)])).toBeUndefined();
  });
});
