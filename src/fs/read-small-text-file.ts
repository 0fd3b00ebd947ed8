import { InputError } from '../errors.js';
import { describeOpenError } from './describe-open-error.js';
import { openRegularFile } from './open-regular-file.js';

/**
 * The whole text of a small input file (a template spec, the emulator's templates file): a regular
 * file (a named pipe would block for ever) of at most `maxBytes`, checked before reading, so that a
 * wrong file is refused at once rather than parsed for minutes. Every failure is one InputError
 * naming the file; `tooLarge` says what was expected.
 */
export async function readSmallTextFile(file: string, maxBytes: number, tooLarge: (size: number) => string): Promise<string> {
  let handle;
  try {
    handle = await openRegularFile(file, 'read');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(describeOpenError(error), { file });
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new InputError(tooLarge(size), { file });
    return await handle.readFile('utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(describeOpenError(error), { file });
  } finally {
    await handle.close();
  }
}
