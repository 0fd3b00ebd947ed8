#!/usr/bin/env node
// Launcher: for `send`, sets how V8 grows its young generation; then runs the compiled program,
// which decides everything else, including the exit code.
import v8 from 'node:v8';

// got allocates much per request, and under that load V8 grows the young generation from 1 MB a
// semi-space to 16 MB: a large `send` then peaks about 35 MB higher (BENCHMARKS.md, "send:
// memory"). --max-semi-space-size cannot change once V8 runs, but the growth factor can: at 1 the
// young generation keeps its first size. It costs send some CPU (more frequent collections), so
// only send has it; validate and reconcile, whose goals are speed, keep V8's defaults. It works
// however the launcher is started (npx, an installed bin, `node bin/wa-broadcast.js`) with no
// second process, and if a later V8 ignored it, only the memory figure would change. Set before
// the program is loaded.
if (process.argv[2] === 'send') v8.setFlagsFromString('--semi-space-growth-factor=1');
// The bundle of dist/main.js (scripts/bundle.js, `npm run build`): the same program in a few files,
// which starts in about a third of the CPU of its 800 modules loaded one by one.
const { main } = await import('../dist/bundle/main.js');

process.exitCode = await main(process.argv.slice(2));
