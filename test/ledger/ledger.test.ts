import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hostname } from 'node:os';
import { parseIdentity } from '../../src/fs/process-identity.js';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { LedgerRecord, OutcomeState } from '../../src/ledger/ledger-records.js';
import { openLedgerWriter, type LedgerFile } from '../../src/ledger/open-ledger-writer.js';
import { RecipientState, attemptsOf, planResume, stateOf } from '../../src/ledger/plan-resume.js';
import { readLedger } from '../../src/ledger/read-ledger.js';
import { collect, tempDir } from '../helpers.js';
import { intentFor, outcomeFor } from '../ledger-record-builders.js';

const intent = (phone: string, attempt = 1): LedgerRecord => intentFor(phone, { attempt });
const outcome = (phone: string, state: OutcomeState, attempt = 1): LedgerRecord =>
  outcomeFor(phone, state, { attempt, ...(state === 'accepted' ? { message_id: `wamid.${phone}` } : { code: '131000' }) });

async function ledgerWith(records: LedgerRecord[]) {
  const dir = await tempDir();
  const file = path.join(dir, 'c.ledger.jsonl');
  await writeFile(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return file;
}

const plan = async (file: string) => planResume(readLedger(file));
const state = (value: number) => stateOf(value);

describe('planResume', () => {
  it('folds intents and outcomes into each recipient’s state and attempts', async () => {
    const file = await ledgerWith([
      intent('+441'), outcome('+441', 'accepted'),
      intent('+442'), outcome('+442', 'failed'),
      intent('+443'),
      intent('+444'), outcome('+444', 'retry'),
      intent('+445'), outcome('+445', 'retry'), intent('+445', 2), outcome('+445', 'accepted', 2),
      intent('+446'), outcome('+446', 'in_doubt'),
    ]);
    const { recipients } = await plan(file);
    expect(state(recipients.get('+441'))).toBe(RecipientState.Accepted);
    expect(state(recipients.get('+442'))).toBe(RecipientState.Failed);
    expect(state(recipients.get('+443'))).toBe(RecipientState.InDoubt);
    expect(state(recipients.get('+444'))).toBe(RecipientState.Retry);
    expect(state(recipients.get('+445'))).toBe(RecipientState.Accepted);
    expect(attemptsOf(recipients.get('+445'))).toBe(2);
    expect(state(recipients.get('+446'))).toBe(RecipientState.InDoubt);
    expect(recipients.get('+447')).toBe(0);
  });

  it('treats a missing ledger as empty', async () => {
    const result = await plan('/nonexistent/ledger.jsonl');
    expect(result.lastRun).toBeUndefined();
    expect(result.recipients.size).toBe(0);
  });

  it('names file and line of a corrupt line in the middle', async () => {
    const file = await ledgerWith([intent('+441')]);
    await writeFile(file, `${await readFile(file, 'utf8')}{"type":"intent",garbage\n${JSON.stringify(outcome('+441', 'accepted'))}\n`);
    const error = (await plan(file).catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.location).toEqual({ file, line: 2 });
  });

  it('a torn last line at every byte offset of the last records reads cleanly, never as "not sent"', async () => {
    const records = [intent('+441'), outcome('+441', 'accepted'), intent('+442'), outcome('+442', 'accepted')];
    const full = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const lastTwo = JSON.stringify(records[2]).length + JSON.stringify(records[3]).length + 2;
    const intentEnd = full.length - JSON.stringify(records[3]).length - 1; // just after +442's intent line
    for (let cut = full.length - lastTwo; cut <= full.length; cut++) {
      const file = await ledgerWith([]);
      await writeFile(file, full.slice(0, cut));
      const { recipients } = await plan(file);
      expect(state(recipients.get('+441'))).toBe(RecipientState.Accepted);
      // +442 is unknown while its intent line is torn (its request was never made), in doubt once
      // the intent is whole but its outcome is not, accepted only when the outcome line is whole.
      const expected = cut < intentEnd ? undefined : cut < full.length ? RecipientState.InDoubt : RecipientState.Accepted;
      expect([cut, state(recipients.get('+442'))]).toEqual([cut, expected]);
      // And a writer opening it cuts the torn tail, so appending cannot corrupt the middle.
      const writer = await openLedgerWriter(file);
      await writer.append(intent('+443'));
      await writer.close();
      const lines = await collect(readLedger(file));
      expect(lines.at(-1)!.record).toEqual(intent('+443'));
    }
  });
});

describe('LedgerWriter', () => {
  it('appends durable JSON lines to a 0600 file, and releases its lock', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'l.jsonl');
    const writer = await openLedgerWriter(file);
    await Promise.all([writer.append(intent('+441')), writer.append(outcome('+441', 'accepted'))]);
    await writer.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await collect(readLedger(file))).map((l) => l.record)).toEqual([intent('+441'), outcome('+441', 'accepted')]);
    await expect(stat(`${file}.lock`)).rejects.toThrow();
  });

  it('tightens a wider mode on an existing ledger', async () => {
    const file = await ledgerWith([intent('+441')]);
    const { chmod } = await import('node:fs/promises');
    await chmod(file, 0o644);
    await (await openLedgerWriter(file)).close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a ledger locked by a live process, and takes over a stale lock', async () => {
    const file = await ledgerWith([]);
    await writeFile(`${file}.lock`, '4242\n');
    const refused = (await openLedgerWriter(file, { isAlive: () => true }).catch((e: unknown) => e)) as InputError;
    expect(refused).toBeInstanceOf(InputError);
    expect(refused.message).toContain('pid 4242');
    const writer = await openLedgerWriter(file, { isAlive: () => false });
    expect(parseIdentity(await readFile(`${file}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await writer.close();
  });

  it('shares one fsync among appends that arrive together (group commit)', async () => {
    const dir = await tempDir();
    let syncs = 0;
    const chunks: string[] = [];
    const openFile = async (): Promise<LedgerFile> => ({
      write: async (data) => (chunks.push(data.toString()), data.length),
      sync: async () => void syncs++,
      truncate: async () => undefined,
      size: async () => 0,
      close: async () => undefined,
    });
    const writer = await openLedgerWriter(path.join(dir, 'l.jsonl'), { openFile });
    await Promise.all(Array.from({ length: 200 }, (_, i) => writer.append(intent(`+44${i}`))));
    await writer.close();
    expect(chunks.join('').split('\n').filter(Boolean)).toHaveLength(200);
    // The first append starts a write at once, alone; the 199 that arrive while it is under way share the next.
    expect(chunks.map((chunk) => chunk.split('\n').filter(Boolean).length)).toEqual([1, 199]);
    expect(syncs).toBe(2);
  });

  it('a failing fsync rejects that append and every later one at once', async () => {
    const dir = await tempDir();
    let calls = 0;
    const openFile = async (): Promise<LedgerFile> => ({
      write: async (data) => data.length,
      sync: async () => {
        if (++calls === 2) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      },
      truncate: async () => undefined,
      size: async () => 0,
      close: async () => undefined,
    });
    const writer = await openLedgerWriter(path.join(dir, 'l.jsonl'), { openFile });
    await writer.append(intent('+441'));
    await expect(writer.append(intent('+442'))).rejects.toThrow('EIO');
    expect(writer.failed?.message).toContain('EIO');
    await expect(writer.append(intent('+443'))).rejects.toThrow('EIO');
    await writer.close();
  });

  it('cuts a torn tail before appending', async () => {
    const file = await ledgerWith([intent('+441'), outcome('+441', 'accepted')]);
    const { size } = await stat(file);
    await truncate(file, size - 7);
    const writer = await openLedgerWriter(file);
    await writer.append(intent('+442'));
    await writer.close();
    const records = (await collect(readLedger(file))).map((l) => l.record);
    expect(records).toEqual([intent('+441'), intent('+442')]);
  });
});
