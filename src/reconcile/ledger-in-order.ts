import { InputError } from '../errors.js';
import type { LineSpans } from '../fs/read-line-batches.js';
import type { LedgerBatch } from './ledger-batch.js';

/** What the other thread sends of its parts of the ledger, in order: a batch, a part's end (with its line count), or the end of all its parts. */
export type OtherMessage = LedgerBatch | { kind: 'ledger-part'; lines: number } | null;

/**
 * The parts of the ledger another thread reads: their batches (lines numbered from 1 in each part)
 * and ends, in order, as they arrive. An InputError there (line numbered in its part) is thrown
 * by poll or next.
 */
export interface OtherParts {
  /** The next message if one has arrived, else undefined. */
  poll(): OtherMessage | undefined;
  /** The next message, waited for. */
  next(): Promise<OtherMessage>;
  /** The batch last returned is folded (the reader may send another). */
  folded(): void;
}

/**
 * The ledger's batches in ledger order, when it is cut at line starts into `parts` parts read by
 * two threads, each taking the next part not yet taken (`claim()`: its index, shared with the other
 * thread); `readPart(p)` reads a part this thread took (numbering its lines from 1), the other
 * thread's arrive through `other`, in order. This thread takes a part only when it has nothing of
 * the other's to fold (or when the part it must fold next is untaken), so the two share the work
 * whatever each costs, and it holds at most one part scanned ahead, so memory stays bounded. The
 * ledger's fold depends on order (recipients are numbered as they first appear, an outcome belongs
 * to the intent before it), so the result is what one reader gives: the same batches' lines, with
 * their ledger line numbers, and an InputError (an over-long line) thrown after every line before it,
 * with its ledger line.
 */
export async function* ledgerInOrder(parts: number, claim: () => number, other: OtherParts, readPart: (part: number) => AsyncIterable<LineSpans>, scan: (spans: LineSpans) => LedgerBatch): AsyncGenerator<LedgerBatch> {
  /** This thread's part being read (ahead, or in its turn): batches scanned and not yet given. */
  let own: { part: number; lines: AsyncIterator<LineSpans>; held: LedgerBatch[]; over: boolean; error?: InputError } | undefined;
  const openOwn = (part: number) => (own = { part, lines: readPart(part)[Symbol.asyncIterator](), held: [], over: false });
  /** Scans one batch of this thread's part (into `held`); false at its end. */
  const scanOwn = async (): Promise<boolean> => {
    if (!own || own.over) return false;
    try {
      const result = await own.lines.next();
      if (!result.done) {
        own.held.push(scan(result.value));
        return true;
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      own.error = error;
    }
    own.over = true;
    return false;
  };
  let before = 0; // lines in the parts given so far
  const renumbered = (error: unknown) => {
    if (!(error instanceof InputError) || error.location?.line === undefined) return error;
    return new InputError(error.message, { ...error.location, line: error.location.line + before });
  };
  /** The other thread's next message, `wait`ing for it or not. */
  const fromOther = async (wait: boolean): Promise<OtherMessage | undefined> => {
    try {
      return wait ? await other.next() : other.poll();
    } catch (error) {
      throw renumbered(error);
    }
  };

  const mine = new Set<number>();
  let claimed = 0; // parts below this are taken (by either thread)
  const take = (): number => {
    const part = claim();
    claimed = part + 1;
    if (part < parts) mine.add(part);
    return part;
  };
  try {
    for (let part = 0; part < parts; part++) {
      // The part to fold next, untaken: this thread's (the other has taken every part below it).
      if (part >= claimed) {
        // Not taken as far as this thread knows: take the next part (this one, unless the other just did).
        const taken = take();
        if (taken !== part && taken < parts) openOwn(taken);
      }
      if (mine.has(part)) {
        if (own?.part !== part) openOwn(part);
        let lines = 0;
        for (;;) {
          const batch = own!.held.shift();
          if (batch) {
            lines = batch.firstLine + batch.kinds.length - 1;
            batch.firstLine += before;
            yield batch;
          } else if (!(await scanOwn())) break;
        }
        if (own!.error) throw renumbered(own!.error);
        before += lines;
        own = undefined;
        continue;
      }
      // The other thread's part: while nothing of it has arrived, this thread takes the next part
      // and scans it ahead.
      for (;;) {
        let message = await fromOther(false);
        if (message === undefined) {
          if (own === undefined && claimed < parts) {
            const ahead = take();
            if (ahead < parts) openOwn(ahead);
          }
          if (await scanOwn()) continue;
          message = await fromOther(true);
        }
        if (message === null || message === undefined) throw new Error(`reading the ledger: the other thread stopped before the end of part ${part}`);
        if (message.kind === 'ledger-part') {
          before += message.lines;
          break;
        }
        message.firstLine += before;
        yield message;
        other.folded();
      }
    }
    if ((await fromOther(true)) !== null) throw new Error('reading the ledger: more parts than there are');
  } finally {
    await own?.lines.return?.(undefined);
  }
}
