import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadTemplateSpec } from '../../src/template/load-template-spec.js';
import { fixture } from '../helpers.js';

/* loadTemplateSpec's refusals, each with its exact message and line, and what it accepts at the edges. */

async function load(text: string) {
  const dir = await fixture({ 'spec.yaml': text });
  return loadTemplateSpec(path.join(dir, 'spec.yaml'));
}

async function refusal(text: string): Promise<string> {
  const error = await load(text).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  const { location, message } = error as InputError;
  expect(location?.file).toMatch(/spec\.yaml$/);
  return `${location?.line}: ${message}`;
}

const TOP = 'name: a\nlanguage: en\ncategory: utility\n';
const SID = `HX${'0123456789abcdef'.repeat(2)}`;
const KNOWN = 'name, language, category, parameter_format, ttl, body, components, twilio, defaults';
const named = (parameter: string, type = 'body') => `${TOP}parameter_format: named\ncomponents:\n  - type: ${type}\n    parameters:\n${parameter}`;

describe('loadTemplateSpec: refusals, exactly', () => {
  it.each([
    ['', 'undefined: the template spec is empty'],
    ['- a\n', '1: a template spec must be a mapping of fields (name, language, category, components…)'],
    [`${TOP}foo: 1\n`, `4: unknown field "foo" (known: ${KNOWN})`],
    ['name: ""\nlanguage: en\ncategory: utility\n', '1: missing required field "name"'],
    ['name: 5\nlanguage: en\ncategory: utility\n', '1: "name" must be text'],
    ['name: Sale\nlanguage: en\ncategory: utility\n', '1: template name "Sale" must be lower-case letters, digits and underscores, as in WhatsApp Manager'],
    ['name: a\nlanguage: 5\ncategory: utility\n', '2: language must be a code like en_US, or { code: en_US }'],
    ['name: a\nlanguage: { code: 5 }\ncategory: utility\n', '2: language must be a code like en_US, or { code: en_US }'],
    ['name: a\nlanguage: [en]\ncategory: utility\n', '2: language must be a code like en_US, or { code: en_US }'],
    ['name: a\nlanguage: en_us\ncategory: utility\n', '2: language "en_us" is not a WhatsApp language code like en, en_US or pt_BR'],
    ['name: a\nlanguage:\n  code: en\n  policy: fallback\ncategory: utility\n', '4: language policy can only be "deterministic"'],
    ['name: a\nlanguage: en\ncategory: 5\n', '3: category must be one of marketing, utility, authentication'],
    ['name: a\nlanguage: en\n', '1: missing required field "category" (marketing, utility, authentication)'],
    ['name: a\ncategory: utility\n', '1: missing required field "language" (e.g. en_US)'],
    [`${TOP}ttl: 0\n`, '4: ttl must be a whole number of seconds'],
    [`${TOP}ttl: -60\n`, '4: ttl must be a whole number of seconds'],
    [`${TOP}ttl: "60"\n`, '4: ttl must be a whole number of seconds'],
    [`${TOP}body: 5\n`, '4: body must be text'],
    [`${TOP}components: { type: body }\n`, '4: components must be a list'],
    [`${TOP}components:\n  - body\n`, '5: each component must be a mapping with a "type"'],
    [`${TOP}components:\n  - type: 5\n`, '5: component type must be one of header, body, button, carousel, limited_time_offer'],
    [`${TOP}components:\n  - type: button\n    sub_type: url\n`, '5: a button component needs index (0 for the first button)'],
    [`${TOP}components:\n  - type: button\n    index: 0\n`, '5: a button component needs sub_type (quick_reply, url, …)'],
    [`${TOP}components:\n  - type: body\n    parameters: x\n`, '6: parameters must be a list'],
    [`${TOP}components:\n  - type: body\n    parameters:\n      - type: 5\n`, '7: each parameter needs a "type" (text, image, payload, …)'],
    [`${TOP}components:\n  - type: body\n    parameters:\n      - x\n`, '7: each parameter needs a "type" (text, image, payload, …)'],
    [`${TOP}parameter_format: 5\n`, '4: parameter_format must be named or positional, as the approved template in WhatsApp Manager'],
    [`${TOP}components:\n  - type: body\n    parameters:\n      - { type: text, text: x, parameter_name: a }\n`, '7: parameter_name is for templates with named parameters: add parameter_format: named at the top of the spec, or remove it'],
    [named('      - type: text\n        text: x\n        parameter_name: ""\n'), '8: a named template needs parameter_name on each body text parameter (the {{name}} in the approved body)'],
    [named('      - { type: text, parameter_name: 5 }\n', 'header'), '8: a named template needs parameter_name on each header text parameter (the {{name}} in the approved header)'],
    [named('      - type: text\n        parameter_name: first_name!\n'), '9: parameter_name "first_name!" must be lower-case letters, digits and underscores, as in the approved template'],
    [named(`      - type: text\n        parameter_name: ${'a'.repeat(65)}\n`), `9: parameter_name "${'a'.repeat(65)}" must be lower-case letters, digits and underscores, as in the approved template`],
    [`${TOP}twilio: x\n`, '4: twilio must be a mapping with contentSid and variables'],
    [`${TOP}twilio:\n  contentSid: x${SID}\n`, '5: twilio.contentSid must be a Content SID (HX followed by 32 hex digits)'],
    [`${TOP}twilio:\n  contentSid: ${SID}0\n`, '5: twilio.contentSid must be a Content SID (HX followed by 32 hex digits)'],
    [`${TOP}twilio:\n  contentSid: 5\n`, '5: twilio.contentSid must be a Content SID (HX followed by 32 hex digits)'],
    [`${TOP}twilio:\n  contentSid: ${SID}\n  variables: [a]\n`, '6: twilio.variables must map numbers to text, e.g. "1": "{{first_name}}"'],
    [`${TOP}twilio:\n  contentSid: ${SID}\n  variables:\n    "1": { a: b }\n`, '7: twilio variable 1 must be text'],
    [`${TOP}defaults: [a]\n`, '4: defaults must map column names to text'],
    [`${TOP}defaults:\n  city: [a]\n`, '5: default for "city" must be text'],
    [`${TOP}body: "{{3}}"\ncomponents:\n  - type: body\n    parameters:\n      - { type: text, text: x }\n      - { type: text, text: y }\n`, '4: body uses {{3}} but the body component has 2 parameters'],
    [`${TOP}body: "{{0}}"\ncomponents:\n  - type: body\n    parameters:\n      - { type: text, text: x }\n`, '4: body uses {{0}} but the body component has 1 parameter'],
    [`${TOP}body: "{{12}}"\ncomponents:\n  - type: body\n    parameters:\n      - { type: text, text: x }\n`, '4: body uses {{12}} but the body component has 1 parameter'],
    [`${TOP}body: "{{1}}"\n`, '4: body uses {{1}} but the body component has 0 parameters'],
    [`${TOP}twilio:\n  contentSid: ${SID}\n  variables:\n    "1": "{{}}"\n`, '7: empty placeholder {{}}'],
  ])('%j is refused: %s', async (text, expected) => {
    expect(await refusal(text)).toBe(expected);
  });
});

describe('loadTemplateSpec: what it accepts', () => {
  it('every component type Meta has, in any case', async () => {
    const spec = await load(`${TOP}components:\n  - type: HEADER\n  - type: carousel\n  - type: limited_time_offer\n  - type: Body\n`);
    expect(spec.components).toEqual([{ type: 'HEADER' }, { type: 'carousel' }, { type: 'limited_time_offer' }, { type: 'Body' }]);
    expect(spec.lines.components).toEqual([5, 6, 7, 8]);
  });

  it('TTL at the edges of Meta\'s range has no warning; one second outside has', async () => {
    expect((await load(`${TOP}ttl: 30\n`)).warnings).toEqual([]);
    expect((await load(`${TOP}ttl: 43200\n`)).warnings).toEqual([]);
    expect((await load(`${TOP}ttl: 29\n`)).warnings).toEqual(["ttl 29 s is outside Meta's range for utility templates (30–43200 s): check the template's setting in WhatsApp Manager"]);
    expect((await load(`${TOP}ttl: 43201\n`)).warnings).toEqual(["ttl 43201 s is outside Meta's range for utility templates (30–43200 s): check the template's setting in WhatsApp Manager"]);
    expect((await load(`${TOP}ttl: 1\n`)).ttlSeconds).toBe(1);
    expect((await load(`${TOP}ttl: null\n`)).ttlSeconds).toBe(2_592_000);
  });

  it('the lines of parameter_format, twilio (its first value) and category; undefined without them', async () => {
    const spec = await load(`${TOP}parameter_format: NAMED\ntwilio:\n  contentSid: ${SID}\n  variables:\n    "1": 5\n    "2": "{{city}}"\ndefaults:\n  city: 7\n`);
    expect(spec.parameterFormat).toBe('named');
    expect(spec.lines).toEqual({ components: [], parameterFormat: 4, twilio: 6, category: 3 });
    expect(spec.twilio).toEqual({ contentSid: SID, variables: { '1': '5', '2': '{{city}}' } });
    expect(spec.defaults).toEqual(new Map([['city', '7']]));
    expect(spec.placeholders).toEqual([{ name: 'city', line: 9, inTextParameter: false }]);
    const plain = await load(TOP);
    expect(plain.lines).toEqual({ components: [], parameterFormat: undefined, twilio: undefined, category: 3 });
    expect(plain.parameterFormat).toBe('positional');
    expect(plain.twilio).toBeUndefined();
    expect((await load(`${TOP}twilio:\n  contentSid: ${SID}\n`)).twilio).toEqual({ contentSid: SID, variables: {} });
  });

  it('language with the deterministic policy', async () => {
    expect((await load('name: a\nlanguage: { code: pt_BR, policy: deterministic }\ncategory: utility\n')).language).toEqual({ code: 'pt_BR', policy: 'deterministic' });
  });

  it('a named spec: names only on body and header text parameters; a text kept as written', async () => {
    const spec = await load(
      `${TOP}parameter_format: named\ncomponents:\n  - type: header\n    parameters:\n      - { type: image, image: { link: x } }\n  - type: body\n    parameters:\n      - { type: text, parameter_name: a, text: "{{b}}" }\n      - { type: currency, currency: { code: EUR } }\n  - type: button\n    sub_type: url\n    index: 0\n    parameters:\n      - { type: text, text: "{{c}}" }\n`,
    );
    expect(spec.placeholders).toEqual([
      { name: 'b', line: 11, inTextParameter: true },
      { name: 'c', line: 17, inTextParameter: true },
    ]);
  });

  it('body placeholders: numbers refer to body parameters, other names are columns (a1, 1a)', async () => {
    const spec = await load(`${TOP}body: "{{1}} {{a1}} {{1a}}"\ncomponents:\n  - type: body\n    parameters:\n      - { type: text, text: x }\n`);
    expect(spec.placeholders).toEqual([
      { name: 'a1', line: 4, inTextParameter: false },
      { name: '1a', line: 4, inTextParameter: false },
    ]);
  });
});
