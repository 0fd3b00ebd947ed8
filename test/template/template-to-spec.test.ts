import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccountTemplate } from '../../src/template/account-template.js';
import { loadTemplateSpec } from '../../src/template/load-template-spec.js';
import { templateToSpec } from '../../src/template/template-to-spec.js';
import { fixture } from '../helpers.js';
import { accountTemplate, templateButton as button } from '../template-builders.js';

/*
 * `templates pull` (SPEC "templates pull"): the exact text written for each kind of template, and
 * that what it writes loads as a spec (validate reads it as it is).
 */

const base = (over: Partial<AccountTemplate> = {}): AccountTemplate => accountTemplate({ name: 'spring_sale', id: '1234', ...over });

const HEAD = [
  '# spring_sale (en_GB) as WhatsApp Manager holds it: APPROVED, MARKETING, quality high.',
  '# Written by wa-broadcast templates pull. Each {{column}} is a column of the recipients CSV:',
  '# rename them to your columns (keep parameter_name as it is), then run validate.',
  'name: spring_sale',
  'language: en_GB',
  'category: marketing',
];

const lines = (text: string): string[] => {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
};

async function loads(text: string) {
  const dir = await fixture({ 'pulled.template.yaml': text });
  return loadTemplateSpec(path.join(dir, 'pulled.template.yaml'));
}

describe('templateToSpec: Cloud API templates', () => {
  it('a template without parameters: components: [] with its reason, no ttl line', async () => {
    const text = templateToSpec(base(), 'WhatsApp Manager');
    expect(lines(text)).toEqual([...HEAD, '', 'components: []   # the template takes no parameters']);
    const spec = await loads(text);
    expect(spec.components).toEqual([]);
    expect(spec.category).toBe('marketing');
  });

  it('positional: a text header, the body with its examples, ttl, every kind of button', async () => {
    const text = templateToSpec(
      base({
        ttlSeconds: 3600,
        header: { format: 'TEXT', text: 'Hi {{1}}', parameters: [{ name: '1', example: 'Ann' }], example: undefined },
        body: { text: 'Hello "{{1}}", {{2}} off', parameters: [{ name: '1', example: 'Ann "A"' }, { name: '2', example: undefined }] },
        buttons: [
          button({ index: 0, type: 'URL', url: 'https://shop.example/{{1}}', example: 'spring', needsParameter: true, takesParameter: true }),
          button({ index: 1, type: 'URL', url: 'https://shop.example/', takesParameter: false }),
          button({ index: 2, type: 'URL', takesParameter: true, needsParameter: false }),
          button({ index: 3, type: 'COPY_CODE', example: 'SPRING25', needsParameter: true, takesParameter: true }),
          button({ index: 4, type: 'QUICK_REPLY', text: '  Stop promotions! ', takesParameter: true }),
          button({ index: 5, type: 'QUICK_REPLY', takesParameter: true }),
          button({ index: 6, type: 'FLOW', text: 'Book', takesParameter: true }),
          button({ index: 7, type: 'PHONE_NUMBER', text: 'Call' }),
        ],
      }),
      'WhatsApp Manager',
    );
    expect(lines(text)).toEqual([
      ...HEAD,
      "ttl: 3600   # the template's message_send_ttl_seconds",
      '',
      '# The approved body text, for the preview and the length check.',
      'body: "Hello \\"{{1}}\\", {{2}} off"',
      '',
      'components:',
      '  - type: header',
      '    parameters:',
      '      - type: text',
      '        text: "{{header_var1}}"   # approved example: "Ann"',
      '  - type: body',
      '    parameters:',
      '      - type: text',
      '        text: "{{var1}}"   # approved example: "Ann \\"A\\""',
      '      - type: text',
      '        text: "{{var2}}"',
      '  - type: button',
      '    sub_type: url',
      '    index: 0',
      '    parameters:',
      '      - type: text',
      '        text: "{{button0_url}}"   # approved example: "spring"; the end of https://shop.example/{{1}}',
      '  - type: button',
      '    sub_type: copy_code',
      '    index: 3',
      '    parameters:',
      '      - type: coupon_code',
      '        coupon_code: "{{coupon_code}}"   # approved example: "SPRING25"; at most 15 characters',
      '  - type: button',
      '    sub_type: quick_reply',
      '    index: 4',
      '    parameters:',
      '      - type: payload',
      `        payload: "STOP_PROMOTIONS"   # comes back in the reply to "  Stop promotions! ": add it to reconcile's --opt-out-keywords if it opts out`,
      '  - type: button',
      '    sub_type: quick_reply',
      '    index: 5',
      '    parameters:',
      '      - type: payload',
      `        payload: "BUTTON_5"   # comes back in the reply to "": add it to reconcile's --opt-out-keywords if it opts out`,
      '  # button 6 (FLOW) may take a parameter: add a component with type: button, index: 6 if it should',
    ]);
    const spec = await loads(text);
    expect(spec.ttlSeconds).toBe(3600);
    expect(spec.body).toBe('Hello "{{1}}", {{2}} off');
    expect(spec.parameterFormat).toBe('positional');
    expect(spec.placeholders.map((p) => p.name)).toEqual(['header_var1', 'var1', 'var2', 'button0_url', 'coupon_code']);
  });

  it('a URL button without its URL or example, and an OTP button', () => {
    const text = templateToSpec(
      base({
        category: 'AUTHENTICATION',
        buttons: [
          button({ index: 0, type: 'OTP', needsParameter: true, takesParameter: true }),
          button({ index: 1, type: 'URL', needsParameter: true, takesParameter: true }),
        ],
      }),
      'WhatsApp Manager',
    );
    expect(lines(text).slice(3)).toEqual([
      'name: spring_sale',
      'language: en_GB',
      'category: authentication',
      '',
      'components:',
      '  - type: button',
      '    sub_type: url',
      '    index: 0',
      '    parameters:',
      '      - type: text',
      `        text: "{{code}}"   # the one-time code, also the body's parameter`,
      '  - type: button',
      '    sub_type: url',
      '    index: 1',
      '    parameters:',
      '      - type: text',
      '        text: "{{button1_url}}"   # the end of the URL',
    ]);
    expect(lines(text)[0]).toBe('# spring_sale (en_GB) as WhatsApp Manager holds it: APPROVED, AUTHENTICATION, quality high.');
  });

  it('quick-reply payloads: runs of other characters are one underscore, none at either end', () => {
    const payload = (text: string) => {
      const out = templateToSpec(base({ buttons: [button({ index: 0, type: 'QUICK_REPLY', text, takesParameter: true })] }), 'x');
      return /payload: "([^"]*)"/.exec(out)![1];
    };
    expect(payload('__yes, please__')).toBe('YES_PLEASE');
    expect(payload('-- Opt out 2 --')).toBe('OPT_OUT_2');
    expect(payload('ok')).toBe('OK');
  });

  it('named: parameter_format and each parameter_name, the columns by their names', async () => {
    const text = templateToSpec(
      base({
        parameterFormat: 'named',
        ttlSeconds: -1,
        category: 'UTILITY',
        header: { format: 'TEXT', text: 'Order {{order_id}}', parameters: [{ name: 'order_id', example: 'A-1' }], example: undefined },
        body: { text: 'Hi {{first_name}}', parameters: [{ name: 'first_name', example: 'Ann' }] },
      }),
      'WhatsApp Manager',
    );
    expect(lines(text).slice(5)).toEqual([
      'category: utility',
      '# Named parameters: each body and header text parameter is sent with its parameter_name.',
      'parameter_format: named',
      "ttl: 2592000   # the template's message_send_ttl_seconds (-1: 30 days)",
      '',
      '# The approved body text, for the preview and the length check.',
      'body: "Hi {{first_name}}"',
      '',
      'components:',
      '  - type: header',
      '    parameters:',
      '      - type: text',
      '        parameter_name: order_id',
      '        text: "{{order_id}}"   # approved example: "A-1"',
      '  - type: body',
      '    parameters:',
      '      - type: text',
      '        parameter_name: first_name',
      '        text: "{{first_name}}"   # approved example: "Ann"',
    ]);
    const spec = await loads(text);
    expect(spec.parameterFormat).toBe('named');
    expect(spec.ttlSeconds).toBe(2_592_000);
    expect(spec.category).toBe('utility');
  });

  it('a text header without a parameter and a body without parameters write no component', () => {
    const text = templateToSpec(
      base({
        header: { format: 'TEXT', text: 'Spring', parameters: [], example: undefined },
        body: { text: 'Hello all', parameters: [] },
        ttlSeconds: 0,
      }),
      'WhatsApp Manager',
    );
    expect(lines(text).slice(6)).toEqual([
      '',
      '# The approved body text, for the preview and the length check.',
      'body: "Hello all"',
      '',
      'components: []   # the template takes no parameters',
    ]);
  });

  it.each([
    ['IMAGE', 'https://cdn.example/a.jpg', ['      - type: image', '        image:', '          link: "https://cdn.example/a.jpg"   # the approved example, the same for everyone: a {{column}} works too']],
    ['VIDEO', '4::aGFuZGxl', ['      - type: video', '        video:', '          link: "{{header_video_link}}"   # a public https link to the video, or the same link for everyone']],
    ['DOCUMENT', undefined, ['      - type: document', '        document:', '          link: "{{header_document_link}}"   # a public https link to the document, or the same link for everyone']],
    ['IMAGE', 'http://cdn.example/a.jpg', ['      - type: image', '        image:', '          link: "{{header_image_link}}"   # a public https link to the image, or the same link for everyone']],
    ['IMAGE', 'see https://cdn.example/a.jpg', ['      - type: image', '        image:', '          link: "{{header_image_link}}"   # a public https link to the image, or the same link for everyone']],
    [
      'LOCATION',
      undefined,
      [
        '      - type: location',
        '        location:',
        '          latitude: "{{location_latitude}}"',
        '          longitude: "{{location_longitude}}"',
        '          name: "{{location_name}}"',
        '          address: "{{location_address}}"',
      ],
    ],
    ['PRODUCT', undefined, ['      # a PRODUCT header: give its parameter as the Cloud API takes it']],
  ])('a %s header (example %s)', (format, example, expected) => {
    const text = templateToSpec(base({ header: { format, text: undefined, parameters: [], example } }), 'WhatsApp Manager');
    expect(lines(text).slice(6)).toEqual(['', 'components:', '  - type: header', '    parameters:', ...expected]);
  });

  it('a media header loads as a spec', async () => {
    const spec = await loads(templateToSpec(base({ header: { format: 'IMAGE', text: undefined, parameters: [], example: undefined } }), 'x'));
    expect(spec.components).toEqual([{ type: 'header', parameters: [{ type: 'image', image: { link: '{{header_image_link}}' } }] }]);
  });
});

describe('templateToSpec: the first lines', () => {
  it('a template not approved says so; a category the tool does not know is written as marketing with a note', () => {
    const text = templateToSpec(base({ status: 'PAUSED', category: 'TRANSACTIONAL', quality: undefined }), '360dialog');
    expect(lines(text).slice(0, 7)).toEqual([
      '# spring_sale (en_GB) as 360dialog holds it: PAUSED, TRANSACTIONAL.',
      '# Written by wa-broadcast templates pull. Each {{column}} is a column of the recipients CSV:',
      '# rename them to your columns (keep parameter_name as it is), then run validate.',
      '# It is PAUSED: it cannot be sent until WhatsApp Manager shows it Active.',
      'name: spring_sale',
      'language: en_GB',
      'category: marketing   # the account says TRANSACTIONAL: set the category it is priced as',
    ]);
  });

  it('no category: says the account gives none', () => {
    const text = templateToSpec(base({ category: undefined, quality: 'RED' }), 'WhatsApp Manager');
    expect(lines(text)[0]).toBe('# spring_sale (en_GB) as WhatsApp Manager holds it: APPROVED, quality low.');
    expect(lines(text)[5]).toBe('category: marketing   # the account says nothing: set the category it is priced as');
  });
});

describe('templateToSpec: Twilio Content templates', () => {
  const SID = 'HX0123456789abcdef0123456789abcdef';

  it('the Content SID and each variable from a column; the body with the columns in place', async () => {
    const text = templateToSpec(
      base({
        id: SID,
        category: 'UTILITY',
        quality: undefined,
        ttlSeconds: 600,
        body: { text: 'Hi {{ 1 }}, your order {{order}} ships {{2}}', parameters: [] },
        twilioVariables: [
          { key: '1', example: 'Ann' },
          { key: 'order', example: undefined },
          { key: '2', example: 'today' },
        ],
      }),
      'Twilio',
    );
    expect(lines(text)).toEqual([
      '# spring_sale (en_GB) as Twilio holds it: APPROVED, UTILITY.',
      '# Written by wa-broadcast templates pull. Each {{column}} is a column of the recipients CSV:',
      '# rename them to your columns (keep parameter_name as it is), then run validate.',
      'name: spring_sale',
      'language: en_GB',
      'category: utility',
      "ttl: 600   # the template's message_send_ttl_seconds",
      '',
      '# The approved body text, for the preview and the length check.',
      'body: "Hi {{var1}}, your order {{order}} ships {{var2}}"',
      '',
      '# Twilio sends the Content template by its SID; each of its variables from a column.',
      'twilio:',
      `  contentSid: ${SID}`,
      '  variables:',
      '    "1": "{{var1}}"   # approved example: "Ann"',
      '    "order": "{{order}}"',
      '    "2": "{{var2}}"   # approved example: "today"',
    ]);
    const spec = await loads(text);
    expect(spec.twilio).toEqual({ contentSid: SID, variables: { '1': '{{var1}}', order: '{{order}}', '2': '{{var2}}' } });
    expect(spec.body).toBe('Hi {{var1}}, your order {{order}} ships {{var2}}');
  });

  it('no variables: variables: {}, and no body line without a body', () => {
    const text = templateToSpec(base({ id: SID, twilioVariables: [], quality: undefined }), 'Twilio');
    expect(lines(text).slice(6)).toEqual([
      '',
      '# Twilio sends the Content template by its SID; each of its variables from a column.',
      'twilio:',
      `  contentSid: ${SID}`,
      '  variables: {}',
    ]);
  });

  it('numbered keys are var<n>, whole: 12 is var12, a1 and 1a are names; a body variable with spaces inside its braces', () => {
    const text = templateToSpec(
      base({ id: SID, quality: undefined, body: { text: '{{ first_name }} {{12}} {{a1}}', parameters: [] }, twilioVariables: [{ key: '12', example: undefined }, { key: 'a1', example: undefined }, { key: '1a', example: undefined }] }),
      'Twilio',
    );
    expect(lines(text).slice(8, 9)).toEqual(['body: "{{first_name}} {{var12}} {{a1}}"']);
    expect(lines(text).slice(-3)).toEqual(['    "12": "{{var12}}"', '    "a1": "{{a1}}"', '    "1a": "{{1a}}"']);
  });
});
