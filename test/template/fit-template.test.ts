import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { templatePreflight } from '../../src/campaign/template-preflight.js';
import { InputError, ProviderStopError } from '../../src/errors.js';
import type { TemplateLookup } from '../../src/providers/template-lookup.js';
import type { AccountTemplate } from '../../src/template/account-template.js';
import { fitTemplate } from '../../src/template/fit-template.js';
import { loadTemplateSpec } from '../../src/template/load-template-spec.js';
import { tempDir } from '../helpers.js';
import { metaTemplate } from '../meta-template.js';

/** The account's template, written as Meta's look-up returns it: an image header, a body of two parameters, three buttons. */
const template = (overrides: Record<string, unknown> = {}, components?: unknown[]): AccountTemplate =>
  metaTemplate(
    components ?? [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://example.com/a.jpg'] } },
      { type: 'BODY', text: 'Hi {{1}}, {{2}} off', example: { body_text: [['Ana', '20%']] } },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Stop' }, { type: 'URL', text: 'Shop', url: 'https://x.example/{{1}}' }, { type: 'PHONE_NUMBER', text: 'Call', phone_number: '+15550000000' }] },
    ],
    overrides,
  );

const NAMED = [
  { type: 'HEADER', format: 'TEXT', text: 'For {{first_name}}' },
  { type: 'BODY', text: 'Order {{order_number}} for {{first_name}} is ready' },
];

const HEADER = '  - type: header\n    parameters:\n      - {type: image, image: {link: "https://example.com/a.jpg"}}\n';
const BODY2 = '  - type: body\n    parameters:\n      - {type: text, text: "{{name}}"}\n      - {type: text, text: "{{discount}}"}\n';
const URL_BUTTON = '  - {type: button, sub_type: url, index: 1, parameters: [{type: text, text: "{{code}}"}]}\n';

async function spec(components: string, top = 'category: marketing\n') {
  const file = path.join(await tempDir(), 'spec.yaml');
  await writeFile(file, `name: offer\nlanguage: en_GB\n${top}components:\n${components}`);
  return loadTemplateSpec(file);
}

const problems = async (components: string, t = template(), top?: string) => fitTemplate(await spec(components, top), t).problems.map((p) => `${p.line}: ${p.message}`);

describe('fitTemplate: the spec against the account’s template, one rule per row', () => {
  it('a spec that fits has no problems and no warnings', async () => {
    expect(fitTemplate(await spec(HEADER + BODY2 + URL_BUTTON), template())).toEqual({ problems: [], warnings: [] });
  });

  it.each([
    ['a body parameter missing (132000), at the body’s line', HEADER + '  - type: body\n    parameters:\n      - {type: text, text: "{{name}}"}\n' + URL_BUTTON, [/^8: body: the template's body has 2 parameters \(\{\{1\}\}, \{\{2\}\}\); the spec gives 1 \(Meta answers 132000\)$/]],
    ['no body component at all', HEADER + URL_BUTTON, [/^5: body: the template's body has 2 parameters .*the spec has no body component/]],
    ['the media header left out', BODY2 + URL_BUTTON, [/^5: header: the template has an IMAGE header: add a header component with one image parameter$/]],
    ['a video given for an image header (132012)', '  - type: header\n    parameters:\n      - {type: video, video: {link: "https://example.com/a.mp4"}}\n' + BODY2 + URL_BUTTON, [/^5: header: the template's header is IMAGE, the spec gives a video parameter \(Meta answers 132012\)/]],
    ['the dynamic URL button left out (131008)', HEADER + BODY2, [/^5: button 1: the template's button 1 is a URL button "Shop" \(https:\/\/x\.example\/\{\{1\}\}\) and needs a parameter \(Meta answers 131008\): add a component with type: button, sub_type: url, index: 1$/]],
    ['a button index the template does not have', HEADER + BODY2 + URL_BUTTON + '  - {type: button, sub_type: quick_reply, index: 3, parameters: [{type: payload, payload: X}]}\n', [/^13: button 3: the template has 3 buttons \(index 0–2\)$/]],
    ['a sub_type that is not the button’s', HEADER + BODY2 + '  - {type: button, sub_type: quick_reply, index: 1, parameters: [{type: payload, payload: X}]}\n', [/^12: button 1: the template's button 1 is a URL button .*: its sub_type is url, not quick_reply$/]],
    ['a parameter for a call button, which takes none', HEADER + BODY2 + URL_BUTTON + '  - {type: button, sub_type: url, index: 2, parameters: [{type: text, text: x}]}\n', [/^13: button 2: the template's button 2 is a PHONE_NUMBER button "Call", which takes no parameters: remove this component$/]],
  ])('%s', async (_name, components, expected) => {
    const found = await problems(components);
    expect(found).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(found[i]).toMatch(pattern));
  });

  it('a header parameter for a template without a header', async () => {
    const t = template({}, [{ type: 'BODY', text: 'Hi {{1}}' }]);
    expect(await problems('  - type: header\n    parameters:\n      - {type: text, text: "{{name}}"}\n  - type: body\n    parameters:\n      - {type: text, text: "{{name}}"}\n', t)).toEqual([
      "5: header: the template's header does not exist and takes no parameters; the spec gives 1: remove them",
    ]);
  });

  it('a named template needs parameter_format: named', async () => {
    const t = template({ parameter_format: 'NAMED' }, NAMED);
    expect(await problems('  - type: body\n    parameters:\n      - {type: text, text: "{{a}}"}\n      - {type: text, text: "{{b}}"}\n', t)).toEqual([
      '5: the template takes named parameters ({{first_name}}, {{order_number}}): add parameter_format: named and a parameter_name on each body and header text parameter (templates pull writes them)',
    ]);
  });

  it('a named spec: names compared in any order; one missing and one unknown named', async () => {
    const t = template({ parameter_format: 'NAMED' }, NAMED);
    const header = '  - type: header\n    parameters:\n      - {type: text, parameter_name: first_name}\n';
    const fits = '  - type: body\n    parameters:\n      - {type: text, parameter_name: first_name}\n      - {type: text, parameter_name: order_number}\n';
    expect(await problems(header + fits, t, 'category: marketing\nparameter_format: named\n')).toEqual([]);
    const wrong = '  - type: body\n    parameters:\n      - {type: text, parameter_name: first_name}\n      - {type: text, parameter_name: order_id}\n';
    expect(await problems(header + wrong, t, 'category: marketing\nparameter_format: named\n')).toEqual([
      "9: body: the template's body has {{order_number}}, which the spec does not give; the spec gives {{order_id}}, which the template's body does not have",
    ]);
  });

  it('a positional template with a named spec is told to drop the names', async () => {
    expect(await problems('  - type: body\n    parameters:\n      - {type: text, parameter_name: name}\n', template({}, [{ type: 'BODY', text: 'Hi {{1}}' }]), 'category: marketing\nparameter_format: named\n')).toEqual([
      '4: the template takes positional parameters ({{1}}): remove parameter_format: named and the parameter_name fields',
    ]);
  });

  it('warns when Meta recategorised the template, and when its quality is RED', async () => {
    const { warnings, problems: found } = fitTemplate(await spec(HEADER + BODY2 + URL_BUTTON, 'category: marketing\n'), template({ category: 'UTILITY', quality_score: { score: 'RED' } }));
    expect(found).toEqual([]);
    expect(warnings).toEqual([
      'offer (en_GB) is UTILITY in the account, the spec says marketing: Meta may have recategorised it, and it is priced and delivered as utility; set category: utility in the spec',
      'offer (en_GB) has low quality (RED): Meta may pause it during this campaign (the sends would then fail with 132015); consider improving it first',
    ]);
  });

  it('Twilio: a variable the spec leaves out (its sample would go to everyone) and one the template lacks (63028)', async () => {
    const file = path.join(await tempDir(), 'spec.yaml');
    await writeFile(file, `name: offer\nlanguage: en\ncategory: marketing\ntwilio:\n  contentSid: HX${'a'.repeat(32)}\n  variables:\n    "1": "{{name}}"\n    "3": "{{code}}"\n`);
    const t: AccountTemplate = { ...template(), twilioVariables: [{ key: '1', example: 'Ana' }, { key: '2', example: '10%' }] };
    expect(fitTemplate(await loadTemplateSpec(file), t).problems).toEqual([
      { line: 5, message: 'twilio.variables: the Content template has {{2}} (sample "10%"), which the spec does not set: Twilio would send the sample value to every recipient' },
      { line: 5, message: 'twilio.variables: the Content template has no {{3}} (Twilio answers 63028): its variables are {{1}}, {{2}}' },
    ]);
  });
});

describe('templatePreflight', () => {
  const lookupOf = (found: AccountTemplate | undefined, others: AccountTemplate[] = []): TemplateLookup => ({ where: 'WABA 1', list: async () => [], find: async () => ({ template: found, others }), findByName: async () => ({ template: found, others }) });
  const setup = (lookup: TemplateLookup) => ({ ok: true as const, lookup, redact: (text: string) => text });
  const noTransport = async () => {
    throw new Error('the fake look-up needs no transport');
  };

  it.each([
    ['PAUSED', /^template offer \(en_GB\) is PAUSED in WABA 1: nothing was sent\. Meta paused it for low quality/],
    ['DISABLED', /is DISABLED in WABA 1: nothing was sent\. Meta disabled it for good after repeated pauses: create a new template$/],
    ['REJECTED', /is REJECTED \(INVALID_FORMAT\) in WABA 1: nothing was sent\. edit it to follow the rejection reason/],
    ['PENDING', /is PENDING in WABA 1: nothing was sent\. it is still in review/],
  ])('%s is a stop (exit 3) naming template, language, status and the fix', async (status, message) => {
    const error = await templatePreflight(await spec(HEADER + BODY2 + URL_BUTTON), setup(lookupOf(template({ status, rejected_reason: 'INVALID_FORMAT' }))), noTransport, 'or pass --no-preflight').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderStopError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('--no-preflight');
  });

  it('not found names the languages the template has', async () => {
    const error = (await templatePreflight(await spec(BODY2), setup(lookupOf(undefined, [template({ language: 'en_US' })])), noTransport, undefined).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ProviderStopError);
    expect(error.message).toBe("template not found: offer does not exist in en_GB in WABA 1 (it exists in en_US): nothing was sent. The spec's name and language must match WhatsApp Manager's exactly");
  });

  it('a spec that does not fit is bad input (exit 2) at the spec’s file and line, every difference in one line', async () => {
    const s = await spec('  - type: body\n    parameters:\n      - {type: text, text: "{{name}}"}\n');
    const error = (await templatePreflight(s, setup(lookupOf(template())), noTransport, undefined).catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.location).toEqual({ file: s.file, line: 5 });
    expect(error.message).toMatch(/^the spec does not fit offer \(en_GB\) as WABA 1 has it: header: .*; body: .*; button 1: /);
  });

  it('a look-up that fails keeps its message and adds how to skip the check', async () => {
    const failing: TemplateLookup = { where: 'WABA 1', list: async () => [], find: async () => Promise.reject(new ProviderStopError('the look-up answered HTTP 500')), findByName: async () => Promise.reject(new Error('not asked')) };
    await expect(templatePreflight(await spec(BODY2), setup(failing), noTransport, 'or send with --no-preflight to skip the check')).rejects.toThrow(/^the look-up answered HTTP 500; or send with --no-preflight to skip the check$/);
  });

  it('without the look-up’s credentials it does not look, and says why', async () => {
    expect(await templatePreflight(await spec(BODY2), { ok: false, reason: 'WA_WABA_ID is not set' }, noTransport, undefined)).toEqual({ checked: false, reason: 'WA_WABA_ID is not set' });
  });

  it('an approved template that fits: checked, with its TTL (-1 read as 30 days)', async () => {
    const result = await templatePreflight(await spec(HEADER + BODY2 + URL_BUTTON), setup(lookupOf(template({ message_send_ttl_seconds: -1 }))), noTransport, undefined);
    expect(result).toMatchObject({ checked: true, ttlSeconds: 2_592_000, warnings: [] });
  });
});
