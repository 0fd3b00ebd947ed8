// The second step of `npm run build`: bundles the compiled program (dist/main.js and everything it
// imports, the dependencies too) into dist/bundle/, which the launcher runs. Why: a process spends
// most of its start resolving and loading some 800 small modules (libphonenumber-js, got, yaml…);
// loaded from a few files, `send` starts in about a third of the CPU (TESTING.md, "The suite's
// time"). The lazy `import()`s of the commands stay separate chunks, loaded when a command runs.
// dist/ keeps tsc's files: the reconcile worker thread, scripts/demo.js and the benches use them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const OUT = path.join(DIST, 'bundle');

/**
 * Each compiled module's `import.meta.url` made what it was in dist/, so that the files it finds
 * beside itself stay where they are: `../package.json` (main.js), the sample templates (the
 * emulator), the events worker (reconcile's `events-worker.js`: without this it would not be
 * found and reconcile would quietly run on one thread).
 */
const keepModuleUrls = {
  name: 'keep-module-urls',
  transform(code, id) {
    if (!id.startsWith(DIST + path.sep) || !code.includes('import.meta.url')) return null;
    const fromChunk = path.relative(OUT, id).split(path.sep).join('/');
    return { code: code.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`), map: null };
  },
};

await build({
  input: { main: path.join(DIST, 'main.js') },
  platform: 'node',
  plugins: [keepModuleUrls],
  logLevel: 'warn',
  output: { dir: OUT, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', cleanDir: true },
});
