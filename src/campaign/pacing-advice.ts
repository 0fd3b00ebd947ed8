import type { CampaignStats } from './campaign-stats.js';

/** The share of the sending time spent under `--mps` for throttling from which the summary advises a lower `--mps`. */
export const ADVICE_SHARE = 0.25;

/**
 * "The provider accepted about N/s: use --mps N", when the run spent a quarter or more of its
 * sending time slowed down by throttling: `--mps` is more than the number's throughput, and a run at
 * N would be as fast without the throttled requests. Undefined otherwise (a throttling answer at
 * the limit is jitter, not advice). Pure.
 */
export function pacingAdvice(stats: CampaignStats): { acceptedMps: number } | undefined {
  const pacing = stats.pacing;
  if (!pacing || pacing.providerRate === undefined) return undefined;
  const { firstRequestAt: first, lastRequestAt: last } = stats;
  if (first === undefined || last === undefined || last <= first) return undefined;
  const acceptedMps = Math.max(1, Math.floor(pacing.providerRate));
  // Throttling at the rate sent is the window's margin learning the machine (pacer.ts), not a limit found.
  if (acceptedMps >= pacing.mps || !pacing.limitFound || pacing.timeBelowMs < ADVICE_SHARE * (last - first)) return undefined;
  return { acceptedMps };
}
