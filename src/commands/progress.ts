import ora, { type Ora } from 'ora';
import { requestRate, type CampaignStats } from '../campaign/campaign-stats.js';

export interface ProgressReporter {
  update(stats: CampaignStats): void;
  stop(): void;
}

export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** Recipients this run expects to send to. */
  total: number;
  now?: () => number;
}

/**
 * The live line: on a terminal an ora spinner, redrawn at most 10 times a second; elsewhere (a
 * cron log) a plain line every 5 seconds. Never per message: a thousand redraws a second would
 * cost more than the sends.
 *
 * ora's discardStdin stays off: it puts the terminal in raw mode and, with stdin not yet flowing,
 * swallows Ctrl-C, so a user could not interrupt a campaign.
 */
export function progressReporter(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const tty = options.stream.isTTY === true;
  const interval = tty ? 100 : 5000;
  let last = -Infinity;
  let latest: CampaignStats | undefined;
  const spinner: Ora | undefined = tty ? ora({ stream: options.stream, text: 'starting…', discardStdin: false }).start() : undefined;

  const line = (stats: CampaignStats) => {
    const done = stats.accepted + stats.failed + stats.in_doubt;
    // Under a second of sending says nothing about the rate.
    const rate = now() - started >= 1000 ? requestRate(stats) : 0;
    const left = Math.max(0, options.total - done);
    // While the provider throttles, the rate so far says nothing about when the rest will go.
    const eta = rate > 0 && !stats.throttle ? formatDuration(left / rate) : '–';
    const note = throttleNote(stats);
    return `sent ${stats.accepted}/${options.total} · failed ${stats.failed} · in doubt ${stats.in_doubt} · ${rate > 0 ? `${rate.toFixed(1)}/s` : '–/s'} · ETA ${eta}${note ? ` · ${note}` : ''}`;
  };
  let lastNote: string | undefined;

  return {
    update(stats) {
      latest = stats;
      const t = now();
      // A long wait is news: said at once, not at the next tick (a log line comes every 5 s).
      const note = throttleNote(stats);
      const news = note !== lastNote && (stats.throttle?.waitMs ?? 0) >= NOTEWORTHY_WAIT_MS;
      lastNote = note;
      if (t - last < interval && !news) return;
      last = t;
      if (spinner) spinner.text = line(stats);
      else options.stream.write(`wa-broadcast: ${line(stats)}\n`);
    },
    stop() {
      if (spinner) {
        if (latest) spinner.text = line(latest);
        spinner.stopAndPersist({ symbol: '•' });
      }
    },
  };
}

/** Throttling waits shorter than this are ordinary pacing, not worth a line of their own. */
const NOTEWORTHY_WAIT_MS = 5_000;

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

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
