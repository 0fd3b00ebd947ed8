import { describe, expect, it } from 'vitest';
import { enforceTemplate } from '../../../src/providers/cloud-api/enforce-template.js';
import type { EmulatedTemplate } from '../../../src/providers/emulator-route.js';
import type { AccountTemplate, TemplateButton } from '../../../src/template/account-template.js';
import { accountTemplate } from '../../template-builders.js';

function template(overrides: Partial<AccountTemplate> = {}): AccountTemplate {
  return accountTemplate({
    name: 'spring_sale',
    quality: undefined,
    body: { text: 'Hi {{1}}, {{2}} off', parameters: [{ name: '1', example: 'Ana' }, { name: '2', example: '10%' }] },
    id: undefined,
    ...overrides,
  });
}
const button = (index: number, type: string, needsParameter: boolean, takesParameter: boolean): TemplateButton => ({ index, type, text: 'b', url: undefined, example: undefined, needsParameter, takesParameter }) as TemplateButton;
const account = (t: AccountTemplate): EmulatedTemplate[] => [{ meta: {}, template: t, contentSid: undefined }];
const text = (value: string, name?: string) => (name === undefined ? { type: 'text', text: value } : { type: 'text', text: value, parameter_name: name });
const body = (...parameters: unknown[]) => ({ type: 'body', parameters });
const send = (components: unknown, name = 'spring_sale', language = 'en_GB') => ({ name, language, components });
const mismatch = (what: string, given: number, expected: number) => ({
  code: 132000,
  title: 'Number of parameters does not match the expected number of params',
  details: `${what}: number of localizable_params (${given}) does not match the expected number of params (${expected})`,
});

describe('enforceTemplate: the template', () => {
  it('takes a send that matches', () => {
    expect(enforceTemplate(send([body(text('Ana'), text('10%'))]), account(template()))).toBe(undefined);
  });

  it('refuses an unknown name or language with 132001', () => {
    expect(enforceTemplate(send([], 'autumn_sale'), account(template()))).toEqual({ code: 132001, title: 'Template name does not exist in the translation', details: 'template name (autumn_sale) does not exist in en_GB' });
    expect(enforceTemplate(send([], 'spring_sale', 'en_US'), account(template()))).toEqual({ code: 132001, title: 'Template name does not exist in the translation', details: 'template name (spring_sale) does not exist in en_US' });
  });

  it('refuses a paused (132015), disabled (132016) or otherwise unapproved (132001) template', () => {
    expect(enforceTemplate(send([]), account(template({ status: 'PAUSED' })))).toEqual({ code: 132015, title: 'Template is paused', details: 'template name (spring_sale) is paused' });
    expect(enforceTemplate(send([]), account(template({ status: 'DISABLED' })))).toEqual({ code: 132016, title: 'Template is disabled', details: 'template name (spring_sale) is disabled' });
    expect(enforceTemplate(send([]), account(template({ status: 'PENDING' })))).toEqual({ code: 132001, title: 'Template name does not exist in the translation', details: 'template name (spring_sale) does not exist in en_GB' });
  });
});

describe('enforceTemplate: header and body parameters', () => {
  it('counts the body parameters (132000), whatever case the component type is in', () => {
    expect(enforceTemplate(send([body(text('Ana'))]), account(template()))).toEqual(mismatch('body', 1, 2));
    expect(enforceTemplate(send([]), account(template()))).toEqual(mismatch('body', 0, 2));
    expect(enforceTemplate(send('not a list'), account(template()))).toEqual(mismatch('body', 0, 2));
    expect(enforceTemplate(send([{ type: 'BODY', parameters: [text('Ana'), text('10%')] }]), account(template()))).toBe(undefined);
    expect(enforceTemplate(send([{ type: 'body', parameters: 'x' }]), account(template()))).toEqual(mismatch('body', 0, 2));
    expect(enforceTemplate(send([{ type: 'body', parameters: [text('Ana'), 'x', text('10%')] }, 'junk']), account(template()))).toBe(undefined);
    expect(enforceTemplate(send([]), account(template({ body: undefined })))).toBe(undefined);
  });

  it('counts a text header parameter', () => {
    const t = template({ header: { format: 'TEXT', text: 'Hi {{1}}', parameters: [{ name: '1', example: 'Ana' }], example: undefined } });
    expect(enforceTemplate(send([body(text('Ana'), text('10%'))]), account(t))).toEqual(mismatch('header', 0, 1));
    expect(enforceTemplate(send([{ type: 'Header', parameters: [text('Ana')] }, body(text('Ana'), text('10%'))]), account(t))).toBe(undefined);
  });

  it("wants a media header's one parameter of its format (132012)", () => {
    const t = template({ header: { format: 'IMAGE', text: undefined, parameters: [], example: 'h' }, body: undefined });
    const image = { type: 'image', image: { link: 'https://example.test/a.png' } };
    expect(enforceTemplate(send([{ type: 'header', parameters: [image] }]), account(t))).toBe(undefined);
    expect(enforceTemplate(send([{ type: 'header', parameters: [{ type: 'video' }] }]), account(t))).toEqual({
      code: 132012,
      title: 'Parameter format does not match format in the created template',
      details: 'header: Format mismatch, expected IMAGE, received VIDEO',
    });
    expect(enforceTemplate(send([]), account(t))).toEqual({ code: 132012, title: 'Parameter format does not match format in the created template', details: 'header: Format mismatch, expected IMAGE, received UNKNOWN' });
    expect(enforceTemplate(send([{ type: 'header', parameters: [image, image] }]), account(t))).toEqual(mismatch('header', 2, 1));
  });

  it("wants every text parameter of a named template to carry its name (100), and each of the template's names (132000)", () => {
    const t = template({ parameterFormat: 'named', body: { text: 'Hi {{first_name}} {{offer}}', parameters: [{ name: 'first_name', example: 'Ana' }, { name: 'offer', example: '10%' }] } });
    expect(enforceTemplate(send([body(text('Ana', 'first_name'), text('10%', 'offer'))]), account(t))).toBe(undefined);
    const unnamed = { code: 100, title: 'Invalid parameter', details: 'Parameter name is missing or empty' };
    expect(enforceTemplate(send([body(text('Ana'), text('10%', 'offer'))]), account(t))).toEqual(unnamed);
    expect(enforceTemplate(send([body(text('Ana', ''), text('10%', 'offer'))]), account(t))).toEqual(unnamed);
    expect(enforceTemplate(send([body(text('Ana', 'first_name'))]), account(t))).toEqual(mismatch('body', 1, 2));
    expect(enforceTemplate(send([body(text('Ana', 'first_name'), text('10%', 'first_name'))]), account(t))).toEqual({
      code: 132000,
      title: 'Number of parameters does not match the expected number of params',
      details: 'body: parameter offer is missing',
    });
    expect(enforceTemplate(send([body({ type: 'currency', currency: {} }, text('10%', 'offer'))]), account(t))).toEqual({
      code: 132000,
      title: 'Number of parameters does not match the expected number of params',
      details: 'body: parameter first_name is missing',
    });
  });

  it('does not ask names of a positional template', () => {
    expect(enforceTemplate(send([body(text('Ana', 'x'), text('10%', 'y'))]), account(template()))).toBe(undefined);
  });
});

describe('enforceTemplate: buttons', () => {
  const withButtons = template({ body: undefined, buttons: [button(0, 'QUICK_REPLY', false, true), button(1, 'URL', true, true), button(2, 'PHONE_NUMBER', false, false)] });
  const urlButton = { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'abc' }] };

  it('takes the parameter of a dynamic button, and a payload for a quick reply', () => {
    expect(enforceTemplate(send([urlButton]), account(withButtons))).toBe(undefined);
    expect(enforceTemplate(send([urlButton, { type: 'BUTTON', sub_type: 'quick_reply', index: 0, parameters: [{ type: 'payload', payload: 'p' }] }]), account(withButtons))).toBe(undefined);
  });

  it('refuses a dynamic button without its parameter (131008)', () => {
    const missing = { code: 131008, title: 'Required parameter is missing', details: 'buttons: Button at index 1 of type Url requires a parameter' };
    expect(enforceTemplate(send([]), account(withButtons))).toEqual(missing);
    expect(enforceTemplate(send([{ ...urlButton, parameters: [] }]), account(withButtons))).toEqual(missing);
    expect(enforceTemplate(send([{ ...urlButton, parameters: 'abc' }]), account(withButtons))).toEqual(missing);
  });

  it('refuses a button that does not exist or takes no parameter (100)', () => {
    expect(enforceTemplate(send([urlButton, { type: 'button', index: 'x' }]), account(withButtons))).toEqual({ code: 100, title: 'Invalid parameter', details: 'buttons: Button at index x does not exist' });
    expect(enforceTemplate(send([urlButton, { type: 'button', index: 3 }]), account(withButtons))).toEqual({ code: 100, title: 'Invalid parameter', details: 'buttons: Button at index 3 does not exist' });
    expect(enforceTemplate(send([urlButton, { type: 'button', index: '2', parameters: [] }]), account(withButtons))).toEqual({
      code: 100,
      title: 'Invalid parameter',
      details: 'buttons: Button at index 2 is of type Call and does not support parameters',
    });
    const copy = template({ body: undefined, buttons: [button(0, 'COPY_CODE', true, true)] });
    expect(enforceTemplate(send([]), account(copy))).toEqual({ code: 131008, title: 'Required parameter is missing', details: 'buttons: Button at index 0 of type Copy_code requires a parameter' });
  });

  it('checks the header and body before the buttons', () => {
    expect(enforceTemplate(send([]), account({ ...withButtons, body: template().body }))).toEqual(mismatch('body', 0, 2));
  });
});
