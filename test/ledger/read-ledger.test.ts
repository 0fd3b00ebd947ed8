import { execFileSync } from 'node:child_process';
import { mkdir, open, readdir, readFile, readlink, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MAX_LINE_BYTES } from '../../src/fs/read-line-batches.js';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { openLedgerWriter } from '../../src/ledger/open-ledger-writer.js';
import { parseRecord, readLedger, readLedgerBatches, readLedgerSpans } from '../../src/ledger/read-ledger.js';
import { collect, tempDir } from '../helpers.js';
import { intentFor, outcomeFor } from '../ledger-record-builders.js';

const jsonl = (records: LedgerRecord[]) => records.map((record) => `${JSON.stringify(record)}\n`).join('');
const first = intentFor('+447400000001');
const second = outcomeFor('+447400000001', 'accepted', { message_id: 'wamid.A' });
const third = intentFor('+447400000002');

async function ledgerFile(contents: string | Buffer): Promise<string> {
  const file = path.join(await tempDir(), 'c.ledger.jsonl');
  await writeFile(file, contents);
  return file;
}

/** What a call rejects with (or throws), to compare whole. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

describe('readLedger', () => {
  it('numbers every line of the file, blank ones too, and skips the blank ones', async () => {
    const file = await ledgerFile(`${JSON.stringify(first)}\n\n   \n${JSON.stringify(second)}\n`);
    expect(await collect(readLedger(file))).toEqual([
      { line: 1, record: first },
      { line: 4, record: second },
    ]);
  });

  it('skips a torn last line (no newline): the writer cuts it before appending', async () => {
    const file = await ledgerFile(`${jsonl([first, second])}${JSON.stringify(third).slice(0, 20)}`);
    expect(await collect(readLedger(file))).toEqual([
      { line: 1, record: first },
      { line: 2, record: second },
    ]);
  });

  it('has no lines for a missing or an empty ledger', async () => {
    const dir = await tempDir();
    expect(await collect(readLedger(path.join(dir, 'none.jsonl')))).toEqual([]);
    expect(await collect(readLedger(await ledgerFile('')))).toEqual([]);
    expect(await collect(readLedgerSpans(await ledgerFile('')))).toEqual([]);
  });

  it('closes the file it opened to size it up (no descriptor left open on the ledger)', async () => {
    const file = await ledgerFile(jsonl([first, second]));
    const onLedger = async () => {
      let count = 0;
      for (const fd of await readdir('/proc/self/fd')) if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === file) count++;
      return count;
    };
    for (let i = 0; i < 3; i++) expect(await collect(readLedger(file))).toHaveLength(2);
    expect(await onLedger()).toBe(0);
  });

  it('refuses a folder or a named pipe where the ledger belongs, naming the file (the open’s own message)', async () => {
    const dir = await tempDir();
    const folder = path.join(dir, 'folder.jsonl');
    await mkdir(folder);
    expect(await failure(collect(readLedger(folder)))).toEqual(new InputError('is a folder, not a regular file; nothing was changed', { file: folder }));
    const fifo = path.join(dir, 'fifo.jsonl');
    execFileSync('mkfifo', [fifo]);
    expect(await failure(collect(readLedger(fifo)))).toEqual(new InputError('is a named pipe (FIFO), not a regular file; nothing was changed', { file: fifo }));
  });
});

describe('readLedger: a ledger that cannot be sized up is not a missing one', () => {
  it('its size unreadable (the second fstat fails with EIO): an InputError naming the file, not an empty ledger', async () => {
    const file = await ledgerFile(jsonl([first]));
    const probe = await open(file, 'r');
    const prototype = Object.getPrototypeOf(probe) as { stat: (...args: unknown[]) => Promise<unknown> };
    await probe.close();
    const original = prototype.stat;
    let calls = 0;
    // openRegularFile's own fstat (the type check) passes; readLedger's (the size) fails.
    const stat = vi.spyOn(prototype, 'stat').mockImplementation(function (this: unknown, ...args: unknown[]) {
      if (++calls === 2) return Promise.reject(Object.assign(new Error('EIO: i/o error, fstat'), { code: 'EIO' }));
      return original.apply(this, args);
    });
    try {
      expect(await failure(collect(readLedger(file)))).toEqual(new InputError('cannot open: EIO', { file }));
    } finally {
      stat.mockRestore();
    }
    expect(calls).toBe(2);
    expect(await collect(readLedger(file))).toEqual([{ line: 1, record: first }]);
  });
});

describe('parseRecord: every other line is an InputError naming file and line', () => {
  const at = (text: string) => {
    try {
      parseRecord(text, 'c.ledger.jsonl', 7);
      return 'parsed';
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return [(error as InputError).message, (error as InputError).location];
    }
  };
  const where = { file: 'c.ledger.jsonl', line: 7 };

  it('a line that is not JSON', () => {
    expect(at('{"type":"intent",')).toEqual(['corrupt ledger line (not JSON): the ledger was edited or damaged; restore it from a backup', where]);
  });

  it('an events file given as the ledger', () => {
    expect(at('{"type":"event","at":"2026-11-24T10:00:00.000Z"}')).toEqual(['this is an events file written by webhook, not a ledger: --ledger names the file send wrote', where]);
  });

  it('a record with a field of the wrong kind (the problem named)', () => {
    expect(at(JSON.stringify({ ...first, attempt: 0 }))).toEqual([
      'corrupt ledger line: intent record\'s "attempt" is the number 0, not a positive integer; the ledger was edited or damaged: restore it from a backup',
      where,
    ]);
  });

  it('null and numbers are records of nothing, not events files', () => {
    expect(at('null')).toEqual(['corrupt ledger line: not a ledger record (null); the ledger was edited or damaged: restore it from a backup', where]);
    expect(at('5')).toEqual(['corrupt ledger line: not a ledger record (the number 5); the ledger was edited or damaged: restore it from a backup', where]);
  });

  it('a good record as it is', () => {
    expect(parseRecord(JSON.stringify(second), 'c.ledger.jsonl', 7)).toEqual(second);
  });
});

describe('readLedgerSpans and readLedgerBatches: part of a ledger, and a line over the cap', () => {
  it('reads from a line start to an end, numbering lines from 1 there', async () => {
    const text = jsonl([first, second, third]);
    const file = await ledgerFile(text);
    const start = Buffer.byteLength(JSON.stringify(first)) + 1;
    const end = start + Buffer.byteLength(JSON.stringify(second)) + 1;
    const lines = (await collect(readLedgerSpans(file, end, start))).flatMap(({ firstLine, buffer, starts, ends }) =>
      starts.map((s, i) => [firstLine + i, buffer.toString('utf8', s, ends[i])]),
    );
    expect(lines).toEqual([[1, JSON.stringify(second)]]);
    expect(await collect(readLedgerBatches(file, end))).toEqual([{ firstLine: 1, lines: [JSON.stringify(first), JSON.stringify(second)], tooLong: [] }]);
  });

  /** A ledger of `before`, then a line of MAX_LINE_BYTES + 1 bytes (sparse: no disk used), then `after`. */
  async function withLongLine(before: LedgerRecord[], after: LedgerRecord[]): Promise<string> {
    const head = jsonl(before);
    const file = await ledgerFile(head);
    const handle = await open(file, 'r+');
    try {
      const longEnd = Buffer.byteLength(head) + MAX_LINE_BYTES + 1;
      await handle.write('x', longEnd - 1);
      await handle.write(`\n${jsonl(after)}`, longEnd);
    } finally {
      await handle.close();
    }
    return file;
  }

  const tooLong = (file: string, line: number) =>
    new InputError(`corrupt ledger line: longer than 4 MiB, which no line send writes is; the ledger was edited or damaged: restore it from a backup`, { file, line });

  it('yields the lines before a line over the cap, then names that line', async () => {
    const file = await withLongLine([first, second], [third]);
    const seen: unknown[] = [];
    const error = await failure(
      (async () => {
        for await (const { line, record } of readLedger(file)) seen.push([line, record]);
      })(),
    );
    expect(seen).toEqual([
      [1, first],
      [2, second],
    ]);
    expect(error).toEqual(tooLong(file, 3));
  });

  it('a line over the cap first: no batch at all before the error', async () => {
    const file = await withLongLine([], [third]);
    const batches: unknown[] = [];
    const error = await failure(
      (async () => {
        for await (const spans of readLedgerSpans(file)) batches.push(spans.starts.length);
      })(),
    );
    expect(batches).toEqual([]);
    expect(error).toEqual(tooLong(file, 1));
  });
});

describe('a tail of zeros: the disk lost confirmed data, refused rather than cut', () => {
  const zeroed = async (tail: Buffer) => {
    const head = jsonl([first, second]);
    return { file: await ledgerFile(Buffer.concat([Buffer.from(head), tail])), keep: Buffer.byteLength(head) };
  };
  const refusal = (file: string, keep: number, zeros: number) =>
    new InputError(
      `ends in ${zeros} bytes of zeros after its last complete line (byte ${keep}): the disk lost data it had confirmed as written, so attempts recorded there are unknown and resuming could message those people twice. Check the disk; to go on anyway (those sends may be repeated), cut the file there: truncate -s ${keep} ${file}`,
      { file },
    );

  it('reading it: refused, saying where to cut', async () => {
    const { file, keep } = await zeroed(Buffer.alloc(4096));
    expect(await failure(collect(readLedger(file)))).toEqual(refusal(file, keep, 4096));
  });

  it('a torn line with zeros after its start is refused too, counting the whole tail', async () => {
    const { file, keep } = await zeroed(Buffer.concat([Buffer.from('{"type":"int'), Buffer.alloc(500)]));
    expect(await failure(collect(readLedger(file)))).toEqual(refusal(file, keep, 512));
  });

  it('opening it to append: refused, and the file left as it was (not cut as a torn line)', async () => {
    const { file, keep } = await zeroed(Buffer.alloc(100));
    const before = await readFile(file);
    expect(await failure(openLedgerWriter(file))).toEqual(refusal(file, keep, 100));
    expect(await readFile(file)).toEqual(before);
    // The refusal released the lock: a writer can open it once the tail is cut.
    await truncate(file, keep);
    const writer = await openLedgerWriter(file);
    await writer.append(third);
    await writer.close();
    expect(await collect(readLedger(file))).toEqual([
      { line: 1, record: first },
      { line: 2, record: second },
      { line: 3, record: third },
    ]);
  });

  it('looks at the first 64 KiB of a tail only: a torn line longer than that, zeros past it, is cut as torn', async () => {
    const torn = Buffer.concat([Buffer.alloc(64 * 1024, 'a'), Buffer.alloc(16)]);
    const { file, keep } = await zeroed(torn);
    expect(await collect(readLedger(file))).toEqual([
      { line: 1, record: first },
      { line: 2, record: second },
    ]);
    const writer = await openLedgerWriter(file);
    await writer.close();
    expect((await stat(file)).size).toBe(keep);
  });
});
