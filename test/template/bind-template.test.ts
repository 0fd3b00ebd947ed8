import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { BoundTemplate, MAX_BODY_CHARACTERS } from '../../src/template/bind-template.js';
import { loadTemplateSpec } from '../../src/template/load-template-spec.js';
import { fixture } from '../helpers.js';

const SPEC = `name: spring_sale
language: en_GB
category: marketing
body: |
  Hi {{1}}, {{2}} off.
  Price {{3}}, code {{code}}
components:
  - type: header
    parameters:
      - type: image
        image: { link: "https://example.com/{{image}}.jpg" }
  - type: body
    parameters:
      - { type: text, text: "{{first_name}}" }
      - { type: text, text: "{{discount}}" }
      - type: currency
        currency: { fallback_value: "{{price}}", code: EUR, amount_1000: 1000 }
  - type: button
    sub_type: url
    index: "0"
    parameters:
      - { type: text, text: "{{code}}" }
defaults:
  first_name: there
twilio:
  contentSid: HX0123456789abcdef0123456789abcdef
  variables:
    "1": "{{first_name}}"
    "2": "{{discount}}"
`;
const HEADER = ['phone', 'opt_in', 'first_name', 'discount', 'price', 'code', 'image'];

async function bind(specText = SPEC, header = HEADER) {
  const dir = await fixture({ 'offer.yaml': specText });
  return new BoundTemplate(await loadTemplateSpec(path.join(dir, 'offer.yaml')), header, 'campaign.csv');
}

const row = (values: Partial<Record<string, string>>) => HEADER.map((name) => values[name] ?? '');
const ANA = row({ first_name: 'Ana', discount: '20%', price: '€9', code: 'SPRING-ANA', image: 'spring' });

describe('BoundTemplate', () => {
  it('refuses a placeholder that is not a column, naming it, the spec file and line, and a near match', async () => {
    const error = await bind(SPEC, ['phone', 'opt_in', 'First_Name', 'discount', 'price', 'code', 'image']).catch((e: unknown) => e) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe('placeholder {{first_name}} is not a column of campaign.csv (did you mean {{First_Name}}?)');
    expect(error.location).toEqual({ file: expect.stringContaining('offer.yaml'), line: 14 });
  });

  it('suggests a column one typo away', async () => {
    const error = (await bind(SPEC.replace('{{first_name}}', '{{frist_name}}')).catch((e: unknown) => e)) as InputError;
    expect(error.message).toBe('placeholder {{frist_name}} is not a column of campaign.csv (did you mean {{first_name}}?)');
  });

  it('names every placeholder that is not a column in one error, each with its did-you-mean, at the first one\'s line', async () => {
    const header = ['phone', 'opt_in', 'First_Name', 'discount', 'price', 'image'];
    const error = (await bind(SPEC.replace('{{discount}}', '{{dicsount}}'), header).catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(
      /^3 placeholders are not columns of campaign\.csv: \{\{first_name\}\} \(did you mean \{\{First_Name\}\}\?\), \{\{dicsount\}\} \(line \d+: did you mean \{\{discount\}\}\?\) and \{\{code\}\} \(line \d+\) \(columns: phone, opt_in, First_Name, discount, price, image\)$/,
    );
    expect(error.location).toEqual({ file: expect.stringContaining('offer.yaml'), line: 14 });
  });

  it('lists the columns when no column is close', async () => {
    const error = await bind(SPEC, ['phone', 'opt_in', 'first_name', 'discount', 'price', 'image']).catch((e: unknown) => e) as InputError;
    expect(error.message).toContain('{{code}}');
    expect(error.message).toContain('columns: phone, opt_in, first_name, discount, price, image');
  });

  it('renders the Cloud API template object for a row', async () => {
    const template = (await bind()).render(ANA);
    expect(template).toEqual({
      name: 'spring_sale',
      language: { code: 'en_GB' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/spring.jpg' } }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
            { type: 'text', text: '20%' },
            { type: 'currency', currency: { fallback_value: '€9', code: 'EUR', amount_1000: 1000 } },
          ],
        },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'SPRING-ANA' }] },
      ],
    });
  });

  it('renders the body with numbered and named placeholders, and Twilio variables', async () => {
    const bound = await bind();
    expect(bound.renderBody(ANA)).toBe('Hi Ana, 20% off.\nPrice €9, code SPRING-ANA\n');
    expect(bound.renderTwilioVariables(ANA)).toEqual({ 1: 'Ana', 2: '20%' });
  });

  it('uses a default for an empty column, which is then not required', async () => {
    const bound = await bind();
    const noName = row({ discount: '20%', price: '€9', code: 'X', image: 'i' });
    expect(bound.checkVariables(noName)).toBeUndefined();
    expect(bound.renderBody(noName)).toContain('Hi there,');
  });

  it('rejects an empty required variable, naming the column', async () => {
    const bound = await bind();
    expect(bound.checkVariables(row({ first_name: 'Ana', discount: ' ', price: '€9', code: 'X', image: 'i' }))).toEqual({
      reason: 'missing_variable',
      detail: '"discount" is empty',
    });
  });

  it.each(['Ana\nSmith', 'Ana\tSmith', 'Ana     Smith'])('rejects %j in a text parameter', async (name) => {
    const problem = (await bind()).checkVariables(row({ first_name: name, discount: '20%', price: '€9', code: 'X', image: 'i' }));
    expect(problem?.reason).toBe('invalid_variable');
  });

  it('allows four spaces in a row, and newlines outside text parameters', async () => {
    const bound = await bind();
    expect(bound.checkVariables(row({ first_name: 'Ana    Smith', discount: '20%', price: '€\n9', code: 'X', image: 'i' }))).toBeUndefined();
  });

  it('rejects a row whose rendered body is over the limit', async () => {
    const bound = await bind();
    const long = 'x'.repeat(MAX_BODY_CHARACTERS);
    expect(bound.checkVariables(row({ first_name: 'Ana', discount: '20%', price: '€9', code: long, image: 'i' }))?.reason).toBe('body_too_long');
  });
});
