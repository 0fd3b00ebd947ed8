/**
 * Numbers in ascending order, forgotten from the front: the rate controller's record of the last
 * second or two of requests, and its settled samples (never forgotten: one per reaction at most).
 * Forgetting moves a head index instead of copying what is kept (above ~2,048 requests a second,
 * the copy of ~4,096 entries per request was the controller's whole cost); the dead front is cut
 * off only once it is at least half the array, so each time is moved at most once on average:
 * amortised O(1) a request.
 */
export class SortedTimes {
  private times: number[] = [];
  /** The first live entry; those before it are forgotten. */
  private head = 0;
  private movedCount = 0;

  get length(): number {
    return this.times.length - this.head;
  }

  /** The oldest time kept, or undefined when there is none. */
  get first(): number | undefined {
    return this.head < this.times.length ? this.times[this.head] : undefined;
  }

  /** The `i`-th oldest time kept. */
  at(i: number): number | undefined {
    return i >= 0 && i < this.length ? this.times[this.head + i] : undefined;
  }

  /** Times moved by compaction so far (at most as many as were added): what the amortisation costs. */
  get moved(): number {
    return this.movedCount;
  }

  /** Adds `time`, no earlier than the latest (a clock's reading). */
  push(time: number): void {
    this.times.push(time);
  }

  /** Adds `time` in its place (after any equal to it). */
  insert(time: number): void {
    this.times.splice(this.upperBound(time), 0, time);
  }

  /** How many times are in (from, to]. */
  countIn(from: number, to: number): number {
    return this.upperBound(to) - this.upperBound(from);
  }

  /** Forgets every time before `time`: the head steps over each time once, so O(1) amortised. */
  forgetBefore(time: number): void {
    const { times } = this;
    while (this.head < times.length && times[this.head]! < time) this.head++;
    this.compact();
  }

  /** Forgets the oldest time and returns it (undefined when none is kept). */
  shift(): number | undefined {
    if (this.head >= this.times.length) return undefined;
    const time = this.times[this.head++]!;
    this.compact();
    return time;
  }

  /** Cuts off the dead front once it is at least half the array. */
  private compact(): void {
    const { times } = this;
    if (this.head >= 1024 && this.head * 2 >= times.length) {
      const kept = times.length - this.head;
      times.copyWithin(0, this.head);
      times.length = kept;
      this.movedCount += kept;
      this.head = 0;
    }
  }

  /** The index (into the array) of the first live time greater than `value`. */
  private upperBound(value: number): number {
    const { times } = this;
    let lo = this.head;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! <= value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
