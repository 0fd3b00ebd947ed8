import { stat } from 'node:fs/promises';
import { notARegularFile } from './not-a-regular-file.js';

/**
 * Refuses an input that exists and is not a regular file (a named pipe, a folder, a device: exit 2,
 * one line naming it), without opening it. For a command that reads an input more than once
 * (`send` reads the CSV to check and count it, then again to send): a pipe gives its data once and
 * then blocks, and would block holding the ledger's lock. A path that is missing or cannot be
 * looked at is left to the reader, which says why in its own words. `why` ends the message: what
 * to do instead.
 */
export async function refuseNonRegularInput(file: string, why: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (info && !info.isFile()) throw notARegularFile(info, file, why);
}
