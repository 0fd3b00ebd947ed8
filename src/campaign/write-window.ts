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
 *
 * Beyond the socket, what a write's window is depends on its answer (`answered`: its round trip,
 * which bounds when the provider stamped it, pacer.ts), which the pacer's function is told. Such
 * windows differ from one write to the next, so a write older than the one that binds may end
 * later: `roomAt` looks at every write whose window can reach past the binding one's.
 */
export class WriteWindow {
  /**
   * Write times, oldest first, in a ring: the last `capacity` of them at most, and fewer when older
   * ones have left the horizon. Grown as writes come, not allocated for `capacity` up front: an
   * unpaced send (`--mps 1000000`) would otherwise hold a million stamps (8 MB) that fill one by
   * one over the campaign, when the window only ever looks at the last second's (BENCHMARKS.md,
   * "Memory").
   */
  private stamps: Float64Array;
  /** Beside each stamp, its round trip once answered (`answered`), NaN until then. */
  private trips: Float64Array;
  private head = 0;
  /** Writes ever: the next write's sequence number. */
  private writes = 0;
  private size = 0;
  /** Admitted, not yet written (or failed). */
  private unwritten = 0;

  constructor(
    readonly capacity: number,
    /**
     * The longest window `roomAt` is asked about (ms): a stamp older than that before the latest
     * write can no longer hold a request back, and is dropped rather than kept.
     */
    readonly horizonMs: number,
  ) {
    this.stamps = new Float64Array(Math.min(Math.max(1, capacity), INITIAL_STAMPS));
    this.trips = new Float64Array(this.stamps.length).fill(NaN);
  }

  /** Requests admitted whose bytes have not gone out yet. */
  get pending(): number {
    return this.unwritten;
  }

  /** The write times held (16 bytes each, with their round trips): what the window costs in memory. */
  get retained(): number {
    return this.stamps.length;
  }

  /**
   * The earliest time a request may be admitted under `limit` requests a window of `windowMs`
   * (at most `horizonMs`; a function gives it for the write that binds), with `ahead` others to be
   * admitted before it: -Infinity for at once (or a time already past), undefined when not before
   * a pending request is written (its time decides).
   */
  roomAt(limit: number, windowMs: number | ((stamp: number, roundTrip: number | undefined) => number), ahead = 0): number | undefined {
    const allowed = Math.min(limit, this.capacity) - this.unwritten - ahead - 1;
    if (allowed < 0) return undefined;
    // A dropped stamp left the horizon before the latest write, so before now: its room is past.
    if (this.size <= allowed) return -Infinity;
    // The (allowed + 1)-th most recent write must have left the window (which may depend on when that write was).
    const length = this.stamps.length;
    let at = (this.head + this.size - 1 - allowed) % length;
    const stamp = this.stamps[at]!;
    if (typeof windowMs === 'number') return stamp + windowMs;
    const window = (i: number) => {
      const trip = this.trips[i]!;
      return this.stamps[i]! + windowMs(this.stamps[i]!, Number.isNaN(trip) ? undefined : trip);
    };
    let room = window(at);
    // And so must every write before it: with one of them still in the window the request would be
    // one too many. Only those within a horizon of the room can end later (no window is longer).
    for (let left = this.size - 1 - allowed; left > 0; left--) {
      at = (at + length - 1) % length;
      if (this.stamps[at]! <= room - this.horizonMs) break;
      room = Math.max(room, window(at));
    }
    return room;
  }

  /**
   * The write numbered `seq` (what `written` returned) was answered `roundTripMs` after it went out
   * (the pacer's function is told it). Ignored once the write is no longer held.
   */
  answered(seq: number, roundTripMs: number): void {
    const oldest = this.writes - this.size;
    if (seq < oldest || seq >= this.writes) return;
    this.trips[(this.head + (seq - oldest)) % this.stamps.length] = roundTripMs;
  }

  admitted(): void {
    this.unwritten++;
  }

  /**
   * A pending request's bytes went out at `at` (the times given are never decreasing). Returns the
   * write's sequence number, for `answered`.
   */
  written(at: number): number {
    this.unwritten = Math.max(0, this.unwritten - 1);
    const length = this.stamps.length;
    // Full: the oldest goes, unless it is still within the horizon and the ring may grow.
    if (this.size === length && (length >= this.capacity || this.stamps[this.head]! <= at - this.horizonMs)) {
      this.stamps[this.head] = at;
      this.trips[this.head] = NaN;
      this.head = (this.head + 1) % length;
      return this.writes++;
    }
    if (this.size === length) this.grow();
    const slot = (this.head + this.size) % this.stamps.length;
    this.stamps[slot] = at;
    this.trips[slot] = NaN;
    this.size++;
    return this.writes++;
  }

  /** Doubles the ring (up to `capacity`), the stamps kept in order from the oldest. */
  private grow(): void {
    const old = this.stamps;
    const oldTrips = this.trips;
    const stamps = new Float64Array(Math.min(this.capacity, old.length * 2));
    const trips = new Float64Array(stamps.length).fill(NaN);
    for (let i = 0; i < this.size; i++) {
      stamps[i] = old[(this.head + i) % old.length]!;
      trips[i] = oldTrips[(this.head + i) % old.length]!;
    }
    this.stamps = stamps;
    this.trips = trips;
    this.head = 0;
  }
}

/** The ring's first size: a second's stamps at up to 1,024 MPS, never copied below that rate. */
const INITIAL_STAMPS = 1024;
