import type { Decision } from './decide-recipient.js';
import type { CampaignFold } from './fold-campaign.js';
import type { RowLines } from './fold-ledger.js';
import { RECONCILE_LISTS } from './reconcile-lists.js';

/** A list's index in RECONCILE_LISTS, by name. */
const LIST_INDEX = new Map<string, number>(RECONCILE_LISTS.map((list, i) => [list.name, i]));

/**
 * Pass 2's input: the recipients in a list, in ledger order (as they first appear), with what
 * their rows need from the fold and their decisions, and where each one's row is in the ledger.
 * Columns, not an object per row: half of it goes to the worker thread, which writes those rows.
 */
export interface ListedRecipients {
  file: string;
  /** When a retry with no due time is due (`--now`). */
  now: number;
  /** The campaign's variables (its CSV columns other than phone, opt-in and ours), and the opt-in column's name. */
  variables: string[];
  optInColumn: string;
  count: number;
  /** Per listed recipient: the list (index in RECONCILE_LISTS), and the decision's reason, code and title ('' for none). */
  lists: Uint8Array;
  reasons: string[];
  codes: string[];
  titles: string[];
  /** When the retry is due (NaN: at `now`). */
  dueAts: Float64Array;
  attempts: Int32Array;
  /** The latest attempt's correlation id while it is in doubt (else ''), and when its intent was written. */
  cids: string[];
  intentAts: Float64Array;
  /** The recipient's phone as its digits: the line must name it (else the ledger changed since pass 1). */
  phones: Float64Array;
  /** Where the recipient's row is: the line of their first intent (byte offset, length, line number). */
  offsets: Float64Array;
  lengths: Int32Array;
  lines: Int32Array;
}

/** The recipients `decisions` put in a list, as ListedRecipients. */
export function listedRecipients(fold: CampaignFold, decisions: readonly Decision[], rowLines: RowLines, context: Pick<ListedRecipients, 'file' | 'now' | 'variables' | 'optInColumn'>): ListedRecipients {
  let count = 0;
  for (const decision of decisions) if (decision.list) count++;
  const listed: ListedRecipients = {
    ...context,
    count,
    lists: new Uint8Array(count),
    reasons: [],
    codes: [],
    titles: [],
    dueAts: new Float64Array(count),
    attempts: new Int32Array(count),
    cids: [],
    intentAts: new Float64Array(count),
    phones: new Float64Array(count),
    offsets: new Float64Array(count),
    lengths: new Int32Array(count),
    lines: new Int32Array(count),
  };
  const inDoubtCids = fold.inDoubtCids();
  for (let r = 0, i = 0; r < decisions.length; r++) {
    const decision = decisions[r]!;
    if (!decision.list) continue;
    const latest = fold.latestAttemptOf(r);
    listed.lists[i] = LIST_INDEX.get(decision.list)!;
    listed.reasons.push(decision.reason);
    listed.codes.push(decision.code);
    listed.titles.push(decision.title ?? '');
    listed.dueAts[i] = decision.dueAt ?? NaN;
    listed.attempts[i] = fold.attemptsOf(r);
    listed.cids.push(inDoubtCids.get(latest.slot) ?? '');
    listed.intentAts[i] = latest.intentAt;
    listed.phones[i] = fold.phoneDigitsOf(r);
    listed.offsets[i] = rowLines.offsets.get(r);
    listed.lengths[i] = rowLines.lengths.get(r);
    listed.lines[i] = rowLines.lines.get(r);
    i++;
  }
  return listed;
}
