import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

// The layers of DESIGN.md "Shape", as .dependency-cruiser.cjs writes them: each rule is a test
// over src/, and each is shown to fire on a tree of bad imports (so none passes by matching
// nothing), and to let through the imports the layers allow.
const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** A small src/ tree: `leaf.ts` in each folder imports nothing; every other file is one import. */
const TREE: Record<string, string> = {
  'errors.ts': 'export const leaf = 1;\n',
  'clock.ts': "export { leaf } from './errors.js';\n",
  'io.ts': "export { leaf } from './campaign/leaf.js';\n",
  'main.ts': "export { leaf } from './commands/run.js';\n",
  'commands/run.ts': "export { leaf } from '../campaign/leaf.js';\nexport { loadEnv } from '../config/load-env.js';\nexport { leaf as io } from '../io.js';\n",
  'commands/uses-main.ts': "export { leaf } from '../main.js';\n",
  'config/load-env.ts': "export const loadEnv = 1;\nexport { leaf } from '../errors.js';\n",
  'codes/uses-template.ts': "export { leaf } from '../template/leaf.js';\n",
  'codes/uses-yaml.ts': "export { leaf } from '../parse-yaml.js';\n",
  'parse-yaml.ts': "export { leaf } from './errors.js';\n",
  'fs/cycle-a.ts': "export { b } from './cycle-b.js';\nexport const a = 1;\n",
  'fs/cycle-b.ts': "export { a } from './cycle-a.js';\nexport const b = 1;\n",
  'fs/uses-errors.ts': "export { leaf } from '../errors.js';\n",
  'fs/uses-clock.ts': "export { leaf } from '../clock.js';\n",
  'net/uses-clock.ts': "export { leaf } from '../clock.js';\n",
  'fs/uses-codes.ts': "export { leaf } from '../codes/leaf.js';\n",
  'net/uses-errors.ts': "export { leaf } from '../errors.js';\n",
  'template/uses-campaign.ts': "export { leaf } from '../campaign/leaf.js';\n",
  'template/uses-recipients.ts': "export { leaf } from '../recipients/leaf.js';\n",
  'template/uses-fs.ts': "export { leaf } from '../fs/leaf.js';\n",
  'recipients/uses-template.ts': "export { leaf } from '../template/leaf.js';\n",
  'recipients/uses-ledger.ts': "export { leaf } from '../ledger/leaf.js';\n",
  'providers/uses-template.ts': "export { leaf } from '../template/leaf.js';\n",
  'providers/uses-recipients.ts': "export { leaf } from '../recipients/leaf.js';\n",
  'providers/index.ts': "export { leaf } from './cloud/leaf.js';\nexport type Name = 'cloud';\n",
  'providers/not-the-registry.ts': "export { leaf } from './cloud/leaf.js';\n",
  'providers/cloud/uses-shared.ts': "export { leaf } from '../cloud-api/leaf.js';\n",
  'providers/twilio/uses-root.ts': "export { leaf } from '../leaf.js';\n",
  'providers/twilio/uses-cloud.ts': "export { leaf } from '../cloud/leaf.js';\n",
  'providers/cloud-api/uses-twilio.ts': "export { leaf } from '../twilio/leaf.js';\n",
  'ledger/uses-domain.ts': "export { leaf } from '../providers/leaf.js';\nexport { leaf as r } from '../recipients/leaf.js';\nexport { leaf as t } from '../template/leaf.js';\n",
  'campaign/uses-own.ts': "export { leaf } from './leaf.js';\n",
  'campaign/uses-reconcile.ts': "export { leaf } from '../reconcile/leaf.js';\n",
  'campaign/names-provider.ts': "import type { Name } from '../providers/index.js';\nexport const name: Name = 'cloud';\n",
  'campaign/uses-registry.ts': "export { leaf } from '../providers/index.js';\n",
  'reconcile/uses-provider-folder.ts': "export { leaf } from '../providers/twilio/leaf.js';\n",
  'webhook/uses-command.ts': "export { leaf } from '../commands/leaf.js';\n",
  'webhook/uses-env.ts': "export { loadEnv } from '../config/load-env.js';\n",
  'webhook/uses-net.ts': "export { leaf } from '../net/leaf.js';\n",
  'emulator/uses-missing.ts': "export { leaf } from './missing.js';\n",
};
for (const folder of ['campaign', 'codes', 'commands', 'fs', 'ledger', 'net', 'providers', 'providers/cloud', 'providers/cloud-api', 'providers/twilio', 'recipients', 'reconcile', 'template']) {
  TREE[`${folder}/leaf.ts`] = 'export const leaf = 1;\n';
}

/** What each rule must find in TREE (from → to), and nothing else. */
const EXPECTED: Record<string, string[]> = {
  'no-cycles': ['fs/cycle-a.ts → fs/cycle-b.ts'],
  'nothing-imports-main': ['commands/uses-main.ts → main.ts'],
  'only-main-imports-commands': ['webhook/uses-command.ts → commands/leaf.ts'],
  'use-cases-apart': ['campaign/uses-reconcile.ts → reconcile/leaf.ts'],
  'domain-below-use-cases': ['template/uses-campaign.ts → campaign/leaf.ts'],
  'ledger-top-of-domain': ['recipients/uses-ledger.ts → ledger/leaf.ts'],
  'providers-and-recipients-apart': ['providers/uses-recipients.ts → recipients/leaf.ts'],
  'template-bottom-of-domain': ['template/uses-recipients.ts → recipients/leaf.ts'],
  'base-imports-only-base': ['codes/uses-template.ts → template/leaf.ts'],
  'fs-and-net-import-only-errors': ['fs/uses-codes.ts → codes/leaf.ts'],
  'provider-folders-apart': ['providers/cloud-api/uses-twilio.ts → providers/twilio/leaf.ts', 'providers/twilio/uses-cloud.ts → providers/cloud/leaf.ts'],
  'provider-folders-through-the-registry': ['providers/not-the-registry.ts → providers/cloud/leaf.ts', 'reconcile/uses-provider-folder.ts → providers/twilio/leaf.ts'],
  'only-commands-load-env': ['webhook/uses-env.ts → config/load-env.ts'],
  'campaign-takes-the-provider-given': ['campaign/uses-registry.ts → providers/index.ts'],
  'no-unresolvable': ['emulator/uses-missing.ts → ./missing.js'],
};

async function cruiseSrc(baseDir: string, options: ICruiseOptions): Promise<ICruiseResult> {
  const tsConfig = extractTSConfig(path.join(ROOT, 'tsconfig.json'));
  const { output } = await cruise(['src'], { ...options, baseDir }, {}, { tsConfig });
  return output as ICruiseResult;
}

/** Each violation of `rule` as `from → to`, paths under src/ without the `src/`. */
function violationsOf(result: ICruiseResult, rule: string): string[] {
  return (result.summary.violations ?? [])
    .filter((violation) => violation.rule.name === rule)
    .map((violation) => `${violation.from} → ${violation.to}`.replaceAll('src/', ''))
    .sort();
}

let options: ICruiseOptions;
let ruleNames: string[];
let project: ICruiseResult;
let bad: ICruiseResult;

beforeAll(async () => {
  options = await extractDepcruiseOptions(path.join(ROOT, '.dependency-cruiser.cjs'));
  ruleNames = (options.ruleSet?.forbidden ?? []).map((rule) => rule.name!);
  const tree = await tempDir();
  for (const [file, text] of Object.entries(TREE)) {
    await mkdir(path.dirname(path.join(tree, 'src', file)), { recursive: true });
    await writeFile(path.join(tree, 'src', file), text);
  }
  [project, bad] = await Promise.all([cruiseSrc(ROOT, options), cruiseSrc(tree, options)]);
}, 30_000);

describe('import rules (.dependency-cruiser.cjs)', () => {
  it('cruise the whole of src/, resolving its imports', () => {
    const modules = project.modules.filter((module) => module.source.startsWith('src/'));
    expect(modules.length).toBeGreaterThan(100);
    expect(modules.map((module) => module.source)).toContain('src/campaign/run-campaign.ts');
    expect(project.modules.find((module) => module.source === 'src/main.ts')?.dependencies.length).toBeGreaterThan(2);
  });

  it('each rule has its bad imports below, and only the rules in the config have them', () => {
    expect(ruleNames.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))('%s', (rule) => {
    expect(violationsOf(project, rule)).toEqual([]);
    expect(violationsOf(bad, rule)).toEqual(EXPECTED[rule]);
  });
});
