import { afterEach } from 'vitest';
import { killChildren } from './cli-process.js';

// Set up in every file of the process project (vitest.config.ts), after test/setup-each-file.ts:
// the processes a test started are killed after it (cli-process.ts), before its temp folders go.
afterEach(killChildren);
