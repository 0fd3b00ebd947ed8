import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The send pipeline is domain code: the command resolves the environment, the provider and the
// redactor and passes them in, and does all printing and prompting (DESIGN.md "Shape").
const CAMPAIGN = fileURLToPath(new URL('../../src/campaign/', import.meta.url));

const FORBIDDEN: [string, RegExp][] = [
  ['reads the environment', /process\.env|\.env\b(?!\w)|loadEnv/],
  ['touches stdin, stdout or stderr', /process\.(stdin|stdout|stderr)|console\.|node:readline/],
  ['draws progress', /from 'ora'|cli-table3/],
  ['imports from commands/ or the environment-reading config', /from '\.\.\/(commands\/|config\/load-env)/],
  // The registry builds providers from the environment; its names as a type are all the pipeline may take.
  ['imports the provider registry (other than its types)', /^import (?!type )[^;]*from '\.\.\/providers\/index/m],
];

describe('src/campaign', () => {
  it('never reads the environment, prints, prompts or imports from the commands', async () => {
    const files = (await readdir(CAMPAIGN)).filter((name) => name.endsWith('.ts'));
    expect(files).toContain('run-campaign.ts');
    const found: string[] = [];
    for (const name of files) {
      const text = await readFile(`${CAMPAIGN}${name}`, 'utf8');
      for (const [what, pattern] of FORBIDDEN) if (pattern.test(text)) found.push(`${name} ${what}`);
    }
    expect(found).toEqual([]);
  });
});
