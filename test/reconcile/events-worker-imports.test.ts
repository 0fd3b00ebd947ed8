import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult, type IModule } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

// The events worker is bundled into one file (dist/bundle/events-worker.js), but each module it
// imports is still code evaluated while the main thread waits for its first ledger batches:
// start-up time at every size (BENCHMARKS.md, "the events worker starts lighter").
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = 'src/reconcile/events-worker.ts';

let modules: Map<string, IModule>;
let loaded: Set<string>;

/**
 * The modules that loading `entry` loads: its imports, followed. As the compiled code has them:
 * type-only imports are erased (the cruise is after TypeScript's transpilation), and an `import()`
 * loads only when it runs.
 */
function loadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (source: string) => {
    if (seen.has(source)) return;
    seen.add(source);
    for (const dependency of modules.get(source)?.dependencies ?? []) if (!dependency.dynamic) visit(dependency.resolved);
  };
  visit(entry);
  return seen;
}

beforeAll(async () => {
  const options = await extractDepcruiseOptions(path.join(ROOT, '.dependency-cruiser.cjs'));
  const tsConfig = extractTSConfig(path.join(ROOT, 'tsconfig.json'));
  const cruiseOptions: ICruiseOptions = { ...options, ruleSet: undefined, validate: false, tsPreCompilationDeps: false, baseDir: ROOT };
  const { output } = await cruise([WORKER], cruiseOptions, {}, { tsConfig });
  modules = new Map((output as ICruiseResult).modules.map((module) => [module.source, module]));
  loaded = loadedBy(WORKER);
}, 30_000);

describe("the events worker's imports", () => {
  it('are followed: the worker loads the ledger reader, the event parsers and the provider registry', () => {
    for (const source of ['src/reconcile/read-events.ts', 'src/ledger/read-ledger.ts', 'src/reconcile/scan-status-facts.ts', 'src/providers/index.ts', 'src/providers/cloud/read-onboarding.ts']) {
      expect(loaded).toContain(source);
    }
  });

  it('leave out the fold and the rules (and so libphonenumber-js), which only the main thread runs', () => {
    const unwanted = [...loaded].filter((source) => /^src\/reconcile\/(fold-campaign|decide-recipient)\.ts$|^src\/recipients\/(is-us-number|normalize-phone|with-cached-regexps|phone-table)\.ts$|(^|\/)node_modules\/libphonenumber-js\//.test(source));
    expect(unwanted).toEqual([]);
  });

  it('leave out got: the registry reaches it only through the import() in readOnboarding, which the worker never calls', () => {
    const onboarding = modules.get('src/providers/cloud/read-onboarding.ts')!;
    const toGot = onboarding.dependencies.filter((dependency) => dependency.module === 'got');
    expect(toGot.map((dependency) => dependency.dynamic)).toEqual([true]);
    expect([...loaded].filter((source) => /(^|\/)node_modules\/got\//.test(source))).toEqual([]);
  });
});
