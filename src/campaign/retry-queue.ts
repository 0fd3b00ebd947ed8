/**
 * The attempts waiting to be retried, by due time: a binary min-heap, so a push or a pop costs
 * log n, not a sort of the whole queue (a throttled spell at 1,000 MPS queues thousands). Attempts
 * due at the same time leave in the order they were queued.
 */
export class RetryQueue<T> {
  private readonly heap: { dueAt: number; seq: number; item: T }[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** The earliest due time (clock ms), or undefined when empty. */
  get nextDueAt(): number | undefined {
    return this.heap[0]?.dueAt;
  }

  push(dueAt: number, item: T): void {
    const heap = this.heap;
    heap.push({ dueAt, seq: this.seq++, item });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** Takes the earliest item if it is due at `now`. */
  popDue(now: number): T | undefined {
    const heap = this.heap;
    if (heap.length === 0 || heap[0]!.dueAt > now) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
        if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
        if (least === i) break;
        [heap[i], heap[least]] = [heap[least]!, heap[i]!];
        i = least;
      }
    }
    return top.item;
  }
}

function before(a: { dueAt: number; seq: number }, b: { dueAt: number; seq: number }): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
}
