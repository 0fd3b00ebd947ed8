/**
 * `send --daily-limit <n>`: how many more unique recipients may be messaged now. Recipients the
 * ledger shows as messaged in the last 24 h are already counted (a retry of one adds no one);
 * each other recipient takes one place, until none is left. Decided in file order, the same way
 * for the plan (counting) and for the run (sending), each with its own instance.
 */
export class DailyAllowance {
  private left: number;
  /** Recipients refused for lack of room. */
  held = 0;

  constructor(
    readonly limit: number,
    private readonly counted: ReadonlySet<string>,
  ) {
    this.left = Math.max(0, limit - counted.size);
  }

  /** Whether `phone` may be sent to now; a new recipient takes a place. */
  take(phone: string): boolean {
    if (this.counted.has(phone)) return true;
    if (this.left === 0) {
      this.held++;
      return false;
    }
    this.left--;
    return true;
  }
}
