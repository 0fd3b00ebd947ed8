/**
 * The sender's side of the provider's one-second window, kept on when each request's bytes went to
 * the socket, not on when the pacer let it go: between the two lie the HTTP client, the event loop
 * and, on a loaded machine, the scheduler, and that delay varies from request to request (a few
 * milliseconds quiet, tens with another process busy on the core). Two requests admitted exactly a
 * window apart reach the provider less than a window apart when the first was slow to leave and the
 * second quick, and the provider counts arrivals.
 *
 * Pure bookkeeping, no clock: the pacer passes the times. A request counts from its admission,
 * while its write time is unknown, as if it were written at any moment from now on (it cannot be
 * earlier than its admission); once written, it counts from its write time. Admitting only while
 * fewer than `limit` requests are written within the last window or still unwritten keeps every
 * window of write times at `limit` or fewer, whatever the delays are: the margin is measured on the
 * spot, request by request, and grows exactly as the delay grows.
 */
export class WriteWindow {
  /** Write times, oldest first, in a ring: the last `capacity` of them. */
  private readonly stamps: Float64Array;
  private head = 0;
  private size = 0;
  /** Admitted, not yet written (or failed). */
  private unwritten = 0;

  constructor(readonly capacity: number) {
    this.stamps = new Float64Array(Math.max(1, capacity));
  }

  /** Requests admitted whose bytes have not gone out yet. */
  get pending(): number {
    return this.unwritten;
  }

  /**
   * The earliest time a request may be admitted under `limit` requests a window of `windowMs`,
   * with `ahead` others to be admitted before it: -Infinity for at once, undefined when not before
   * a pending request is written (its time decides).
   */
  roomAt(limit: number, windowMs: number, ahead = 0): number | undefined {
    const allowed = Math.min(limit, this.capacity) - this.unwritten - ahead - 1;
    if (allowed < 0) return undefined;
    if (this.size <= allowed) return -Infinity;
    // The (allowed + 1)-th most recent write must have left the window.
    return this.stamps[(this.head + this.size - 1 - allowed) % this.capacity]! + windowMs;
  }

  admitted(): void {
    this.unwritten++;
  }

  /** A pending request's bytes went out at `at` (the times given are never decreasing). */
  written(at: number): void {
    this.unwritten = Math.max(0, this.unwritten - 1);
    if (this.size < this.capacity) {
      this.stamps[(this.head + this.size) % this.capacity] = at;
      this.size++;
    } else {
      this.stamps[this.head] = at;
      this.head = (this.head + 1) % this.capacity;
    }
  }
}
