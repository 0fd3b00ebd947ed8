import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT, headerOf } from '../../src/providers/emulator-route.js';

describe('emulator-route', () => {
  it("the default account is onboarded, takes marketing on Cloud API, every template marketing, no templates checked", () => {
    expect({ onboarding: DEFAULT_ACCOUNT.onboarding, marketingOnCloudApi: DEFAULT_ACCOUNT.marketingOnCloudApi, templates: DEFAULT_ACCOUNT.templates }).toEqual({ onboarding: 'ONBOARDED', marketingOnCloudApi: true, templates: undefined });
    expect([DEFAULT_ACCOUNT.categoryOf('order_update'), DEFAULT_ACCOUNT.categoryOf('')]).toEqual(['marketing', 'marketing']);
  });

  it("headerOf gives a header's first value", () => {
    const request = { method: 'POST', path: '/messages', body: '', headers: { a: 'one', b: ['two', 'three'], c: undefined } };
    expect([headerOf(request, 'a'), headerOf(request, 'b'), headerOf(request, 'c'), headerOf(request, 'd')]).toEqual(['one', 'two', undefined, undefined]);
  });
});
