import { describe, expect, it } from 'vitest';
import { cloudApiRoute, type CloudApiRouteOptions } from '../../src/providers/cloud-api/cloud-api-emulator.js';

// README "Adding a provider": a template look-up is optional. A provider passing the Cloud API
// through without one (a new one, before its look-up is written) reuses cloudApiRoute as it is.
const base: CloudApiRouteOptions = {
  credentials: { ACME_API_KEY: 'k' },
  env: (url) => ({ ACME_API_URL: url }),
  match: (path) => /^\/acme\/messages$/.exec(path) ?? undefined,
  authorize: () => undefined,
  sender: () => 'acme',
  route: () => 'messages',
};
const request = { path: '/v1/configs/templates', query: new URLSearchParams(), headers: {} };

describe('cloudApiRoute without a template look-up', () => {
  it('serves no look-up, and one with a look-up still serves its own', () => {
    expect(cloudApiRoute(base).lookup!(request, base.credentials, [])).toBeUndefined();
    const withLookup = cloudApiRoute({ ...base, lookup: { match: (path) => /^\/v1\/configs\/templates$/.exec(path) ?? undefined, authorize: () => undefined, answer: () => ({ waba_templates: [] }) } });
    expect(withLookup.lookup!(request, base.credentials, [])).toEqual({ status: 200, body: { waba_templates: [] } });
  });
});
