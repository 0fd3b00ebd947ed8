import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * One full garbage collection, now. `send` calls it once, between checking the CSV and sending:
 * the first pass's duplicate table (12 bytes a slot, about 17 MB for a million rows) and the rest
 * of the check's garbage are unreachable by then, but they live in the old generation, which V8
 * collects only when it is full again, well into the sending, just as the HTTP client's garbage
 * has grown the heap to its largest: the two would peak together, the table's share growing with
 * the campaign (BENCHMARKS.md, "Memory"). Collected here, they never meet. Costs one collection of
 * a small heap, once (under 10 ms for a million recipients' check).
 *
 * Node exposes `gc` only with --expose-gc; set at run time, the flag reaches new contexts, so the
 * function is taken from one (no second process, no flag on the command line). A V8 without it
 * leaves the collection to V8, as before: only the memory figure would change.
 */
export function collectGarbage(): void {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : undefined');
    if (typeof gc === 'function') (gc as () => void)();
  } catch {
    // Not available: V8 collects when it would have.
  }
}
