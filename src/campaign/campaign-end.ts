import type { CampaignStats } from './campaign-stats.js';

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
 * re-sent automatically; `unrecordedNotes` says how many).
 */
export function ledgerStop(message: string): CampaignStop {
  return { reason: 'stopped', code: 'ledger', title: message, fix: 'free disk space, fix permissions or remount a read-only file system, then resume: no request left without its intent on disk, so nobody is sent twice' };
}

/**
 * The ledger's lock was removed or taken over while the campaign ran: another `send` may be writing
 * the ledger now, and the two would not see each other's sends.
 */
export function lockLostStop(why: string): CampaignStop {
  return {
    reason: 'stopped',
    code: 'ledger',
    title: `${why}: another send may be writing this ledger`,
    fix: 'no new requests were made and those in flight were recorded; make sure no other send runs on this ledger, then resume',
  };
}

/**
 * What a stopped campaign's message adds about the sends it leaves in doubt, true to the ledger: how
 * many are in doubt (reconcile lists them in in-doubt.csv), and of those, the answers and
 * not-sent attempts the ledger could not record (their intents stand alone, so the ledger shows
 * them in doubt too). Empty when there is nothing to say.
 */
export function inDoubtNotes(stats: CampaignStats): string[] {
  const { unrecorded } = stats;
  const neverSent = unrecorded.not_sent + unrecorded.retry;
  const parts = [
    unrecorded.accepted > 0 ? `${unrecorded.accepted} accepted` : undefined,
    unrecorded.failed > 0 ? `${unrecorded.failed} failed` : undefined,
    neverSent > 0 ? `${neverSent} not sent` : undefined,
  ].filter(Boolean);
  const notes: string[] = [];
  if (parts.length > 0) {
    const why = neverSent > 0 ? ` (the ${neverSent} not sent never reached the provider)` : '';
    notes.push(`${parts.join(', ')} could not be recorded: the ledger shows them in doubt, and reconcile lists them in in-doubt.csv${why}`);
  }
  if (stats.in_doubt > 0) notes.push(`${stats.in_doubt} send(s) of this run are in doubt${parts.length > 0 ? ' in all' : ''} (never re-sent automatically): reconcile lists them in in-doubt.csv`);
  return notes;
}
