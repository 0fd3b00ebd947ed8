import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { readSmallTextFile } from '../fs/read-small-text-file.js';
import { parseYaml, type YamlPath } from '../parse-yaml.js';
import { parseMetaTemplate } from '../providers/index.js';
import type { EmulatedTemplate } from '../providers/emulator-route.js';
import { TemplateShapeError } from '../providers/template-lookup.js';

/** The templates file that ships with the samples: the emulator's account when `--templates` names none. */
export const SAMPLE_TEMPLATES_FILE = fileURLToPath(new URL('../../samples/templates.yaml', import.meta.url));

const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;
const MAX_BYTES = 1 << 20;

/**
 * Reads an emulator templates file: `templates:`, a list of templates written as Meta's look-up
 * returns them (name, language, status, category, quality_score, parameter_format,
 * message_send_ttl_seconds, components…), each with an optional `twilio_content_sid` under which
 * the Twilio Content API knows it. Every problem is exit 2 naming the file and line.
 */
export async function loadTemplateCatalog(file: string): Promise<EmulatedTemplate[]> {
  const text = await readSmallTextFile(file, MAX_BYTES, () => 'a templates file is at most 1 MB');
  const { value, lineOf } = parseYaml(text, file);
  return parseTemplateCatalog(value, file, lineOf);
}

export function parseTemplateCatalog(value: unknown, file = 'templates', lineOf: (path: YamlPath) => number | undefined = () => undefined): EmulatedTemplate[] {
  const fail = (path: YamlPath, message: string): never => {
    throw new InputError(message, { file, line: lineOf(path) });
  };
  const list = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).templates : undefined;
  if (!Array.isArray(list)) return fail([], 'a templates file is a mapping with a "templates" list');
  const seen = new Set<string>();
  return list.map((raw: unknown, index): EmulatedTemplate => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(['templates', index], 'each template is a mapping (name, language, status, components…)');
    const { twilio_content_sid: sid, ...meta } = raw as Record<string, unknown>;
    if (sid !== undefined && (typeof sid !== 'string' || !CONTENT_SID.test(sid))) fail(['templates', index, 'twilio_content_sid'], 'twilio_content_sid must be HX followed by 32 hex digits');
    let template;
    try {
      template = parseMetaTemplate(meta, `template ${index + 1}`);
    } catch (error) {
      if (error instanceof TemplateShapeError) return fail(['templates', index], error.message);
      throw error;
    }
    const key = `${template.name}|${template.language}`;
    if (seen.has(key)) fail(['templates', index], `${template.name} (${template.language}) is listed twice`);
    seen.add(key);
    return { meta: { id: String(1_000_000_000_000 + index), ...meta }, template, contentSid: sid as string | undefined };
  });
}
