/** Why a campaign run ended. */
export type CampaignEnd = { reason: 'done' } | { reason: 'interrupted' } | CampaignStop;

/** Stopped by the campaign itself: the code that stopped it, what happened, and what to do. */
export interface CampaignStop {
  reason: 'stopped';
  code: string;
  title: string;
  fix: string;
}

/**
 * The ledger could not be written. True whatever failed: a request leaves only after its whole
 * intent is on disk, and an answer that could not be recorded leaves its send in doubt (never
 * re-sent automatically).
 */
export function ledgerStop(message: string): CampaignStop {
  return { reason: 'stopped', code: 'ledger', title: message, fix: 'free disk space or fix permissions, then resume: nothing unrecorded was sent' };
}
