import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MAX_LINE_BYTES, lineStartAfter, type LineSpans } from '../../src/fs/read-line-batches.js';
import { readLedgerSpans } from '../../src/ledger/read-ledger.js';
import { SendRecordScanner } from '../../src/ledger/scan-send-record.js';
import { scanLedgerBatch, type LedgerBatch } from '../../src/reconcile/ledger-batch.js';
import { ledgerInOrder, type FirstPart } from '../../src/reconcile/ledger-in-order.js';
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
  return batches.flatMap((b) =>
    [...b.kinds].map((kind, i) => ({ line: b.firstLine + i, kind, offset: b.offsets[i], length: b.lengths[i], at: b.ats[i], phone: b.phones[i], cid: b.cids[i], id: b.messageIds[i], columns: b.columns[i], text: b.texts[i] })),
  );
}

/** The batches of `spans`, cut into batches of at most `size` lines (as another thread might post them). */
function cut(spans: LineSpans, size: number): LineSpans[] {
  const parts: LineSpans[] = [];
  for (let k = 0; k < spans.starts.length; k += size) {
    parts.push({ ...spans, firstLine: spans.firstLine + k, starts: spans.starts.slice(k, k + size), ends: spans.ends.slice(k, k + size), tooLong: [] });
  }
  return parts;
}

/** The first part's batches, arriving (poll) only when `arrived()` says so, as from a worker. */
function firstPartOf(batches: LedgerBatch[], arrived: () => boolean, failure?: Error): FirstPart & { outstanding: () => number } {
  let next = 0;
  let unfolded = 0;
  const take = (): LedgerBatch | null => {
    if (next < batches.length) {
      unfolded++;
      return batches[next++]!;
    }
    if (failure) throw failure;
    return null;
  };
  return {
    poll: () => (arrived() ? take() : undefined),
    next: async () => take(),
    folded: () => void unfolded--,
    outstanding: () => unfolded,
  };
}

async function firstBatches(file: string, end: number, size: number): Promise<LedgerBatch[]> {
  const scan = scanWith();
  const batches: LedgerBatch[] = [];
  for await (const spans of readLedgerSpans(file, end)) for (const part of cut(spans, size)) batches.push(scan(part));
  return batches;
}

describe('ledgerInOrder: the ledger read in two parts by two threads is the ledger read by one', () => {
  it('gives the same lines, numbers and places for a cut at every line start, or inside a line (which the first part then reads), batches arriving at any moment', async () => {
    const text = ledgerText();
    const file = await fileWith(text);
    const size = Buffer.byteLength(text);
    const whole = lines(await firstBatches(file, size, Infinity));
    expect(whole.length).toBe(15); // every complete line, the blank one included; not the torn one
    const random = seededRandom();
    const cuts = new Set<number>();
    // Each line's first byte, and a byte inside it (the line across the cut goes to the first part).
    const places = [...text.matchAll(/\n/g)].flatMap((match) => [match.index, match.index + 1, match.index + 2]);
    for (const at of [0, 1, ...places, size]) {
      const cutAt = Math.min(size, await lineStartAfter(file, at));
      cuts.add(cutAt);
      for (let arrival = 0; arrival < 3; arrival++) {
        const first = firstPartOf(await firstBatches(file, cutAt, 1 + Math.floor(random() * 4)), () => random() < 0.5);
        const merged = await collect(ledgerInOrder(first, readLedgerSpans(file, size, cutAt), scanWith()));
        expect(lines(merged), `cut at ${cutAt} (byte ${at})`).toEqual(whole);
        expect(first.outstanding()).toBe(0);
      }
    }
    // Every line start was a cut, and so were both empty halves.
    expect(cuts.size).toBe(whole.length + 2);
    expect(cuts.has(0) && cuts.has(size)).toBe(true);
  });

  it('folds the first part before anything of its own, whichever comes in first', async () => {
    const text = ledgerText(true);
    const file = await fileWith(text);
    const size = Buffer.byteLength(text);
    const cutAt = await lineStartAfter(file, size / 2);
    for (const arrives of [() => false, () => true]) {
      const first = firstPartOf(await firstBatches(file, cutAt, 1), arrives);
      const merged = await collect(ledgerInOrder(first, readLedgerSpans(file, size, cutAt), scanWith()));
      const offsets = lines(merged).map((line) => line.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a! - b!));
      expect(lines(merged).at(-1)!.line).toBe(text.split('\n').length - 1);
    }
  });

  it('throws an over-long line of its own part where one reader would: after the lines before it, with its ledger line', async () => {
    const text = `${ledgerText(true)}${'x'.repeat(MAX_LINE_BYTES + 1)}\n${JSON.stringify(intentFor('+447400000077'))}\n`;
    const file = await fileWith(text);
    const size = Buffer.byteLength(text);
    const expected: LedgerBatch[] = [];
    const single = await collect(readLedgerSpans(file, size)).catch((error: unknown) => error);
    expect(single).toBeInstanceOf(InputError);
    for await (const spans of (async function* () {
      try {
        yield* readLedgerSpans(file, size);
      } catch {
        // the lines before the error
      }
    })()) expected.push(scanWith()(spans));
    const cutAt = await lineStartAfter(file, 300);
    const got: LedgerBatch[] = [];
    const error = await (async () => {
      for await (const batch of ledgerInOrder(firstPartOf(await firstBatches(file, cutAt, 2), () => false), readLedgerSpans(file, size, cutAt), scanWith())) got.push(batch);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe((single as InputError).message);
    expect((error as InputError).location).toEqual((single as InputError).location);
    expect((error as InputError).location?.line).toBe(ledgerText(true).split('\n').length);
    expect(lines(got)).toEqual(lines(expected));
  });

  it("throws the first part's error, which comes before any of its own", async () => {
    const text = `${ledgerText(true)}${'x'.repeat(MAX_LINE_BYTES + 1)}\n`;
    const file = await fileWith(text);
    const size = Buffer.byteLength(text);
    const cutAt = await lineStartAfter(file, 300);
    const early = new InputError('corrupt ledger line', { file, line: 2 });
    const first = firstPartOf((await firstBatches(file, cutAt, 1)).slice(0, 1), () => false, early);
    await expect(collect(ledgerInOrder(first, readLedgerSpans(file, size, cutAt), scanWith()))).rejects.toBe(early);
  });
});
