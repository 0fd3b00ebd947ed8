import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { InputError } from '../errors.js';

/**
 * The environment a command runs with: `.env` in the working directory, if present, under the real
 * environment (which wins). Secrets come only from here, never from flags.
 */
export async function loadEnv(env: NodeJS.ProcessEnv, cwd: string): Promise<NodeJS.ProcessEnv> {
  const file = path.join(cwd, '.env');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new InputError(`cannot read: ${(error as NodeJS.ErrnoException).code}`, { file });
  }
  return { ...parseEnv(text), ...env };
}
