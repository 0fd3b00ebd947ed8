import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadTemplateSpec } from '../../src/template/load-template-spec.js';
import { fixture } from '../helpers.js';

async function load(name: string, text: string) {
  const dir = await fixture({ [name]: text });
  return loadTemplateSpec(path.join(dir, name));
}

async function failure(name: string, text: string): Promise<InputError> {
  const error = await load(name, text).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

const YAML_SPEC = `name: spring_sale
language: en_GB
category: MARKETING
body: "Hi {{1}}, {{2}} off. Code {{code}}"
components:
  - type: body
    parameters:
      - type: text
        text: "{{first_name}}"
      - type: text
        text: "{{discount}}"
  - type: button
    sub_type: url
    index: "0"
    parameters:
      - type: text
        text: "{{code}}"
defaults:
  first_name: there
`;

describe('loadTemplateSpec', () => {
  it('reads a YAML spec: category lower-cased, default TTL, placeholders with their lines', async () => {
    const spec = await load('offer.yaml', YAML_SPEC);
    expect(spec).toMatchObject({ name: 'spring_sale', language: { code: 'en_GB' }, category: 'marketing', ttlSeconds: 2_592_000 });
    expect(spec.defaults).toEqual(new Map([['first_name', 'there']]));
    expect(spec.placeholders).toEqual([
      { name: 'first_name', line: 9, inTextParameter: true },
      { name: 'discount', line: 11, inTextParameter: true },
      { name: 'code', line: 17, inTextParameter: true },
      { name: 'code', line: 4, inTextParameter: false },
    ]);
    expect(spec.warnings).toEqual([]);
  });

  it('reads the same spec as JSON, with language as an object', async () => {
    const spec = await load(
      'offer.json',
      JSON.stringify({
        name: 'order_update',
        language: { code: 'pt_BR', policy: 'deterministic' },
        category: 'utility',
        ttl: 3600,
        components: [{ type: 'body', parameters: [{ type: 'text', text: '{{order}}' }] }],
        twilio: { contentSid: `HX${'a'.repeat(32)}`, variables: { 1: '{{order}}' } },
      }),
    );
    expect(spec).toMatchObject({ category: 'utility', ttlSeconds: 3600, language: { code: 'pt_BR', policy: 'deterministic' } });
    expect(spec.twilio).toEqual({ contentSid: `HX${'a'.repeat(32)}`, variables: { 1: '{{order}}' } });
    expect(spec.placeholders.map((p) => p.name)).toEqual(['order', 'order']);
  });

  it('names file and line of a truncated JSON spec', async () => {
    const error = await failure('offer.json', '{\n  "name": "spring_sale",\n  "language": "en_GB",\n  "category": "mark');
    expect(error.location?.file).toContain('offer.json');
    expect(error.location?.line).toBe(4);
    expect(error.message).toMatch(/^not valid YAML or JSON/);
    expect(error.message).not.toContain('\n');
  });

  it('names file and line of broken YAML', async () => {
    const error = await failure('offer.yaml', 'name: a\nlanguage: en\n  category: [marketing\n');
    expect(error.location?.line).toBe(2);
    expect(error.message).not.toContain('\n');
  });

  it.each([
    ['', 'empty', undefined],
    ['- a\n- b\n', 'mapping of fields', undefined],
    ['language: en\ncategory: marketing\n', 'missing required field "name"', undefined],
    ['name: Spring Sale\nlanguage: en\ncategory: marketing\n', 'lower-case', 1],
    ['name: a\ncategory: marketing\n', 'missing required field "language"', undefined],
    ['name: a\nlanguage: english\ncategory: marketing\n', 'not a WhatsApp language code', 2],
    ['name: a\nlanguage: en\n', 'missing required field "category"', undefined],
    ['name: a\nlanguage: en\ncategory: promo\n', 'category must be one of', 3],
    ['name: a\nlanguage: en\ncategory: utility\nttl: 1.5\n', 'whole number of seconds', 4],
    ['name: a\nlanguage: en\ncategory: utility\ncategroy: x\n', 'unknown field "categroy"', 4],
    ['name: a\nlanguage: en\ncategory: utility\ncomponents:\n  - type: footer\n', 'component type', 5],
    ['name: a\nlanguage: en\ncategory: utility\ncomponents:\n  - type: button\n    parameters: []\n', 'sub_type', 5],
    ['name: a\nlanguage: en\ncategory: utility\ncomponents:\n  - type: body\n    parameters:\n      - text: hi\n', 'needs a "type"', 7],
    ['name: a\nlanguage: en\ncategory: utility\nbody: "Hi {{2}}"\ncomponents:\n  - type: body\n    parameters:\n      - {type: text, text: x}\n', 'body uses {{2}}', 4],
    ['name: a\nlanguage: en\ncategory: utility\ntwilio:\n  contentSid: nope\n', 'Content SID', 5],
    ['name: a\nlanguage: en\ncategory: utility\nbody: "Hi {{ }}"\n', 'empty placeholder', 4],
    ['name: a\nname: b\nlanguage: en\ncategory: utility\n', 'not valid YAML or JSON', 2],
  ])('refuses %j: %s (line %s)', async (text, message, line) => {
    const error = await failure('spec.yaml', text);
    expect(error.message).toContain(message);
    if (line !== undefined) expect(error.location?.line).toBe(line);
    expect(error.location?.file).toContain('spec.yaml');
  });

  it('warns when a TTL is outside Meta range for the category', async () => {
    const spec = await load('s.yaml', 'name: a\nlanguage: en\ncategory: marketing\nttl: 600\n');
    expect(spec.ttlSeconds).toBe(600);
    expect(spec.warnings[0]).toContain('outside Meta');
  });

  it('defaults authentication templates to a 10-minute TTL', async () => {
    expect((await load('s.yaml', 'name: otp\nlanguage: en\ncategory: authentication\n')).ttlSeconds).toBe(600);
  });

  it('names a missing spec file', async () => {
    const error = await loadTemplateSpec('/nonexistent/offer.yaml').catch((e: unknown) => e) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.location).toEqual({ file: '/nonexistent/offer.yaml' });
  });
});

describe('loadTemplateSpec: files that are not a spec', () => {
  it('a spec over 1 MB is refused at once, naming its size, without parsing it', async () => {
    const error = await failure('huge.yaml', `${YAML_SPEC}body: "${'x'.repeat(1 << 20)}"\n`);
    expect(error.message).toBe('the template spec is 1.0 MB; a spec is a few KB (at most 1 MB): is this the right file?');
  });

  it('a named pipe is refused, not waited on for ever', async () => {
    const dir = await fixture({});
    const fifo = path.join(dir, 'spec.yaml');
    execFileSync('mkfifo', [fifo]);
    const error = (await loadTemplateSpec(fifo).catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/named pipe|not a regular file/);
  });
});

describe('loadTemplateSpec: named parameters', () => {
  const named = (parameters: string, top = 'parameter_format: named\n') =>
    `name: order_ready\nlanguage: en_GB\ncategory: utility\n${top}components:\n  - type: body\n    parameters:\n${parameters}`;

  it('a named parameter without text takes the column of its name, checked like any placeholder', async () => {
    const spec = await load('s.yaml', named('      - {type: text, parameter_name: first_name}\n      - {type: text, parameter_name: order_number, text: "{{order}}"}\n'));
    expect(spec.parameterFormat).toBe('named');
    expect(spec.components).toEqual([{ type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: '{{first_name}}' }, { type: 'text', parameter_name: 'order_number', text: '{{order}}' }] }]);
    expect(spec.placeholders.map((p) => p.name)).toEqual(['first_name', 'order']);
  });

  it('a named template needs parameter_name on every body text parameter', async () => {
    const error = await failure('s.yaml', named('      - {type: text, parameter_name: first_name}\n      - {type: text, text: "{{order}}"}\n'));
    expect(error.location).toEqual({ file: expect.stringMatching(/s\.yaml$/), line: 9 });
    expect(error.message).toBe('a named template needs parameter_name on each body text parameter (the {{name}} in the approved body)');
  });

  it('parameter_name on a positional spec, a name Meta would refuse, and an unknown format are refused at their line', async () => {
    expect((await failure('s.yaml', named('      - {type: text, parameter_name: first_name}\n', ''))).message).toMatch(/^parameter_name is for templates with named parameters: add parameter_format: named/);
    expect((await failure('s.yaml', named('      - {type: text, parameter_name: First-Name}\n'))).message).toBe('parameter_name "First-Name" must be lower-case letters, digits and underscores, as in the approved template');
    const format = await failure('s.yaml', named('      - {type: text, text: x}\n', 'parameter_format: NAMES\n'));
    expect(format.location?.line).toBe(4);
    expect(format.message).toBe('parameter_format must be named or positional, as the approved template in WhatsApp Manager');
  });
});
