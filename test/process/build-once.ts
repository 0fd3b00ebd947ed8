import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// Global setup of the `process` project (vitest.config.ts): its tests run the build (bin/ imports
// dist/bundle/, made from dist/ by scripts/bundle.js), so the build must be the source's. Once per
// run, before any of them: the build is made unless every src/ file's output is at least as new as
// it and as the build's tsconfigs, and the bundle at least as new as all of them and its script,
// which is what a fresh `npm ci` (whose `prepare` builds) or an earlier run leaves. No test sees a
// stale dist/.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function mtime(file: string): Promise<number> {
  return (await stat(file)).mtimeMs;
}

/** Why dist/ is not the build of src/ (the first file found), or undefined when it is. */
export async function staleBuild(root = ROOT): Promise<string | undefined> {
  const configs = Math.max(await mtime(path.join(root, 'tsconfig.json')), await mtime(path.join(root, 'tsconfig.build.json')));
  const sources = (await readdir(path.join(root, 'src'), { recursive: true })).filter((name) => name.endsWith('.ts'));
  let newest = Math.max(configs, await mtime(path.join(root, 'scripts', 'bundle.js')));
  for (const source of sources) {
    const built = path.join(root, 'dist', source.replace(/\.ts$/, '.js'));
    const builtAt = await mtime(built).catch(() => undefined);
    if (builtAt === undefined) return `dist/${source.replace(/\.ts$/, '.js')} is missing`;
    if (builtAt < Math.max(configs, await mtime(path.join(root, 'src', source)))) return `src/${source} is newer than its build`;
    newest = Math.max(newest, builtAt);
  }
  const bundledAt = await mtime(path.join(root, BUNDLE)).catch(() => undefined);
  if (bundledAt === undefined) return `${BUNDLE} is missing`;
  if (bundledAt < newest) return `${BUNDLE} is older than the build it bundles`;
  return undefined;
}

/** What the launcher runs (bin/wa-broadcast.js). */
const BUNDLE = 'dist/bundle/main.js';

export default async function buildOnce(): Promise<void> {
  const why = await staleBuild();
  if (why === undefined) return;
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    // `npm run build`: tsc, then the bundle.
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT });
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts', 'bundle.js')], { cwd: ROOT });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`the process tests need a build (${why}), and it failed:\n${stdout}${stderr}`);
  }
}
