import { describe, expect, it } from 'vitest';
import type { TemplateButton } from '../../src/template/account-template.js';
import { fitTemplate } from '../../src/template/fit-template.js';
import { accountTemplate as account, fitProblems as problems, specOf, templateButton } from '../template-builders.js';

/*
 * fitTemplate's rules one at a time, on a spec and a template written as values (fit-template.test.ts
 * goes through Meta's answer and a spec file): every message exactly, at its line.
 */

/** A button that takes a parameter unless told. */
const button = (over: Partial<TemplateButton> & Pick<TemplateButton, 'index' | 'type'>): TemplateButton => templateButton({ takesParameter: true, ...over });

const text = (value = '{{x}}', name?: string) => (name === undefined ? { type: 'text', text: value } : { type: 'text', text: value, parameter_name: name });
const p = (name: string, example?: string) => ({ name, example });

describe('fitTemplate: headers', () => {
  it('a fixed-text header takes no parameters', () => {
    const t = account({ header: { format: 'TEXT', text: 'Hello', parameters: [], example: undefined } });
    expect(problems(specOf([{ type: 'header', parameters: [text(), text()] }]), t)).toEqual([
      "10: header: the template's header is fixed text and takes no parameters; the spec gives 2: remove them",
    ]);
    expect(problems(specOf([{ type: 'header', parameters: [] }]), t)).toEqual([]);
    expect(problems(specOf([]), t)).toEqual([]);
  });

  it('a text header with one parameter: the count, in the singular, at the header or else the first component', () => {
    const t = account({ header: { format: 'TEXT', text: 'For {{1}}', parameters: [p('1')], example: undefined } });
    expect(problems(specOf([{ type: 'header', parameters: [] }]), t)).toEqual([
      "10: header: the template's header has 1 parameter ({{1}}); the spec gives 0 (Meta answers 132000)",
    ]);
    expect(problems(specOf([{ type: 'body' }, { type: 'button', sub_type: 'url', index: 0 }]), account({ header: t.header, buttons: [button({ index: 0, type: 'URL' })] }))).toEqual([
      "10: header: the template's header has 1 parameter ({{1}}); the spec has no header component (Meta answers 132000)",
    ]);
    expect(problems(specOf([{ type: 'header', parameters: [text()] }]), t)).toEqual([]);
  });

  it('a body without parameters given one; parameters that are not a list count as none', () => {
    const t = account({ body: { text: 'Hello', parameters: [] } });
    expect(problems(specOf([{ type: 'BODY', parameters: [text()] }]), t)).toEqual([
      "10: body: the template's body has no parameters; the spec gives 1 (Meta answers 132000)",
    ]);
    expect(problems(specOf([{ type: 'body', parameters: 'x' }]), t)).toEqual([]);
    expect(problems(specOf([{ type: 'body', parameters: 'x' }]), account({ body: { text: 'Hi {{1}} {{2}}', parameters: [p('1'), p('2')] } }))).toEqual([
      "10: body: the template's body has 2 parameters ({{1}}, {{2}}); the spec gives 0 (Meta answers 132000)",
    ]);
  });

  it.each([
    ['DOCUMENT', "header: the template has a DOCUMENT header: add a header component with one document parameter"],
    ['IMAGE', "header: the template has an IMAGE header: add a header component with one image parameter"],
    ['VIDEO', "header: the template has a VIDEO header: add a header component with one video parameter"],
    ['LOCATION', "header: the template has a LOCATION header: add a header component with one location parameter"],
    ['PRODUCT', "header: the template has a PRODUCT header: add a header component with one product parameter"],
    ['UNSUPPORTED', "header: the template has an UNSUPPORTED header: add a header component with one unsupported parameter"],
    ['OFFER', "header: the template has an OFFER header: add a header component with one offer parameter"],
  ])('a %s header left out, at the first component', (format, message) => {
    const t = account({ header: { format, text: undefined, parameters: [], example: undefined } });
    expect(problems(specOf([{ type: 'body' }]), t)).toEqual([`10: ${message}`]);
    expect(problems(specOf([{ type: 'body' }, { type: 'header', parameters: [] }]), t)).toEqual([`20: ${message}`]);
  });

  it('a media header takes one parameter of its type, whatever its case; an unknown format any', () => {
    const image = account({ header: { format: 'IMAGE', text: undefined, parameters: [], example: undefined } });
    expect(problems(specOf([{ type: 'header', parameters: [{ type: 'IMAGE' }] }]), image)).toEqual([]);
    expect(problems(specOf([{ type: 'header', parameters: [{ type: 'image' }, { type: 'image' }] }]), image)).toEqual([
      "10: header: the template's IMAGE header takes one parameter; the spec gives 2",
    ]);
    expect(problems(specOf([{ type: 'header', parameters: [{ type: 'document' }, { type: 'image' }] }]), image)).toEqual([
      "10: header: the template's IMAGE header takes one parameter; the spec gives 2",
      "10: header: the template's header is IMAGE, the spec gives a document parameter (Meta answers 132012): give a image parameter",
    ]);
    const product = account({ header: { format: 'PRODUCT', text: undefined, parameters: [], example: undefined } });
    expect(problems(specOf([{ type: 'header', parameters: [{ type: 'product' }] }]), product)).toEqual([]);
    expect(problems(specOf([{ type: 'header', parameters: [{ type: 'whatever' }] }]), product)).toEqual([]);
  });
});

describe('fitTemplate: named parameters', () => {
  const named = account({
    parameterFormat: 'named',
    header: { format: 'TEXT', text: 'For {{first_name}}', parameters: [p('first_name')], example: undefined },
    body: { text: '{{a}} {{b}}', parameters: [p('a'), p('b')] },
  });

  it('the format differing: at parameter_format, else the body, else the first component; each name once', () => {
    const message =
      'the template takes named parameters ({{first_name}}, {{a}}, {{b}}): add parameter_format: named and a parameter_name on each body and header text parameter (templates pull writes them)';
    expect(problems(specOf([{ type: 'header' }, { type: 'body' }]), named)).toEqual([`20: ${message}`]);
    expect(problems(specOf([{ type: 'header' }]), named)).toEqual([`10: ${message}`]);
    const at4 = specOf([{ type: 'body' }], { lines: { components: [10], parameterFormat: 4, twilio: undefined, category: 3 } });
    expect(problems(at4, named)).toEqual([`4: ${message}`]);
    const twice = account({ parameterFormat: 'named', body: { text: '{{a}} {{a}}', parameters: [p('a'), p('a')] } });
    expect(problems(specOf([]), twice)[0]).toBe('undefined: the template takes named parameters ({{a}}): add parameter_format: named and a parameter_name on each body and header text parameter (templates pull writes them)');
  });

  it('no text parameters: the format is not compared', () => {
    expect(problems(specOf([], { parameterFormat: 'named' }), account({ parameterFormat: 'positional' }))).toEqual([]);
    expect(problems(specOf([]), account({ parameterFormat: 'named', header: { format: 'IMAGE', text: undefined, parameters: [], example: undefined } }))).toEqual([
      '10: header: the template has an IMAGE header: add a header component with one image parameter'.replace('10', 'undefined'),
    ]);
  });

  it('names given twice (or more: named once), missing and unknown, in one message; a header by name too', () => {
    const spec = specOf(
      [
        { type: 'header', parameters: [text('{{x}}', 'first_name')] },
        { type: 'body', parameters: [text('{{x}}', 'a'), text('{{x}}', 'a'), text('{{x}}', 'a'), text('{{x}}', 'c'), text('{{x}}', 'c')] },
      ],
      { parameterFormat: 'named' },
    );
    expect(problems(spec, named)).toEqual([
      "20: body: the template's body has {{b}}, which the spec does not give; the spec gives {{c}}, {{c}}, which the template's body does not have; the spec gives {{a}}, {{c}} twice",
    ]);
    const header = specOf([{ type: 'header', parameters: [text('{{x}}', 'last_name')] }, { type: 'body', parameters: [text('{{x}}', 'b'), text('{{x}}', 'a')] }], { parameterFormat: 'named' });
    expect(problems(header, named)).toEqual([
      "10: header: the template's header has {{first_name}}, which the spec does not give; the spec gives {{last_name}}, which the template's header does not have",
    ]);
  });

  it('a named spec whose parameters carry no names is counted, and a parameter without a name is named ""', () => {
    const spec = specOf([{ type: 'header', parameters: [text()] }, { type: 'body', parameters: [text()] }], { parameterFormat: 'named' });
    expect(problems(spec, named)).toEqual([
      "20: body: the template's body has 2 parameters ({{a}}, {{b}}); the spec gives 1 (Meta answers 132000)",
    ]);
    const one = specOf([{ type: 'header', parameters: [text('{{x}}', 'first_name')] }, { type: 'body', parameters: [text('{{x}}', 'a'), text()] }], { parameterFormat: 'named' });
    expect(problems(one, named)).toEqual([
      "20: body: the template's body has {{b}}, which the spec does not give; the spec gives {{}}, which the template's body does not have",
    ]);
  });
});

describe('fitTemplate: buttons', () => {
  const buttons = [
    button({ index: 0, type: 'QUICK_REPLY', text: 'Stop' }),
    button({ index: 1, type: 'URL', url: 'https://x.example/{{1}}', needsParameter: true }),
    button({ index: 2, type: 'OTP', needsParameter: true }),
    button({ index: 3, type: 'VOICE_CALL', text: 'Call us', needsParameter: true }),
  ];
  const fits = [
    { type: 'button', sub_type: 'URL', index: '1' },
    { type: 'button', sub_type: 'url', index: 2 },
    { type: 'button', sub_type: 'voice_call', index: 3 },
  ];

  it('sub_types as Meta takes them (an OTP code as url), any case; an index as text', () => {
    expect(problems(specOf(fits), account({ buttons }))).toEqual([]);
  });

  it.each([
    ['x', 'button: index "x" is not a button position (0 for the first)'],
    [-1, 'button: index -1 is not a button position (0 for the first)'],
    [1.5, 'button: index 1.5 is not a button position (0 for the first)'],
  ])('index %j is refused, and does not count as given', (index, message) => {
    expect(problems(specOf([...fits, { type: 'button', sub_type: 'url', index }]), account({ buttons }))).toEqual([`40: ${message}`]);
  });

  it('index 0 is a position', () => {
    expect(problems(specOf([...fits, { type: 'button', sub_type: 'quick_reply', index: 0 }]), account({ buttons }))).toEqual([]);
  });

  it('a button given twice; a sub_type missing or another; a type without a known sub_type is not compared', () => {
    expect(problems(specOf([...fits, { type: 'button', sub_type: 'url', index: 1 }]), account({ buttons }))).toEqual(['40: button 1: given twice']);
    expect(problems(specOf([...fits, { type: 'button', index: 0 }]), account({ buttons }))).toEqual([
      '40: button 0: the template\'s button 0 is a QUICK_REPLY button "Stop": its sub_type is quick_reply, not missing',
    ]);
    expect(problems(specOf([{ type: 'button', sub_type: 'quick_reply', index: 1 }, ...fits.slice(1)]), account({ buttons }))).toEqual([
      "10: button 1: the template's button 1 is a URL button (https://x.example/{{1}}): its sub_type is url, not quick_reply",
    ]);
    expect(problems(specOf([...fits.slice(0, 2), { type: 'button', sub_type: 'anything', index: 3 }]), account({ buttons }))).toEqual([]);
  });

  it('the buttons the template has, counted', () => {
    const at = (list: TemplateButton[]) => problems(specOf([{ type: 'button', sub_type: 'url', index: 5 }]), account({ buttons: list }));
    expect(at([])).toEqual(['10: button 5: the template has no buttons']);
    expect(at([button({ index: 0, type: 'QUICK_REPLY' })])).toEqual(['10: button 5: the template has 1 button (index 0)']);
    expect(at([button({ index: 0, type: 'QUICK_REPLY' }), button({ index: 1, type: 'QUICK_REPLY' })])).toEqual(['10: button 5: the template has 2 buttons (index 0–1)']);
  });

  it('a button that takes no parameter, with and without its label and URL', () => {
    const fixed = [button({ index: 0, type: 'URL', takesParameter: false }), button({ index: 1, type: 'URL', text: 'Shop', url: 'https://x.example/', takesParameter: false })];
    expect(problems(specOf([{ type: 'button', sub_type: 'url', index: 0 }, { type: 'button', sub_type: 'url', index: 1 }]), account({ buttons: fixed }))).toEqual([
      "10: button 0: the template's button 0 is a URL button, which takes no parameters: remove this component",
      '20: button 1: the template\'s button 1 is a URL button "Shop" (https://x.example/), which takes no parameters: remove this component',
    ]);
  });

  it('each button that needs a parameter and has none, at the first component', () => {
    expect(problems(specOf([{ type: 'body' }]), account({ buttons }))).toEqual([
      "10: button 1: the template's button 1 is a URL button (https://x.example/{{1}}) and needs a parameter (Meta answers 131008): add a component with type: button, sub_type: url, index: 1",
      "10: button 2: the template's button 2 is a OTP button and needs a parameter (Meta answers 131008): add a component with type: button, sub_type: url, index: 2",
      '10: button 3: the template\'s button 3 is a VOICE_CALL button "Call us" and needs a parameter (Meta answers 131008): add a component with type: button, sub_type: voice_call, index: 3',
    ]);
  });
});

describe('fitTemplate: Twilio and warnings', () => {
  it('Twilio: a template without variables, a missing one without a sample, a spec without a twilio block', () => {
    const twilio = (variables: Record<string, string>) => specOf([], { twilio: { contentSid: 'HX1', variables }, lines: { components: [], parameterFormat: undefined, twilio: 7, category: 3 } });
    expect(problems(twilio({ '1': '{{a}}' }), account({ twilioVariables: [] }))).toEqual(['7: twilio.variables: the Content template has no {{1}} (Twilio answers 63028): its variables are none']);
    expect(problems(twilio({}), account({ twilioVariables: [{ key: '1', example: undefined }, { key: 'x', example: '' }] }))).toEqual([
      '7: twilio.variables: the Content template has {{1}}, {{x}} (sample ""), which the spec does not set: Twilio would send the sample value to every recipient',
    ]);
    expect(problems(specOf([]), account({ twilioVariables: [{ key: '1', example: 'Ana' }] }))).toEqual([
      'undefined: twilio.variables: the Content template has {{1}} (sample "Ana"), which the spec does not set: Twilio would send the sample value to every recipient',
    ]);
    expect(problems(twilio({ '1': '{{a}}' }), account({ twilioVariables: [{ key: '1', example: 'Ana' }], body: { text: 'x', parameters: [p('1')] } }))).toEqual([]);
  });

  it('Twilio templates get the warnings too', () => {
    expect(fitTemplate(specOf([]), account({ twilioVariables: [], category: 'UTILITY' })).warnings).toHaveLength(1);
  });

  it('no warning for the same category in another case, none without a category, none for YELLOW', () => {
    expect(fitTemplate(specOf([]), account({ category: 'Marketing', quality: 'YELLOW' })).warnings).toEqual([]);
    expect(fitTemplate(specOf([]), account({ category: undefined, quality: undefined })).warnings).toEqual([]);
  });
});
