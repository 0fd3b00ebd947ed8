import { afterEach } from 'vitest';
import { removeTempDirs } from './helpers.js';

// Set up in every test file (vitest.config.ts setupFiles): a hook registered where helpers.ts is
// first imported would belong to that file alone, since the unit project shares modules between
// the files of a worker (isolate: false).
afterEach(removeTempDirs);
