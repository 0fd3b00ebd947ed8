import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { findMessageIdOwner } from '../../src/ledger/find-message-id-owner.js';
import { openLedgerWriter } from '../../src/ledger/open-ledger-writer.js';
import { tempDir } from '../helpers.js';
import { accepted, intent, jsonl, outcome, runRecord } from '../reconcile/events.js';

describe('findMessageIdOwner', () => {
  it('names the recipient of the first record with the id, exactly (not a prefix, not another field)', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    const odd = 'wamid."quoted"\\id';
    const records = [
      runRecord(),
      intent('+447400000009', 'c0'),
      // The id as another record's cid: not a message id.
      outcome('+447400000009', 'wamid.A', 'retry', 'http_500'),
      accepted('+447400000001', 'c1', 'wamid.AB'),
      accepted('+447400000002', 'c2', 'wamid.A'),
      accepted('+447400000003', 'c3', 'wamid.A'),
      accepted('+447400000004', 'c4', odd),
    ];
    await writeFile(file, jsonl(records));
    expect(await findMessageIdOwner(file, 'wamid.A')).toBe('+447400000002');
    expect(await findMessageIdOwner(file, 'wamid.AB')).toBe('+447400000001');
    expect(await findMessageIdOwner(file, odd)).toBe('+447400000004');
    expect(await findMessageIdOwner(file, 'wamid.')).toBeUndefined();
    expect(await findMessageIdOwner(path.join(path.dirname(file), 'none.jsonl'), 'wamid.A')).toBeUndefined();
  });

  it('parses only the lines holding the id: damage elsewhere is not its concern; damage in such a line is named at its line', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    await writeFile(file, jsonl([runRecord(), '{"type":"intent",garbage', accepted('+447400000001', 'c1', 'wamid.A'), '{"broken":"wamid.B"', accepted('+447400000002', 'c2', 'wamid.B')]));
    expect(await findMessageIdOwner(file, 'wamid.A')).toBe('+447400000001');
    const error = await findMessageIdOwner(file, 'wamid.B').catch((e: unknown) => e);
    expect(error).toEqual(new InputError('corrupt ledger line (not JSON): the ledger was edited or damaged; restore it from a backup', { file, line: 4 }));
  });

  it('finds what the writer had only queued once the writer has settled', async () => {
    const file = path.join(await tempDir(), 'l.jsonl');
    const writer = await openLedgerWriter(file, { groupMs: 2 });
    try {
      void writer.appendSoon(accepted('+447400000001', 'c1', 'wamid.Q'));
      expect(await readFile(file, 'utf8')).toBe('');
      await writer.settled();
      expect(await findMessageIdOwner(file, 'wamid.Q')).toBe('+447400000001');
    } finally {
      await writer.close();
    }
  });
});
