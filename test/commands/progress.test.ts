import { describe, expect, it } from 'vitest';
import { progressReporter, throttleNote } from '../../src/commands/progress.js';
import { emptyStats, type CampaignStats } from '../../src/campaign/campaign-stats.js';

const STATS: CampaignStats = { ...emptyStats(), accepted: 3, requests: 3, firstRequestAt: 0, lastRequestAt: 0, throttle: undefined };

describe('the progress line while the provider throttles', () => {
  it('says what the provider asked for and what the campaign waits', () => {
    expect(throttleNote(STATS)).toBeUndefined();
    expect(throttleNote({ ...STATS, throttle: { askedMs: 99_999_000, waitMs: 60_000 } })).toBe('throttled: the provider asked to wait 27h46m; waiting 1m00s (the longest wait), then trying again');
    expect(throttleNote({ ...STATS, throttle: { askedMs: 3_000, waitMs: 3_000 } })).toBe('throttled: the provider asked to wait 3s');
    expect(throttleNote({ ...STATS, throttle: { askedMs: undefined, waitMs: undefined } })).toBe('throttled by the provider: slowing down');
  });

  it('in a log, a long wait is written at once, not at the next five-second line', () => {
    let t = 0;
    const lines: string[] = [];
    const reporter = progressReporter({ stream: { write: (text: string) => lines.push(text) } as unknown as NodeJS.WritableStream, total: 10, now: () => t });
    reporter.update(STATS);
    t = 100;
    reporter.update({ ...STATS, throttle: { askedMs: 3_000, waitMs: 3_000 } }); // a short wait: ordinary pacing, no line
    t = 200;
    reporter.update({ ...STATS, throttle: { askedMs: 99_999_000, waitMs: 60_000 } });
    t = 300;
    reporter.update({ ...STATS, throttle: { askedMs: 99_999_000, waitMs: 60_000 } }); // the same news: no second line
    expect(lines).toEqual([
      'wa-broadcast: sent 3/10 · failed 0 · in doubt 0 · –/s · ETA –\n',
      'wa-broadcast: sent 3/10 · failed 0 · in doubt 0 · –/s · ETA – · throttled: the provider asked to wait 27h46m; waiting 1m00s (the longest wait), then trying again\n',
    ]);
  });
});
