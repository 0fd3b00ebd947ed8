/**
 * The least (or the greatest) value seen over the current span of `spanMs` and the one before it:
 * a recent extreme that forgets within two spans, at O(1) a value. The pacer keeps its shortest
 * recent round trip (a path that got longer is learnt within seconds) and its worst recent time from
 * a slot to its admission (a spike stops widening the lead within two seconds) this way.
 */
export class RecentExtreme {
  private current: number;
  private older: number;
  private since = -Infinity;
  private readonly none: number;
  private readonly pick: (a: number, b: number) => number;

  constructor(
    private readonly spanMs: number,
    kind: 'least' | 'greatest',
  ) {
    this.none = kind === 'least' ? Infinity : -Infinity;
    this.pick = kind === 'least' ? Math.min : Math.max;
    this.current = this.none;
    this.older = this.none;
  }

  /** Counts `value`, seen at `now` (ms). */
  add(now: number, value: number): void {
    this.roll(now);
    this.current = this.pick(this.current, value);
  }

  /** The extreme as of `now`: Infinity (least) or -Infinity (greatest) when nothing was seen in the two spans. */
  get(now: number): number {
    this.roll(now);
    return this.pick(this.current, this.older);
  }

  private roll(now: number): void {
    if (now - this.since < this.spanMs) return;
    // A span that ended more than a span ago holds nothing of the one before now.
    this.older = now - this.since >= 2 * this.spanMs ? this.none : this.current;
    this.current = this.none;
    this.since = now;
  }
}
