import { InputError } from '../errors.js';
import type { LineSpans } from '../fs/read-line-batches.js';
import type { LedgerBatch } from './ledger-batch.js';

/**
 * The ledger's first part, read by another thread: its batches in order, as they arrive.
 */
export interface FirstPart {
  /** The next batch if one has arrived, undefined if none has yet, null once the part is over. */
  poll(): LedgerBatch | null | undefined;
  /** The next batch or the part's end, waited for. */
  next(): Promise<LedgerBatch | null>;
  /** The batch last returned is folded (the reader may send another). */
  folded(): void;
}

/**
 * The ledger's batches in ledger order, when one thread reads its first part and this one its
 * second (from a line start on; `second` numbers its lines from 1 there): while the first part's
 * batches are not all in, this thread scans its own part between them and holds what it scanned;
 * once the first part is over, its own batches follow, renumbered after the first part's lines.
 * The ledger's fold depends on order (recipients are numbered as they first appear, an outcome
 * belongs to the intent before it), so the result is the batches a single reader would give, with
 * the same lines and line numbers; an InputError in the second part (an over-long line) is thrown
 * where a single reader would have thrown it: after every line before it, with its ledger line.
 */
export async function* ledgerInOrder(first: FirstPart, second: AsyncIterable<LineSpans>, scan: (spans: LineSpans) => LedgerBatch): AsyncGenerator<LedgerBatch> {
  const own = second[Symbol.asyncIterator]();
  const held: LedgerBatch[] = [];
  let ownOver = false;
  let ownError: InputError | undefined;
  /** The next batch of the second part (scanned now), or undefined at its end or its error. */
  const readOwn = async (): Promise<LedgerBatch | undefined> => {
    try {
      const result = await own.next();
      if (!result.done) return scan(result.value);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      ownError = error;
    }
    ownOver = true;
    return undefined;
  };
  let firstLines = 0;
  const took = (batch: LedgerBatch) => {
    firstLines = Math.max(firstLines, batch.firstLine + batch.kinds.length - 1);
    return batch;
  };

  try {
    let firstOver = false;
    while (!firstOver) {
      // What has arrived of the first part is folded first (it comes before anything held).
      for (let batch = first.poll(); batch !== undefined; batch = first.poll()) {
        if (batch === null) {
          firstOver = true;
          break;
        }
        yield took(batch);
        first.folded();
      }
      if (firstOver) break;
      if (!ownOver) {
        // Nothing to fold yet: scan a batch of this thread's part meanwhile.
        const batch = await readOwn();
        if (batch) held.push(batch);
        continue;
      }
      const batch = await first.next();
      if (batch === null) firstOver = true;
      else {
        yield took(batch);
        first.folded();
      }
    }
    for (let batch = held.shift(); batch; batch = held.shift()) yield renumbered(batch, firstLines);
    for (let batch = await readOwn(); batch; batch = await readOwn()) yield renumbered(batch, firstLines);
    if (ownError) {
      const location = ownError.location;
      throw new InputError(ownError.message, location?.line === undefined ? location : { ...location, line: location.line + firstLines });
    }
  } finally {
    await own.return?.(undefined);
  }
}

function renumbered(batch: LedgerBatch, linesBefore: number): LedgerBatch {
  batch.firstLine += linesBefore;
  return batch;
}
