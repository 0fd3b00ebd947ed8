/**
 * `send --marketing-api` (SPEC.md): whether marketing templates go through Meta's Marketing
 * Messages API. A flag of every provider's setup, so it lives beside the module interface and not
 * in the Cloud API folder that implements it.
 */
export const MARKETING_API_POLICIES = ['auto', 'always', 'never'] as const;
export type MarketingApiPolicy = (typeof MARKETING_API_POLICIES)[number];
