import { describe, expect, it } from 'vitest';
import { inDoubtNotes, ledgerStop, lockLostStop } from '../../src/campaign/campaign-end.js';
import { emptyStats, type CampaignStats } from '../../src/campaign/campaign-stats.js';

const stats = (change: (s: CampaignStats) => void): CampaignStats => {
  const s = emptyStats();
  change(s);
  return s;
};

describe('the stops a campaign makes itself', () => {
  it('the ledger could not be written: its message, and the way to resume safely', () => {
    expect(ledgerStop('ENOSPC: no space left on device')).toEqual({
      reason: 'stopped',
      code: 'ledger',
      title: 'ENOSPC: no space left on device',
      fix: 'free disk space, fix permissions or remount a read-only file system, then resume: no request left without its intent on disk, so nobody is sent twice',
    });
  });

  it("the ledger's lock was lost: why, and what to check before resuming", () => {
    expect(lockLostStop('the lock file was removed')).toEqual({
      reason: 'stopped',
      code: 'ledger',
      title: 'the lock file was removed: another send may be writing this ledger',
      fix: 'no new requests were made and those in flight were recorded; make sure no other send runs on this ledger, then resume',
    });
  });
});

describe('inDoubtNotes: what a stopped campaign says about the sends it leaves in doubt', () => {
  it('nothing in doubt, nothing unrecorded: nothing to say', () => {
    expect(inDoubtNotes(emptyStats())).toEqual([]);
  });

  it('sends in doubt, all recorded: one note, without "in all"', () => {
    expect(inDoubtNotes(stats((s) => (s.in_doubt = 3)))).toEqual(['3 send(s) of this run are in doubt (never re-sent automatically): reconcile lists them in in-doubt.csv']);
  });

  it('one accepted answer unrecorded: named, and counted in the in-doubt total "in all"', () => {
    const s = stats((s) => {
      s.unrecorded.accepted = 1;
      s.in_doubt = 4;
    });
    expect(inDoubtNotes(s)).toEqual([
      '1 accepted could not be recorded: the ledger shows them in doubt, and reconcile lists them in in-doubt.csv',
      '4 send(s) of this run are in doubt in all (never re-sent automatically): reconcile lists them in in-doubt.csv',
    ]);
  });

  it('a failed answer unrecorded alone', () => {
    expect(inDoubtNotes(stats((s) => (s.unrecorded.failed = 2)))).toEqual(['2 failed could not be recorded: the ledger shows them in doubt, and reconcile lists them in in-doubt.csv']);
  });

  it('not sent and retried attempts count together as "not sent", and the note says they never reached the provider', () => {
    const s = stats((s) => {
      s.unrecorded.not_sent = 2;
      s.unrecorded.retry = 3;
    });
    expect(inDoubtNotes(s)).toEqual(['5 not sent could not be recorded: the ledger shows them in doubt, and reconcile lists them in in-doubt.csv (the 5 not sent never reached the provider)']);
  });

  it('every kind at once: accepted, failed, not sent, in that order', () => {
    const s = stats((s) => {
      s.unrecorded = { accepted: 1, failed: 2, not_sent: 0, retry: 1 };
      s.in_doubt = 4;
    });
    expect(inDoubtNotes(s)).toEqual([
      '1 accepted, 2 failed, 1 not sent could not be recorded: the ledger shows them in doubt, and reconcile lists them in in-doubt.csv (the 1 not sent never reached the provider)',
      '4 send(s) of this run are in doubt in all (never re-sent automatically): reconcile lists them in in-doubt.csv',
    ]);
  });
});
