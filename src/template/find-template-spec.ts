import path from 'node:path';
import { InputError } from '../errors.js';
import { exists } from '../fs/exists.js';

const EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * The spec to use when `--template` is left out (SPEC.md): `campaign.template.{yaml,yml,json}`
 * beside `campaign.csv`, else `template.{yaml,yml,json}` in the CSV's folder.
 */
export async function findTemplateSpec(csvFile: string): Promise<string> {
  // A missing CSV is the clearer message, before any talk of specs.
  if (!(await exists(csvFile))) throw new InputError('no such file', { file: csvFile });
  const dir = path.dirname(csvFile);
  const base = path.basename(csvFile).replace(/\.csv$/i, '');
  const candidates = [
    ...EXTENSIONS.map((ext) => path.join(dir, `${base}.template${ext}`)),
    ...EXTENSIONS.map((ext) => path.join(dir, `template${ext}`)),
  ];
  for (const candidate of candidates) {
    if (await exists(candidate)) return candidate;
  }
  throw new InputError(`no template spec given and none found (looked for ${candidates.join(', ')}); pass --template <spec>`);
}
