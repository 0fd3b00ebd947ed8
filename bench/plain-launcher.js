// The launcher without its V8 setting (bin/wa-broadcast.js otherwise): what the benchmarks compare
// with, to show what the setting saves. Not for users.
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
