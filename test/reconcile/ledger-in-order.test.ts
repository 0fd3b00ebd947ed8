import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MAX_LINE_BYTES, lineStartAfter, type LineSpans } from '../../src/fs/read-line-batches.js';
import { readLedgerSpans } from '../../src/ledger/read-ledger.js';
import { SendRecordScanner } from '../../src/ledger/scan-send-record.js';
import { joinedValue as valueOf, LedgerLineKind, scanLedgerBatch, type LedgerBatch } from '../../src/reconcile/ledger-batch.js';
import { ledgerInOrder, type OtherMessage, type OtherParts } from '../../src/reconcile/ledger-in-order.js';
import { collect, tempDir } from '../helpers.js';
import { intentFor, outcomeFor } from '../ledger-record-builders.js';
import { seededRandom } from '../seeded-random.js';

const RUN = { type: 'run', v: 1, run: 'r1', at: '2026-11-24T10:00:00.000Z', pid: 1, provider: 'cloud', mps: 80, csv: 'c.csv', csv_sha256: 'x', template: 't.yaml', template_sha256: 'y', template_name: 'n', language: 'en', category: 'marketing' };

/** A ledger as send writes it (intents with rows, accepted outcomes), with a blank line, a CRLF line and, unless `complete`, a torn last line. */
function ledgerText(complete = false): string {
  const lines = [JSON.stringify(RUN)];
  for (let i = 0; i < 6; i++) {
    const phone = `+4474000000${i}`;
    lines.push(JSON.stringify({ ...intentFor(phone), row: { phone, name: `n${i}` } }));
    lines.push(JSON.stringify(outcomeFor(phone, i === 3 ? 'failed' : 'accepted', i === 3 ? { code: '131026' } : { message_id: `wamid.${i}` })));
    if (i === 2) lines.push('');
    if (i === 4) lines.push(`${JSON.stringify(intentFor('+447400000099'))}\r`);
  }
  return `${lines.join('\n')}\n${complete ? '' : '{"type":"intent","at":"2026'}`;
}

async function fileWith(text: string): Promise<string> {
  const file = path.join(await tempDir(), 'l.jsonl');
  await writeFile(file, text);
  return file;
}

const scanWith = (scanner = new SendRecordScanner()) => (spans: LineSpans) => scanLedgerBatch(spans, scanner);

/** Every line of the batches, as what the fold reads of it. */
function lines(batches: LedgerBatch[]) {
  return batches.flatMap((b) => {
    let other = 0;
    return [...b.kinds].map((kind, i) => ({ line: b.firstLine + i, kind, offset: b.offsets[i], length: b.lengths[i], at: b.ats[i], phone: valueOf(b.phones, i), cid: valueOf(b.cids, i), id: valueOf(b.messageIds, i), columns: b.columns[i], text: kind === LedgerLineKind.other ? b.texts[other++] : '' }));
  });
}

/** The batches of `spans`, cut into batches of at most `size` lines (as another thread might post them). */
function cut(spans: LineSpans, size: number): LineSpans[] {
  const parts: LineSpans[] = [];
  for (let k = 0; k < spans.starts.length; k += size) {
    parts.push({ ...spans, firstLine: spans.firstLine + k, starts: spans.starts.slice(k, k + size), ends: spans.ends.slice(k, k + size), tooLong: [] });
  }
  return parts;
}

/** Another thread's side: it takes the next part (from the shared `claim`) when its queue is empty, reads it, and its messages arrive when `arrived()` says so. */
function otherThread(parts: LedgerBatch[][], claim: () => number, arrived: () => boolean, failure?: { part: number; error: Error }) {
  const queue: (LedgerBatch | { kind: 'ledger-part'; lines: number } | Error | null)[] = [];
  let unfolded = 0;
  let over = false;
  const work = () => {
    if (queue.length > 0 || over) return;
    const part = claim();
    if (part >= parts.length) {
      queue.push(null);
      over = true;
      return;
    }
    queue.push(...parts[part]!.map((batch) => structuredClone(batch)));
    if (failure?.part === part) {
      queue.push(failure.error);
      over = true;
      return;
    }
    queue.push({ kind: 'ledger-part', lines: parts[part]!.reduce((n, batch) => n + batch.kinds.length, 0) });
  };
  const take = (): OtherMessage => {
    const message = queue.shift()!;
    if (message instanceof Error) throw message;
    if (message && message.kind === 'ledger') unfolded++;
    return message;
  };
  const other: OtherParts = {
    poll: () => {
      if (arrived()) work();
      return queue.length > 0 && arrived() ? take() : undefined;
    },
    next: async () => {
      work();
      if (queue.length === 0) throw new Error('the other thread has nothing more to send');
      return take();
    },
    folded: () => void unfolded--,
  };
  return { other, outstanding: () => unfolded, start: work };
}

/** The file cut into parts at `cuts` (line starts), each part's batches (of at most `size` lines), read as a thread would. */
async function partsOf(file: string, cuts: number[], size: number): Promise<{ batches: LedgerBatch[][]; read: (p: number) => AsyncIterable<LineSpans> }> {
  const bounds = cuts.slice(0, -1).map((start, p) => ({ start, end: cuts[p + 1]! }));
  const read = (p: number) => readLedgerSpans(file, bounds[p]!.end, bounds[p]!.start);
  const batches: LedgerBatch[][] = [];
  for (let p = 0; p < bounds.length; p++) {
    const scan = scanWith();
    const part: LedgerBatch[] = [];
    for await (const spans of read(p)) for (const piece of cut(spans, size)) part.push(scan(piece));
    batches.push(part);
  }
  return { batches, read };
}

/** Reads the ledger in parts shared by this thread and a simulated other one (which takes the first part, if `otherFirst`, before this thread starts). */
async function inOrder(file: string, cuts: number[], random: () => number, failure?: { part: number; error: Error }, otherFirst = false) {
  const { batches, read } = await partsOf(file, cuts, 1 + Math.floor(random() * 4));
  let counter = 0;
  const claim = () => counter++;
  const { other, outstanding, start } = otherThread(batches, claim, () => random() < 0.5, failure);
  if (otherFirst) start();
  const merged = await collect(ledgerInOrder(batches.length, claim, other, read, scanWith()));
  expect(outstanding()).toBe(0);
  return merged;
}

async function firstBatches(file: string, end: number, size: number): Promise<LedgerBatch[]> {
  const scan = scanWith();
  const batches: LedgerBatch[] = [];
  for await (const spans of readLedgerSpans(file, end)) for (const part of cut(spans, size)) batches.push(scan(part));
  return batches;
}

describe('ledgerInOrder: the ledger read in parts by two threads is the ledger read by one', () => {
  it('gives the same lines, numbers and places cut at every line start, at one or two places (also inside a line: the part before reads it), or none, parts taken by either thread at any moment', async () => {
    const text = ledgerText();
    const file = await fileWith(text);
    const size = Buffer.byteLength(text);
    const whole = lines(await firstBatches(file, size, Infinity));
    expect(whole.length).toBe(15); // every complete line, the blank one included; not the torn one
    const random = seededRandom();
    const starts = [0, ...[...text.matchAll(/\n/g)].map((match) => match.index + 1)];
    const cutSets: number[][] = [[0, size], [...starts.filter((at) => at < size), size]];
    for (const at of [1, ...starts.flatMap((start) => [start, start + 1, start + 2])]) {
      const cutAt = Math.min(size, await lineStartAfter(file, at));
      if (cutAt > 0 && cutAt < size) cutSets.push([0, cutAt, size]);
      const later = Math.min(size, await lineStartAfter(file, cutAt + 1 + Math.floor(random() * 200)));
      if (later > cutAt && later < size && cutAt > 0) cutSets.push([0, cutAt, later, size]);
    }
    // A last part holding only the torn line (no line at all).
    cutSets.push([0, starts.at(-1)!, size]);
    for (const cuts of cutSets) {
      for (let turn = 0; turn < 3; turn++) expect(lines(await inOrder(file, cuts, random)), `cuts ${cuts.join(',')}`).toEqual(whole);
    }
  });

  it('throws an over-long line where one reader would: after the lines before it, with its ledger line, whichever thread read it', async () => {
    const text = `${ledgerText(true)}${'x'.repeat(MAX_LINE_BYTES + 1)}\n${JSON.stringify(intentFor('+447400000077'))}\n`;
    const file = await fileWith(text);
    const size = Buffer.byteLength(text);
    const single = await collect(readLedgerSpans(file, size)).catch((error: unknown) => error);
    expect(single).toBeInstanceOf(InputError);
    expect((single as InputError).location?.line).toBe(ledgerText(true).split('\n').length);
    const before = lines(await firstBatches(file, Buffer.byteLength(ledgerText(true)), Infinity));
    const random = seededRandom();
    for (const cuts of [[0, size], [0, 300, size], [0, 900, size], [0, Buffer.byteLength(ledgerText(true)), size]]) {
      const cutAt = cuts.map((at) => at);
      for (let p = 1; p < cutAt.length - 1; p++) cutAt[p] = await lineStartAfter(file, cutAt[p]!);
      for (let turn = 0; turn < 4; turn++) {
        let counter = 0;
        const claim = () => counter++;
        // The other thread reads its parts the way it does (an error ends its messages).
        const readAll = await Promise.all(cutAt.slice(0, -1).map(async (start, p) => {
          const part: LedgerBatch[] = [];
          try {
            for await (const spans of readLedgerSpans(file, cutAt[p + 1]!, start)) part.push(scanWith()(spans));
            return { part };
          } catch (error) {
            return { part, error: error as Error };
          }
        }));
        const failed = readAll.findIndex((r) => r.error);
        const { other, outstanding } = otherThread(readAll.map((r) => r.part), claim, () => random() < 0.5, { part: failed, error: readAll[failed]!.error! });
        const got: LedgerBatch[] = [];
        const error = await (async () => {
          for await (const batch of ledgerInOrder(readAll.length, claim, other, (p) => readLedgerSpans(file, cutAt[p + 1]!, cutAt[p]!), scanWith())) got.push(batch);
        })().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).message).toBe((single as InputError).message);
        expect((error as InputError).location).toEqual((single as InputError).location);
        expect(lines(got)).toEqual(before);
        expect(outstanding()).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('ledgerInOrder: parts the other thread took', () => {
  /** The ledger cut at every `step`-th line start (2 to 8 parts). */
  async function cutFile(step: number) {
    const text = ledgerText(true);
    const file = await fileWith(text);
    const size = Buffer.byteLength(text);
    const starts = [0, ...[...text.matchAll(/\n/g)].map((match) => match.index + 1)].filter((at) => at < size);
    return { file, cuts: [...starts.filter((_, i) => i % step === 0), size], whole: lines(await firstBatches(file, size, Infinity)) };
  }

  it('the other thread taking the first part (and more as it goes): the same lines, numbered as one reader numbers them', async () => {
    const random = seededRandom();
    for (const step of [2, 3, 5, 8]) {
      const { file, cuts, whole } = await cutFile(step);
      expect(whole.length).toBe(15);
      for (let turn = 0; turn < 6; turn++) expect(lines(await inOrder(file, cuts, random, undefined, true)), `step ${step}, turn ${turn}`).toEqual(whole);
    }
  });

  it('the other thread takes every part: this thread only folds them, in order, each batch acknowledged', async () => {
    const { file, cuts, whole } = await cutFile(3);
    const { batches } = await partsOf(file, cuts, 2);
    let counter = 0;
    const claim = () => counter++;
    const folded: number[] = [];
    const queue: OtherMessage[] = [];
    for (const part of batches) queue.push(...part.map((batch) => structuredClone(batch)), { kind: 'ledger-part', lines: part.reduce((n, batch) => n + batch.kinds.length, 0) });
    queue.push(null);
    counter = batches.length; // all taken before this thread looks
    const read = () => {
      throw new Error('this thread read a part');
    };
    const other: OtherParts = { poll: () => queue.shift(), next: async () => queue.shift()!, folded: () => void folded.push(queue.length) };
    expect(lines(await collect(ledgerInOrder(batches.length, claim, other, read, scanWith())))).toEqual(whole);
    expect(folded.length).toBe(batches.flat().length);
    expect(queue).toEqual([]);
  });

  it('the other thread ending before its part does: an error naming the part', async () => {
    const { file, cuts } = await cutFile(3);
    const { batches, read } = await partsOf(file, cuts, 2);
    let counter = 1; // part 0 is the other thread's
    const queue: OtherMessage[] = [structuredClone(batches[0]![0]!), null];
    const other: OtherParts = { poll: () => queue.shift(), next: async () => queue.shift()!, folded: () => undefined };
    const got: LedgerBatch[] = [];
    const error = await (async () => {
      for await (const batch of ledgerInOrder(batches.length, () => counter++, other, read, scanWith())) got.push(batch);
    })().catch((caught: unknown) => caught);
    expect(error).toEqual(new Error('reading the ledger: the other thread stopped before the end of part 0'));
    expect(got.length).toBe(1);
  });

  it('the other thread sending a part more than there are: an error after every line', async () => {
    const { file, cuts, whole } = await cutFile(3);
    const { batches, read } = await partsOf(file, cuts, 2);
    let counter = 0;
    // This thread takes every part; at the end the other sends a part's end instead of its own end.
    const queue: OtherMessage[] = [{ kind: 'ledger-part', lines: 0 }];
    const other: OtherParts = { poll: () => undefined, next: async () => queue.shift()!, folded: () => undefined };
    const got: LedgerBatch[] = [];
    const error = await (async () => {
      for await (const batch of ledgerInOrder(batches.length, () => counter++, other, read, scanWith())) got.push(batch);
    })().catch((caught: unknown) => caught);
    expect(error).toEqual(new Error('reading the ledger: more parts than there are'));
    expect(lines(got)).toEqual(whole);
  });
});

describe('ledgerInOrder: how the two threads share the parts (a scripted other thread)', () => {
  /**
   * Three parts of one batch each. The other thread took part 0 before this one started, and its
   * batch arrives only when waited for (`next`): `poll` finds nothing. Everything both sides do is
   * logged, in order.
   */
  async function scripted(options: { otherParts: number[]; stopAfter?: number } = { otherParts: [0] }) {
    const { file, batches } = await (async () => {
      const text = ledgerText(true);
      const file = await fileWith(text);
      const size = Buffer.byteLength(text);
      const starts = [0, ...[...text.matchAll(/\n/g)].map((match) => match.index + 1)].filter((at) => at < size);
      const cuts = [0, starts[5]!, starts[10]!, size];
      return { file, ...(await partsOf(file, cuts, Infinity)), cuts };
    })();
    const cuts = await (async () => {
      const text = ledgerText(true);
      const size = Buffer.byteLength(text);
      const starts = [0, ...[...text.matchAll(/\n/g)].map((match) => match.index + 1)].filter((at) => at < size);
      return [0, starts[5]!, starts[10]!, size];
    })();
    const log: string[] = [];
    // The shared counter: the other thread's parts are taken already.
    let counter = 0;
    const claim = () => {
      while (options.otherParts.includes(counter)) counter++;
      log.push(`claim ${counter}`);
      return counter++;
    };
    const queue: OtherMessage[] = [];
    for (const part of options.otherParts) queue.push(structuredClone(batches[part]![0]!), { kind: 'ledger-part', lines: batches[part]![0]!.kinds.length });
    queue.push(null);
    const other: OtherParts = {
      poll: () => {
        log.push('poll');
        return undefined;
      },
      next: async () => {
        log.push('next');
        return queue.shift()!;
      },
      folded: () => void log.push('acked'),
    };
    const read = (p: number): AsyncIterable<LineSpans> => {
      log.push(`read ${p}`);
      const spans = readLedgerSpans(file, cuts[p + 1]!, cuts[p]!);
      return {
        [Symbol.asyncIterator]: () => {
          const iterator = spans[Symbol.asyncIterator]();
          return {
            next: async () => {
              const result = await iterator.next();
              log.push(result.done ? `end ${p}` : `scan ${p}`);
              return result;
            },
            return: async () => {
              log.push(`close ${p}`);
              return iterator.return(undefined);
            },
          };
        },
      };
    };
    const got: LedgerBatch[] = [];
    for await (const batch of ledgerInOrder(3, claim, other, read, scanWith())) {
      log.push(`yield ${batch.firstLine}`);
      got.push(batch);
      if (got.length === options.stopAfter) break;
    }
    return { log, got, whole: lines(await firstBatches(file, Buffer.byteLength(ledgerText(true)), Infinity)) };
  }

  it('while the other thread’s part has not arrived, this thread takes the next part and scans it ahead (once), then folds both in order and takes the last', async () => {
    const { log, got, whole } = await scripted();
    expect(lines(got)).toEqual(whole);
    expect(log).toEqual([
      'claim 1', 'read 1', // part 0 is the other's: take the next one
      'poll', 'scan 1', 'poll', 'end 1', 'next', // nothing arrived: scan ahead, then wait
      'yield 1', 'acked', 'poll', 'next', // the other's part 0 and its end
      'yield 6', // this thread's part 1, scanned ahead, not read again
      'claim 2', 'read 2', 'scan 2', 'yield 11', 'end 2', // the last part, in its turn
      'next', // the other thread's end
    ]);
  });

  it('the other thread holding the middle part: this thread reads the first, waits for the middle, then reads the last', async () => {
    const { log, got, whole } = await scripted({ otherParts: [1] });
    expect(lines(got)).toEqual(whole);
    expect(log).toEqual([
      'claim 0', 'read 0', 'scan 0', 'yield 1', 'end 0',
      'claim 2', 'read 2', // part 1 was taken by the other thread: take part 2 and scan it ahead
      'poll', 'scan 2', 'poll', 'end 2', 'next',
      'yield 6', 'acked', 'poll', 'next',
      'yield 11',
      'next',
    ]);
  });

  it('stopped early (the caller breaks off), it closes the part it was reading', async () => {
    const { log, got } = await scripted({ otherParts: [], stopAfter: 1 });
    expect(got.length).toBe(1);
    expect(log).toEqual(['claim 0', 'read 0', 'scan 0', 'yield 1', 'close 0']);
  });

  it('an over-long line in a part the other thread read: thrown with its ledger line, after every line before it', async () => {
    const text = `${ledgerText(true)}${'x'.repeat(MAX_LINE_BYTES + 1)}\n${JSON.stringify(intentFor('+447400000077'))}\n`;
    const file = await fileWith(text);
    const size = Buffer.byteLength(text);
    const single = (await collect(readLedgerSpans(file, size)).catch((error: unknown) => error)) as InputError;
    // Part 0 (this thread's) is the first two lines; part 1 (the other's) the rest, with the long line.
    const cut = await lineStartAfter(file, 10);
    const mine = await firstBatches(file, cut, Infinity);
    const theirs: LedgerBatch[] = [];
    let error: InputError | undefined;
    try {
      for await (const spans of readLedgerSpans(file, size, cut)) theirs.push(scanWith()(spans));
    } catch (caught) {
      error = caught as InputError;
    }
    expect(error).toBeInstanceOf(InputError);
    const queue: (OtherMessage | Error)[] = [...theirs, error!];
    let counter = 0;
    const claim = () => (counter === 1 ? ++counter + 0 : counter++);
    const other: OtherParts = {
      poll: () => undefined,
      next: async () => {
        const message = queue.shift()!;
        if (message instanceof Error) throw message;
        return message;
      },
      folded: () => undefined,
    };
    const got: LedgerBatch[] = [];
    const thrown = await (async () => {
      for await (const batch of ledgerInOrder(2, claim, other, (p) => readLedgerSpans(file, p === 0 ? cut : size, p === 0 ? 0 : cut), scanWith())) got.push(batch);
    })().catch((caught: unknown) => caught);
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).message).toBe(single.message);
    expect((thrown as InputError).location).toEqual(single.location);
    expect(lines(got)).toEqual(lines(await firstBatches(file, Buffer.byteLength(ledgerText(true)), Infinity)));
    expect(mine.length).toBe(1);
  });
});
