import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventsWorkerUrl } from '../../src/reconcile/events-worker-url.js';

describe('eventsWorkerUrl', () => {
  it('names tsc’s events-worker.js beside the module (in src/, run as TypeScript, there is none: no worker)', () => {
    expect(eventsWorkerUrl().href).toBe(new URL('../../src/reconcile/events-worker.js', import.meta.url).href);
    expect(existsSync(fileURLToPath(eventsWorkerUrl()))).toBe(false);
  });
});
