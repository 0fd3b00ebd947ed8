import type { AccountTemplate, TemplateButton, TemplateHeader, TemplateParameter } from '../../template/account-template.js';
import { placeholdersIn } from '../../template/placeholders.js';
import { isRecord, TemplateShapeError } from '../template-lookup.js';

/*
 * One template object as Meta's `GET /{WABA-ID}/message_templates` returns it (Graph reference
 * "WhatsApp Message Template"; Meta "Template components"; templates-facts.md §1.2–1.3), and as
 * 360dialog's `GET /v1/configs/templates` passes it through (lower-case `status`, no
 * `parameter_format` seen): into the one AccountTemplate shape.
 */

/** Buttons a send must give a parameter: a URL with a `{{1}}` suffix, a coupon code, an OTP code (sent as `sub_type: url`). */
const NEEDS_PARAMETER = new Set(['COPY_CODE', 'OTP']);
/** Buttons a send may give one: a quick reply's payload, a flow's token, a catalogue's thumbnail. */
const MAY_TAKE_PARAMETER = new Set(['QUICK_REPLY', 'FLOW', 'CATALOG', 'MPM', 'SPM']);

export function parseMetaTemplate(raw: unknown, where: string): AccountTemplate {
  if (!isRecord(raw)) throw new TemplateShapeError(`${where} is not an object`);
  const name = raw.name;
  const language = raw.language;
  const status = raw.status;
  if (typeof name !== 'string' || name === '') throw new TemplateShapeError(`${where} has no "name"`);
  if (typeof language !== 'string' || language === '') throw new TemplateShapeError(`${where} (${name}) has no "language"`);
  if (typeof status !== 'string' || status === '') throw new TemplateShapeError(`${where} (${name}) has no "status"`);
  const components = raw.components ?? [];
  if (!Array.isArray(components)) throw new TemplateShapeError(`${where} (${name}): "components" is not a list`);
  // POSITIONAL is the default when a template was created without parameter_format (Meta "Templates" overview).
  const parameterFormat = typeof raw.parameter_format === 'string' && raw.parameter_format.toUpperCase() === 'NAMED' ? 'named' : 'positional';

  let header: TemplateHeader | undefined;
  let body: AccountTemplate['body'];
  let footer: string | undefined;
  let buttons: TemplateButton[] = [];
  components.forEach((component, i) => {
    if (!isRecord(component) || typeof component.type !== 'string') throw new TemplateShapeError(`${where} (${name}): component ${i} has no "type"`);
    const example = isRecord(component.example) ? component.example : {};
    const text = typeof component.text === 'string' ? component.text : undefined;
    switch (component.type.toUpperCase()) {
      case 'HEADER': {
        const format = typeof component.format === 'string' ? component.format.toUpperCase() : 'TEXT';
        const handle = Array.isArray(example.header_handle) ? example.header_handle[0] : undefined;
        header = {
          format,
          text,
          parameters: format === 'TEXT' && text !== undefined ? textParameters(text, example.header_text, example.header_text_named_params) : [],
          example: typeof handle === 'string' ? handle : undefined,
        };
        break;
      }
      case 'BODY':
        if (text === undefined) throw new TemplateShapeError(`${where} (${name}): the BODY component has no "text"`);
        body = { text, parameters: textParameters(text, example.body_text, example.body_text_named_params) };
        break;
      case 'FOOTER':
        footer = text;
        break;
      case 'BUTTONS': {
        if (!Array.isArray(component.buttons)) throw new TemplateShapeError(`${where} (${name}): the BUTTONS component has no "buttons" list`);
        buttons = component.buttons.map((button, index) => parseButton(button, index, `${where} (${name})`));
        break;
      }
      default:
        // CAROUSEL, LIMITED_TIME_OFFER…: kept out of the comparison (the spec passes them as written).
        break;
    }
  });

  const quality = isRecord(raw.quality_score) && typeof raw.quality_score.score === 'string' ? raw.quality_score.score.toUpperCase() : undefined;
  return {
    name,
    language,
    category: typeof raw.category === 'string' ? raw.category.toUpperCase() : undefined,
    status: status.toUpperCase(),
    quality,
    parameterFormat,
    header,
    body,
    footer,
    buttons,
    ttlSeconds: readTtl(raw.message_send_ttl_seconds),
    rejectedReason: typeof raw.rejected_reason === 'string' && raw.rejected_reason !== 'NONE' ? raw.rejected_reason : undefined,
    id: typeof raw.id === 'string' || typeof raw.id === 'number' ? String(raw.id) : undefined,
  };
}

/**
 * The `{{…}}` of a text in order of first appearance, with the approved examples: positional ones
 * from `body_text: [["a", "b"]]` (Meta's examples nest the list; its syntax block shows it flat:
 * both are read), named ones from `…_named_params: [{param_name, example}]`.
 */
function textParameters(text: string, positional: unknown, named: unknown): TemplateParameter[] {
  const names = [...new Set(placeholdersIn(text))];
  const flat = Array.isArray(positional) ? (Array.isArray(positional[0]) ? (positional[0] as unknown[]) : positional) : [];
  const byName = new Map<string, string>();
  if (Array.isArray(named)) {
    for (const item of named) {
      if (isRecord(item) && typeof item.param_name === 'string' && (typeof item.example === 'string' || typeof item.example === 'number')) byName.set(item.param_name, String(item.example));
    }
  }
  return names.map((name) => {
    const index = /^\d+$/.test(name) ? Number(name) - 1 : -1;
    const example = index >= 0 ? flat[index] : byName.get(name);
    return { name, example: typeof example === 'string' || typeof example === 'number' ? String(example) : undefined };
  });
}

function parseButton(raw: unknown, index: number, where: string): TemplateButton {
  if (!isRecord(raw) || typeof raw.type !== 'string') throw new TemplateShapeError(`${where}: button ${index} has no "type"`);
  const type = raw.type.toUpperCase();
  const url = typeof raw.url === 'string' ? raw.url : undefined;
  const examples = Array.isArray(raw.example) ? raw.example : raw.example === undefined ? [] : [raw.example];
  const example = typeof examples[0] === 'string' ? examples[0] : undefined;
  const needsParameter = NEEDS_PARAMETER.has(type) || (type === 'URL' && url !== undefined && url.includes('{{'));
  return {
    index,
    type,
    text: typeof raw.text === 'string' ? raw.text : undefined,
    url,
    example,
    needsParameter,
    takesParameter: needsParameter || MAY_TAKE_PARAMETER.has(type),
  };
}

/** Meta's own example sends it as a string ("120"): a whole number either way. */
function readTtl(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}
