import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { colorEnabled, pacingNote, progressLine, progressReporter, throttleNote } from '../../src/commands/progress.js';
import { pacingAdviceLine } from '../../src/commands/send-summary.js';
import { pacingAdvice } from '../../src/campaign/pacing-advice.js';
import { emptyStats, type CampaignStats } from '../../src/campaign/campaign-stats.js';
import { ManualClock } from '../manual-clock.js';

const STATS: CampaignStats = { ...emptyStats(), accepted: 3, requests: 3, firstRequestAt: 0, lastRequestAt: 0, throttle: undefined };

/** A log (not a terminal) that keeps its lines. */
function logStream() {
  const lines: string[] = [];
  return { lines, stream: { write: (text: string) => lines.push(text) } };
}

describe('the progress line while the provider throttles', () => {
  it('says what the provider asked for and what the campaign waits', () => {
    expect(throttleNote(STATS)).toBeUndefined();
    expect(throttleNote({ ...STATS, throttle: { askedMs: 99_999_000, waitMs: 60_000 } })).toBe('throttled: the provider asked to wait 27h46m; waiting 1m00s (the longest wait), then trying again');
    expect(throttleNote({ ...STATS, throttle: { askedMs: 3_000, waitMs: 3_000 } })).toBe('throttled: the provider asked to wait 3s');
    expect(throttleNote({ ...STATS, throttle: { askedMs: undefined, waitMs: undefined } })).toBe('throttled by the provider: slowing down');
  });

  it('in a log, a long wait is written at once, with its time, not at the next five-second line', async () => {
    const clock = new ManualClock();
    const { lines, stream } = logStream();
    const reporter = progressReporter({ stream, total: 10, clock, color: false });
    reporter.update(STATS);
    await clock.advance(100);
    reporter.update({ ...STATS, throttle: { askedMs: 3_000, waitMs: 3_000 } }); // a short wait: ordinary pacing, no line
    await clock.advance(100);
    reporter.update({ ...STATS, throttle: { askedMs: 99_999_000, waitMs: 60_000 } });
    await clock.advance(100);
    reporter.update({ ...STATS, throttle: { askedMs: 99_999_000, waitMs: 60_000 } }); // the same news: no second line
    reporter.stop();
    expect(lines).toEqual([
      '2026-11-24T00:00:00.200Z wa-broadcast: sent 3/10 recipients · failed 0 · in doubt 0 · retries waiting 0 · –/s · ETA – · throttled: the provider asked to wait 27h46m; waiting 1m00s (the longest wait), then trying again\n',
    ]);
  });
});

describe('the progress line in a log', () => {
  it('comes every 5 seconds by the clock, also while nothing happens (a back-off), each with an ISO timestamp', async () => {
    const clock = new ManualClock();
    const { lines, stream } = logStream();
    const reporter = progressReporter({ stream, total: 10, clock, color: false });
    reporter.update({ ...STATS, accepted: 0, requests: 1 });
    await clock.advance(4_999);
    expect(lines).toEqual([]);
    reporter.update({ ...STATS, accepted: 5, requests: 9, retries_waiting: 2 });
    await clock.advance(1);
    await clock.advance(12_000); // no update at all for 12 s: two more lines anyway
    reporter.stop();
    await clock.advance(20_000); // stopped: no more lines
    expect(lines).toEqual([
      '2026-11-24T00:00:05.000Z wa-broadcast: sent 5/10 recipients · failed 0 · in doubt 0 · retries waiting 2 · 1.0/s · ETA 5s\n',
      '2026-11-24T00:00:10.000Z wa-broadcast: sent 5/10 recipients · failed 0 · in doubt 0 · retries waiting 2 · 0.5/s · ETA 10s\n',
      '2026-11-24T00:00:15.000Z wa-broadcast: sent 5/10 recipients · failed 0 · in doubt 0 · retries waiting 2 · 0.0/s · ETA –\n',
    ]);
  });

  it('counts recipients, not requests: failed and in doubt are done too, the rest (waiting retries among them) make the ETA', () => {
    const stats = { ...STATS, accepted: 1_200, failed: 30, in_doubt: 2, requests: 2_000, retries_waiting: 40 };
    expect(progressLine(stats, 2_500, 100, false)).toBe('sent 1,200/2,500 recipients · failed 30 · in doubt 2 · retries waiting 40 · 100.0/s · ETA 13s');
    expect(progressLine(stats, 2_500, 100, true)).toContain('ETA –');
    expect(progressLine({ ...STATS, accepted: 0 }, 1, undefined, false)).toBe('sent 0/1 recipient · failed 0 · in doubt 0 · retries waiting 0 · –/s · ETA –');
  });
});

describe('colour', () => {
  it('NO_COLOR forbids it, FORCE_COLOR forces it, else only on a terminal', () => {
    expect(colorEnabled({}, { isTTY: true })).toBe(true);
    expect(colorEnabled({}, { isTTY: false })).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, { isTTY: true })).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' }, { isTTY: true })).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '1' }, { isTTY: false })).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '0' }, { isTTY: true })).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '0', NO_COLOR: '1' }, { isTTY: true })).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '1', NO_COLOR: '1' }, { isTTY: true })).toBe(true);
  });

  it('on a terminal without colour, the spinner writes no colour codes', async () => {
    const clock = new ManualClock();
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    let written = '';
    terminal.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const reporter = progressReporter({ stream: terminal, total: 10, clock, color: false });
    reporter.update(STATS);
    reporter.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toContain('sent 3/10 recipients');
    expect(written).not.toMatch(/\x1b\[3\dm/);
  });

  it('a terminal that reports no width gets log lines, not a spinner (ora cleared lines forever at 0 columns)', async () => {
    const clock = new ManualClock();
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 0, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    let written = '';
    terminal.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const reporter = progressReporter({ stream: terminal, total: 10, clock, color: false });
    reporter.update(STATS);
    await clock.advance(5_000);
    reporter.update(STATS);
    reporter.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBe('2026-11-24T00:00:05.000Z wa-broadcast: sent 3/10 recipients · failed 0 · in doubt 0 · retries waiting 0 · 0.0/s · ETA –\n');
  });
});

describe('the pacing the provider’s throttling set', () => {
  const pacing = (over: Partial<NonNullable<CampaignStats['pacing']>>): CampaignStats => ({
    ...STATS,
    pacing: { mps: 200, rate: 79.6, providerRate: 80, throttleReactions: 3, limitFound: true, timeBelowMs: 30_000, ...over },
  });

  it('the progress line says the provider throttles, at about what rate, and the rate the run settled at', () => {
    expect(progressLine(pacing({}), 2_500, 79, false)).toBe('sent 3/2,500 recipients · failed 0 · in doubt 0 · retries waiting 0 · 79.0/s · ETA 32s · provider throttles at about 80/s: pacing at 79/s');
  });

  it('says nothing once the pacing is back at --mps, nor before any throttling', () => {
    expect(pacingNote(pacing({ rate: 200 }))).toBeUndefined();
    expect(pacingNote(STATS)).toBeUndefined();
  });
});

describe('pacingAdvice: "use --mps N"', () => {
  const run = (over: Partial<NonNullable<CampaignStats['pacing']>>, seconds = 60): CampaignStats => ({
    ...STATS,
    firstRequestAt: 0,
    lastRequestAt: seconds * 1000,
    pacing: { mps: 200, rate: 79, providerRate: 80.4, throttleReactions: 4, limitFound: true, timeBelowMs: 59_000, ...over },
  });

  it('advises the rate the provider accepted when a limit was found and the run spent a quarter or more under --mps', () => {
    expect(pacingAdvice(run({}))).toEqual({ acceptedMps: 80 });
    expect(pacingAdvice(run({ timeBelowMs: 15_000 }))).toEqual({ acceptedMps: 80 });
    expect(pacingAdviceLine(run({}))).toMatch(/^the provider accepted about 80\/s: use --mps 80 /);
  });

  it('no advice for throttling at the rate sent (jitter), for a short spell under --mps, or without throttling', () => {
    expect(pacingAdvice(run({ limitFound: false }))).toBeUndefined();
    expect(pacingAdvice(run({ timeBelowMs: 14_000 }))).toBeUndefined();
    expect(pacingAdvice(STATS)).toBeUndefined();
    expect(pacingAdvice(run({ providerRate: 200 }))).toBeUndefined();
  });
});
