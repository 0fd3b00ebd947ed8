import type { OutcomeRecord } from '../ledger/ledger-records.js';
import type { CampaignStats } from './campaign-stats.js';

/** An outcome the ledger refused (it had failed), with what the summary counted it as. */
export interface UnrecordedOutcome {
  record: OutcomeRecord;
  /** The summary count the answer went to; `retry`: answered but retried (throttled, not reached); `not_sent`: stopped before the request. */
  kind: 'accepted' | 'failed' | 'in_doubt' | 'retry' | 'not_sent';
  /** Accepted and held for quality assessment (counted in `held` too). */
  held: boolean;
}

/**
 * Moves what stayed unrecorded to where the ledger puts it: an intent without an outcome is in
 * doubt, so an accepted or failed answer that could not be recorded is counted in doubt, not as
 * accepted or failed (the summary must say what resume and reconcile will see), and
 * `stats.unrecorded` says how many of each there were, for the stop message.
 */
export function countUnrecorded(stats: CampaignStats, unrecorded: readonly UnrecordedOutcome[]): void {
  for (const { kind, held } of unrecorded) {
    if (kind === 'in_doubt') continue; // in doubt either way
    stats.unrecorded[kind]++;
    stats.in_doubt++;
    if (kind === 'accepted') {
      stats.accepted--;
      if (held) stats.held--;
    } else if (kind === 'failed') {
      stats.failed--;
    }
  }
}
