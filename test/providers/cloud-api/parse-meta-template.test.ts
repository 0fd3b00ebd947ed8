import { describe, expect, it } from 'vitest';
import { parseMetaTemplate } from '../../../src/providers/cloud-api/parse-meta-template.js';
import { TemplateShapeError } from '../../../src/providers/template-lookup.js';
import { accountTemplate } from '../../template-builders.js';

const base = { name: 'spring_sale', language: 'en_GB', status: 'APPROVED' };
const empty = accountTemplate({ name: 'spring_sale', category: undefined, quality: undefined, id: undefined });
const parse = (raw: unknown) => parseMetaTemplate(raw, 'data[3]');
function shapeError(raw: unknown): string {
  try {
    parse(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateShapeError);
    return (error as Error).message;
  }
  throw new Error('parsed');
}

describe('parseMetaTemplate: the template', () => {
  it('reads a template without components', () => {
    expect(parse(base)).toEqual(empty);
    expect(parse({ ...base, components: null })).toEqual(empty);
  });

  it('reads category, status, quality, TTL, rejection and id, upper-casing what Meta spells in capitals', () => {
    expect(parse({ ...base, status: 'approved', category: 'marketing', quality_score: { score: 'green', date: 1 }, message_send_ttl_seconds: 3600, rejected_reason: 'INVALID_FORMAT', id: 1234 })).toEqual({
      ...empty,
      category: 'MARKETING',
      status: 'APPROVED',
      quality: 'GREEN',
      ttlSeconds: 3600,
      rejectedReason: 'INVALID_FORMAT',
      id: '1234',
    });
    expect(parse({ ...base, id: '98', rejected_reason: 'NONE', quality_score: { score: 3 }, category: 7 })).toEqual({ ...empty, id: '98' });
    expect(parse({ ...base, id: { x: 1 }, quality_score: 'GREEN', rejected_reason: 5 })).toEqual(empty);
  });

  it('reads a TTL given as a whole number or its digits, -1 included', () => {
    expect([' 120 ', '-1', -1, 0, '1.5', 1.5, 'x', '', null].map((ttl) => parse({ ...base, message_send_ttl_seconds: ttl }).ttlSeconds)).toEqual([120, -1, -1, 0, undefined, undefined, undefined, undefined, undefined]);
  });

  it('is named when parameter_format says NAMED in any case, else positional', () => {
    expect(['NAMED', 'named', 'POSITIONAL', 5, undefined].map((format) => parse({ ...base, parameter_format: format }).parameterFormat)).toEqual(['named', 'named', 'positional', 'positional', 'positional']);
  });

  it('refuses what lacks a name, language or status, or has components that are not a list', () => {
    expect(shapeError('x')).toBe('data[3] is not an object');
    expect(shapeError([base])).toBe('data[3] is not an object');
    expect(shapeError({ ...base, name: '' })).toBe('data[3] has no "name"');
    expect(shapeError({ ...base, name: 5 })).toBe('data[3] has no "name"');
    expect(shapeError({ ...base, language: '' })).toBe('data[3] (spring_sale) has no "language"');
    expect(shapeError({ ...base, language: undefined })).toBe('data[3] (spring_sale) has no "language"');
    expect(shapeError({ ...base, status: '' })).toBe('data[3] (spring_sale) has no "status"');
    expect(shapeError({ ...base, status: 1 })).toBe('data[3] (spring_sale) has no "status"');
    expect(shapeError({ ...base, components: {} })).toBe('data[3] (spring_sale): "components" is not a list');
    expect(shapeError({ ...base, components: [{ type: 'BODY', text: 'x' }, { text: 'y' }] })).toBe('data[3] (spring_sale): component 1 has no "type"');
    expect(shapeError({ ...base, components: [null] })).toBe('data[3] (spring_sale): component 0 has no "type"');
  });
});

describe('parseMetaTemplate: components', () => {
  it('reads a positional body with its examples, nested or flat, in order of first appearance', () => {
    const body = (example: unknown) => parse({ ...base, components: [{ type: 'BODY', text: 'Hi {{2}} and {{1}}, {{2}} again', example }] }).body;
    expect(body({ body_text: [['Ana', '10%']] })).toEqual({ text: 'Hi {{2}} and {{1}}, {{2}} again', parameters: [{ name: '2', example: '10%' }, { name: '1', example: 'Ana' }] });
    expect(body({ body_text: ['Ana', 5] })).toEqual({ text: 'Hi {{2}} and {{1}}, {{2}} again', parameters: [{ name: '2', example: '5' }, { name: '1', example: 'Ana' }] });
    expect(body({ body_text: [[{}, null]] })).toEqual({ text: 'Hi {{2}} and {{1}}, {{2}} again', parameters: [{ name: '2', example: undefined }, { name: '1', example: undefined }] });
    expect(body('x')).toEqual({ text: 'Hi {{2}} and {{1}}, {{2}} again', parameters: [{ name: '2', example: undefined }, { name: '1', example: undefined }] });
  });

  it('reads a named body with its named examples', () => {
    const raw = {
      ...base,
      parameter_format: 'NAMED',
      components: [{ type: 'body', text: 'Hi {{first_name}}, {{offer}} {{code}}', example: { body_text_named_params: [{ param_name: 'first_name', example: 'Ana' }, { param_name: 'offer', example: 10 }, { param_name: 'code', example: {} }, 'x', { example: 'y' }] } }],
    };
    expect(parse(raw).body).toEqual({ text: 'Hi {{first_name}}, {{offer}} {{code}}', parameters: [{ name: 'first_name', example: 'Ana' }, { name: 'offer', example: '10' }, { name: 'code', example: undefined }] });
  });

  it('refuses a BODY without text', () => {
    expect(shapeError({ ...base, components: [{ type: 'BODY' }] })).toBe('data[3] (spring_sale): the BODY component has no "text"');
  });

  it('reads a text header with its parameter, and a media header with its example handle', () => {
    expect(parse({ ...base, components: [{ type: 'HEADER', format: 'text', text: 'Sale {{1}}', example: { header_text: ['May'] } }] }).header).toEqual({ format: 'TEXT', text: 'Sale {{1}}', parameters: [{ name: '1', example: 'May' }], example: undefined });
    expect(parse({ ...base, components: [{ type: 'HEADER', text: 'Sale {{season}}', example: { header_text_named_params: [{ param_name: 'season', example: 'spring' }] } }] }).header).toEqual({
      format: 'TEXT',
      text: 'Sale {{season}}',
      parameters: [{ name: 'season', example: 'spring' }],
      example: undefined,
    });
    expect(parse({ ...base, components: [{ type: 'HEADER', format: 'TEXT' }] }).header).toEqual({ format: 'TEXT', text: undefined, parameters: [], example: undefined });
    expect(parse({ ...base, components: [{ type: 'header', format: 'image', example: { header_handle: ['4::aW1hZ2U=', 'x'] } }] }).header).toEqual({ format: 'IMAGE', text: undefined, parameters: [], example: '4::aW1hZ2U=' });
    expect(parse({ ...base, components: [{ type: 'HEADER', format: 'VIDEO', text: '{{1}}', example: { header_handle: [5] } }] }).header).toEqual({ format: 'VIDEO', text: '{{1}}', parameters: [], example: undefined });
    expect(parse({ ...base, components: [{ type: 'HEADER', format: 'DOCUMENT', example: { header_handle: 'h' } }] }).header).toEqual({ format: 'DOCUMENT', text: undefined, parameters: [], example: undefined });
  });

  it('reads the footer, and keeps other components out', () => {
    expect(parse({ ...base, components: [{ type: 'FOOTER', text: 'Reply STOP to opt out' }, { type: 'CAROUSEL', cards: [] }] })).toEqual({ ...empty, footer: 'Reply STOP to opt out' });
    expect(parse({ ...base, components: [{ type: 'footer', text: 5 }] }).footer).toBe(undefined);
  });

  it('reads each button at its index: which need a parameter, which may take one', () => {
    const buttons = parse({
      ...base,
      components: [
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'quick_reply', text: 'Stop promos' },
            { type: 'URL', text: 'Shop', url: 'https://shop.example/{{1}}', example: ['summer'] },
            { type: 'URL', text: 'Home', url: 'https://shop.example/' },
            { type: 'PHONE_NUMBER', text: 'Call', phone_number: '+15550001111' },
            { type: 'COPY_CODE', example: 'SAVE10' },
            { type: 'OTP', otp_type: 'COPY_CODE', text: 5 },
            { type: 'FLOW', text: 'Book', example: [3] },
            { type: 'CATALOG' },
            { type: 'MPM' },
            { type: 'SPM' },
            { type: 'URL' },
            { type: 'VOICE_CALL' },
          ],
        },
      ],
    }).buttons;
    const b = (index: number, type: string, needsParameter: boolean, takesParameter: boolean, extra: { text?: string; url?: string; example?: string } = {}) => ({
      index,
      type,
      text: extra.text,
      url: extra.url,
      example: extra.example,
      needsParameter,
      takesParameter,
    });
    expect(buttons).toEqual([
      b(0, 'QUICK_REPLY', false, true, { text: 'Stop promos' }),
      b(1, 'URL', true, true, { text: 'Shop', url: 'https://shop.example/{{1}}', example: 'summer' }),
      b(2, 'URL', false, false, { text: 'Home', url: 'https://shop.example/' }),
      b(3, 'PHONE_NUMBER', false, false, { text: 'Call' }),
      b(4, 'COPY_CODE', true, true, { example: 'SAVE10' }),
      b(5, 'OTP', true, true),
      b(6, 'FLOW', false, true, { text: 'Book' }),
      b(7, 'CATALOG', false, true),
      b(8, 'MPM', false, true),
      b(9, 'SPM', false, true),
      b(10, 'URL', false, false),
      b(11, 'VOICE_CALL', false, false),
    ]);
  });

  it('refuses a BUTTONS component without a list, and a button without a type', () => {
    expect(shapeError({ ...base, components: [{ type: 'BUTTONS' }] })).toBe('data[3] (spring_sale): the BUTTONS component has no "buttons" list');
    expect(shapeError({ ...base, components: [{ type: 'BUTTONS', buttons: [{ type: 'URL' }, { text: 'x' }] }] })).toBe('data[3] (spring_sale): button 1 has no "type"');
    expect(shapeError({ ...base, components: [{ type: 'BUTTONS', buttons: ['URL'] }] })).toBe('data[3] (spring_sale): button 0 has no "type"');
  });
});
