import { parseRecord, readLedgerBatches } from './read-ledger.js';

/**
 * The recipient of the ledger's first record carrying message id `id`, or undefined when none does.
 * Reads the whole ledger; only lines holding the id as written (JSON) are parsed. For the rare id
 * whose hash was seen before (`MessageIdOwners`), not for every answer.
 */
export async function findMessageIdOwner(file: string, id: string): Promise<string | undefined> {
  const written = JSON.stringify(id);
  for await (const { firstLine, lines } of readLedgerBatches(file)) {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      if (!text.includes(written)) continue;
      const record = parseRecord(text, file, firstLine + i);
      if (record.type === 'outcome' && record.message_id === id) return record.phone;
    }
  }
  return undefined;
}
