import ora, { type Ora } from 'ora';
import type { CampaignStats } from '../campaign/campaign-stats.js';
import type { Clock } from '../clock.js';
import { formatCount } from '../plural.js';

export interface ProgressReporter {
  update(stats: CampaignStats): void;
  stop(): void;
}

export interface ProgressOptions {
  stream: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Recipients this run expects to send to. */
  total: number;
  /** The campaign's clock: the log line's five seconds and the rate are measured on it. */
  clock: Clock;
  /** Whether the spinner may be coloured (NO_COLOR, FORCE_COLOR: see colorEnabled). */
  color: boolean;
}

/** Seconds of recent progress the rate is measured over: recent enough to show a slow-down, long enough to be steady. */
const RATE_WINDOW_MS = 10_000;
/** A log line every five seconds, by the clock, whatever happens (a back-off is when a log most needs one). */
export const LOG_INTERVAL_MS = 5_000;

/**
 * The live line: on a terminal an ora spinner, redrawn at most 10 times a second; elsewhere (a
 * cron log) a plain line with an ISO timestamp every 5 seconds by the clock. Never per message: a
 * thousand redraws a second would cost more than the sends.
 *
 * ora's discardStdin stays off: it puts the terminal in raw mode and, with stdin not yet flowing,
 * swallows Ctrl-C, so a user could not interrupt a campaign.
 */
export function progressReporter(options: ProgressOptions): ProgressReporter {
  const { clock, stream } = options;
  // A terminal that reports no width (`script` without a size, some CI consoles) gets log lines:
  // ora counts the lines to clear by the width, and with 0 columns it cleared forever, hung.
  const tty = stream.isTTY === true && (stream.columns ?? 0) > 0;
  const rate = new RecipientRate(clock);
  let latest: CampaignStats | undefined;
  let lastDraw = -Infinity;
  const news = new ThrottleNews();
  const spinner: Ora | undefined = tty
    ? ora({ stream: stream as NodeJS.WritableStream, text: 'starting…', discardStdin: false, isEnabled: true, color: options.color ? 'cyan' : false }).start()
    : undefined;
  const text = (stats: CampaignStats) => progressLine(stats, options.total, rate.perSecond(), stats.throttle !== undefined);
  const log = (stats: CampaignStats) => stream.write(`${clock.date().toISOString()} wa-broadcast: ${text(stats)}\n`);

  // The log's ticker: sleeps on the clock, so a manual clock in tests drives it too.
  const stopTicker = new AbortController();
  if (!tty) {
    void (async () => {
      for (;;) {
        await clock.sleep(LOG_INTERVAL_MS, stopTicker.signal);
        if (stopTicker.signal.aborted) return;
        if (latest) {
          rate.sample(done(latest));
          log(latest);
        }
      }
    })();
  }

  return {
    update(stats) {
      latest = stats;
      rate.sample(done(stats));
      // A long wait is news: said at once, not at the next tick.
      const isNews = news.of(stats) !== undefined;
      if (spinner) {
        const t = clock.now();
        if (t - lastDraw < 100 && !isNews) return;
        lastDraw = t;
        spinner.text = text(stats);
      } else if (isNews) {
        log(stats);
      }
    },
    stop() {
      stopTicker.abort();
      if (spinner) {
        if (latest) spinner.text = text(latest);
        spinner.stopAndPersist({ symbol: '•' });
      }
    },
  };
}

/** Recipients settled: accepted, failed for good, or in doubt. */
function done(stats: CampaignStats): number {
  return stats.accepted + stats.failed + stats.in_doubt;
}

/**
 * `sent 8/12 recipients · failed 1 · in doubt 0 · retries waiting 2 · 7.9/s · ETA 1s`: recipients,
 * not requests (a throttled request sent again is one recipient), and the rate is theirs, so the
 * ETA counts the retries still waiting too (their recipients are among those left).
 */
export function progressLine(stats: CampaignStats, total: number, recipientsPerSecond: number | undefined, throttled: boolean): string {
  const left = Math.max(0, total - done(stats));
  // While the provider throttles, the rate so far says nothing about when the rest will go.
  const eta = recipientsPerSecond !== undefined && recipientsPerSecond > 0 && !throttled ? formatDuration(left / recipientsPerSecond) : '–';
  const note = throttleNote(stats);
  const pacing = pacingNote(stats);
  return [
    `sent ${formatCount(stats.accepted)}/${formatCount(total)} ${total === 1 ? 'recipient' : 'recipients'}`,
    `failed ${formatCount(stats.failed)}`,
    `in doubt ${formatCount(stats.in_doubt)}`,
    `retries waiting ${formatCount(stats.retries_waiting)}`,
    recipientsPerSecond !== undefined ? `${recipientsPerSecond.toFixed(1)}/s` : '–/s',
    `ETA ${eta}`,
    ...(note ? [note] : []),
    ...(pacing ? [pacing] : []),
  ].join(' · ');
}

/**
 * `provider throttles at about 80/s: pacing at 79/s`: while throttling keeps the pacer under
 * `--mps`, what the provider accepted and the rate the campaign settled at.
 */
export function pacingNote(stats: CampaignStats): string | undefined {
  const pacing = stats.pacing;
  if (!pacing || pacing.providerRate === undefined || pacing.rate >= pacing.mps) return undefined;
  return `provider throttles at about ${formatCount(Math.floor(pacing.providerRate))}/s: pacing at ${formatCount(Math.floor(pacing.rate))}/s`;
}

/** Recipients settled per second over the last RATE_WINDOW_MS, from samples taken as the counts change and at each tick. */
export class RecipientRate {
  private samples: { at: number; done: number }[] = [];

  constructor(private readonly clock: Clock) {}

  sample(done: number): void {
    const at = this.clock.now();
    const last = this.samples.at(-1);
    // Many updates a second: one sample per quarter second is enough.
    if (last && this.samples.length > 1 && at - last.at < 250) last.done = done;
    else this.samples.push({ at, done });
    // The window starts at the newest sample that is at least RATE_WINDOW_MS old.
    while (this.samples.length > 1 && at - this.samples[1]!.at >= RATE_WINDOW_MS) this.samples.shift();
  }

  /** Undefined until a second of sending has been seen: under a second says nothing about the rate. */
  perSecond(): number | undefined {
    const first = this.samples[0];
    if (!first) return undefined;
    const now = this.clock.now();
    const latest = this.samples.at(-1)!;
    if (now - first.at < 1000) return undefined;
    return ((latest.done - first.done) * 1000) / (now - first.at);
  }
}

/** Throttling waits shorter than this are ordinary pacing, not worth a line of their own. */
const NOTEWORTHY_WAIT_MS = 5_000;

/**
 * A long throttling wait, once: worth a line at once (a log line otherwise comes only every 5 s),
 * and a warning under --json and --quiet, which print no progress.
 */
export class ThrottleNews {
  private last: string | undefined;

  /** The throttle note when it is new and its wait long; else undefined. */
  of(stats: CampaignStats): string | undefined {
    const note = throttleNote(stats);
    const isNews = note !== this.last && (stats.throttle?.waitMs ?? 0) >= NOTEWORTHY_WAIT_MS;
    this.last = note;
    return isNews ? note : undefined;
  }
}

/** What the progress line says while the provider throttles: how long it asked to wait, and how long we wait. */
export function throttleNote(stats: CampaignStats): string | undefined {
  const throttle = stats.throttle;
  if (!throttle) return undefined;
  const { askedMs, waitMs } = throttle;
  if (askedMs === undefined || waitMs === undefined) return 'throttled by the provider: slowing down';
  const asked = formatDuration(askedMs / 1000);
  if (askedMs <= waitMs) return `throttled: the provider asked to wait ${asked}`;
  return `throttled: the provider asked to wait ${asked}; waiting ${formatDuration(waitMs / 1000)} (the longest wait), then trying again`;
}

/**
 * Whether human output may be coloured: FORCE_COLOR (anything but 0 or false) forces it, NO_COLOR
 * (any non-empty value, no-color.org) forbids it, else only on a terminal.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
