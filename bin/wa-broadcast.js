#!/usr/bin/env node
// Launcher only: the compiled program decides everything, including the exit code.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
