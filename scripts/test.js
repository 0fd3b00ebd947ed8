// `npm test`: the type check (`npm run typecheck`) and `vitest run` side by side, not one after the
// other. vitest leaves one core idle for much of its run (its process tests wait on the children
// they start, and on the paced sends of those children), and tsc needs one core for ~15 s: side
// by side, the type check is mostly free (TESTING.md, "The suite's time"). Fails if either fails;
// arguments go to vitest (`npm test -- test/x.test.ts`).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = (file) => fileURLToPath(new URL(`../node_modules/${file}`, import.meta.url));

/** Runs `node script …args`, its output on ours; resolves with its exit code (1 if killed). */
function run(script, args) {
  const child = spawn(process.execPath, [bin(script), ...args], { stdio: 'inherit' });
  return new Promise((resolve) => child.once('close', (code) => resolve(code ?? 1)));
}

const [typecheck, tests] = await Promise.all([
  run('typescript/bin/tsc', ['-p', 'tsconfig.json', '--noEmit']).then((code) => {
    if (code !== 0) process.stderr.write('npm test: the type check failed (tsc -p tsconfig.json --noEmit)\n');
    return code;
  }),
  run('vitest/vitest.mjs', ['run', ...process.argv.slice(2)]),
]);
process.exitCode = typecheck !== 0 ? typecheck : tests;
