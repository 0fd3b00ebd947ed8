import { describe, expect, it } from 'vitest';
import { emptyStats, type CampaignStats } from '../../src/campaign/campaign-stats.js';
import { countUnrecorded, type UnrecordedOutcome } from '../../src/campaign/unrecorded-outcome.js';
import { outcomeFor } from '../ledger-record-builders.js';

// countUnrecorded on its own: the full-disk tests in send-campaign.test.ts reach it with accepted
// answers only, so what it does to failed, held, retried and not-sent ones was never checked.
// Each case starts from the same counts and compares every count the function may touch.

/** Counts as the run left them: 10 accepted (3 of them held), 6 failed, 2 in doubt. */
function counted(): CampaignStats {
  return { ...emptyStats(), accepted: 10, held: 3, failed: 6, in_doubt: 2 };
}

const lost = (kind: UnrecordedOutcome['kind'], held = false): UnrecordedOutcome => ({ record: outcomeFor('+447400123456', kind === 'not_sent' ? 'retry' : kind), kind, held });

function after(unrecorded: UnrecordedOutcome[]) {
  const stats = counted();
  countUnrecorded(stats, unrecorded);
  const { accepted, held, failed, in_doubt, unrecorded: byKind } = stats;
  return { accepted, held, failed, in_doubt, unrecorded: byKind };
}

describe('countUnrecorded', () => {
  it('nothing unrecorded: the counts stay as they were', () => {
    expect(after([])).toEqual({ accepted: 10, held: 3, failed: 6, in_doubt: 2, unrecorded: { accepted: 0, failed: 0, not_sent: 0, retry: 0 } });
  });

  it('an accepted answer not recorded moves from accepted to in doubt; it was not held, so held stays', () => {
    expect(after([lost('accepted')])).toEqual({ accepted: 9, held: 3, failed: 6, in_doubt: 3, unrecorded: { accepted: 1, failed: 0, not_sent: 0, retry: 0 } });
  });

  it('an accepted and held answer not recorded leaves held too', () => {
    expect(after([lost('accepted', true)])).toEqual({ accepted: 9, held: 2, failed: 6, in_doubt: 3, unrecorded: { accepted: 1, failed: 0, not_sent: 0, retry: 0 } });
  });

  it('a failed answer not recorded moves from failed to in doubt; accepted and held stay', () => {
    expect(after([lost('failed')])).toEqual({ accepted: 10, held: 3, failed: 5, in_doubt: 3, unrecorded: { accepted: 0, failed: 1, not_sent: 0, retry: 0 } });
  });

  it('a retried or not-sent attempt not recorded was counted nowhere: it only adds to in doubt', () => {
    expect(after([lost('retry'), lost('not_sent'), lost('not_sent')])).toEqual({ accepted: 10, held: 3, failed: 6, in_doubt: 5, unrecorded: { accepted: 0, failed: 0, not_sent: 2, retry: 1 } });
  });

  it('an in-doubt answer not recorded is in doubt either way: nothing moves, and it is not counted as unrecorded', () => {
    expect(after([lost('in_doubt')])).toEqual({ accepted: 10, held: 3, failed: 6, in_doubt: 2, unrecorded: { accepted: 0, failed: 0, not_sent: 0, retry: 0 } });
  });

  it('each one of a mix is moved by its own kind', () => {
    const mix = [lost('accepted', true), lost('failed'), lost('in_doubt'), lost('accepted'), lost('retry'), lost('failed'), lost('not_sent')];
    expect(after(mix)).toEqual({ accepted: 8, held: 2, failed: 4, in_doubt: 8, unrecorded: { accepted: 2, failed: 2, not_sent: 1, retry: 1 } });
  });
});
