import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { HELLO_SPEC } from '../hello-spec.js';
import { csvOf, failure, sendSetup, sentKind } from './send-campaign-setup.js';

// What sendCampaign refuses before it sends anything: inputs that are not regular files, inputs
// changed since the ledger's last run; and the inputs it reads as told (the suppression list's encoding).

const gone = (file: string) => access(file).then(() => false, () => true);

describe('sendCampaign: inputs that are not regular files', () => {
  it('a folder as the CSV: refused, saying why send needs a file', async () => {
    const s = await sendSetup(2);
    const folder = path.join(s.dir, 'folder.csv');
    await mkdir(folder);
    const error = await failure(s.send({ csvFile: folder }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe('is a folder, not a regular file; send reads it twice (to check, then to send): save it to a file first (validate reads pipes)');
    expect((error as InputError).location?.file).toBe(folder);
    expect(s.requested).toEqual([]);
  });

  it.each(['suppressFile', 'templateFile'] as const)('a folder as the %s: refused, saying send needs a regular file', async (option) => {
    const s = await sendSetup(2);
    const folder = path.join(s.dir, 'folder');
    await mkdir(folder);
    const error = await failure(s.send({ [option]: folder }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe('is a folder, not a regular file; send needs a regular file here: save it to a file first (validate reads pipes)');
    expect((error as InputError).location?.file).toBe(folder);
    expect(s.requested).toEqual([]);
  });
});

describe('sendCampaign: inputs changed since the ledger’s last run', () => {
  async function afterFirstRun() {
    const s = await sendSetup(3);
    await writeFile(s.options.csvFile, csvOf(s.list.slice(0, 2)));
    sentKind(await s.send());
    s.requested.length = 0;
    return s;
  }
  const ending = "changed since this ledger's last run: resuming could message people under different terms. Pass --allow-changed-inputs to resume anyway, or use a new --ledger for a new campaign";

  it('the CSV changed: refused, naming it, at the ledger', async () => {
    const s = await afterFirstRun();
    await writeFile(s.options.csvFile, csvOf(s.list));
    const error = await failure(s.send());
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(`the CSV (${s.options.csvFile}) ${ending}`);
    expect((error as InputError).location?.file).toBe(s.options.ledgerFile);
    expect(s.requested).toEqual([]);
  });

  it('the template spec changed: refused, naming it', async () => {
    const s = await afterFirstRun();
    await writeFile(s.options.templateFile!, `# edited\n${HELLO_SPEC}`);
    const error = await failure(s.send());
    expect(error.message).toBe(`the template spec (${s.options.templateFile}) ${ending}`);
    expect(s.requested).toEqual([]);
  });

  it('both changed: both named', async () => {
    const s = await afterFirstRun();
    await writeFile(s.options.csvFile, csvOf(s.list));
    await writeFile(s.options.templateFile!, `# edited\n${HELLO_SPEC}`);
    const error = await failure(s.send());
    expect(error.message).toBe(`the CSV (${s.options.csvFile}) and the template spec (${s.options.templateFile}) ${ending}`);
  });

  it('unchanged: resumes and sends nobody twice; changed with --allow-changed-inputs: sends the new row', async () => {
    const s = await afterFirstRun();
    expect((await s.send()).kind).toBe('nothing_to_send');
    await writeFile(s.options.csvFile, csvOf(s.list));
    const result = sentKind(await s.send({ allowChangedInputs: true }));
    expect(result.stats.accepted).toBe(1);
    expect(s.requested).toEqual([s.list[2]]);
  });
});

describe('sendCampaign: the ledger’s lock', () => {
  it('is released when the send ends, and when it fails', async () => {
    const s = await sendSetup(2);
    const lock = `${s.options.ledgerFile}.lock`;
    sentKind(await s.send());
    expect(await gone(lock)).toBe(true);
    await writeFile(s.options.csvFile, csvOf(s.list.slice(0, 1)));
    await failure(s.send());
    expect(await gone(lock)).toBe(true);
  });
});

describe('sendCampaign: the suppression list', () => {
  it('is read in the --encoding given for the CSV (a windows-1252 list), and its numbers are not sent', async () => {
    const s = await sendSetup(3);
    const suppress = path.join(s.dir, 'suppress.csv');
    await writeFile(suppress, Buffer.concat([Buffer.from(`phone,note\n${s.list[1]},caf`), Buffer.from([0xe9]), Buffer.from('\n')]));
    const result = sentKind(await s.send({ suppressFile: suppress, encoding: 'windows-1252' }));
    expect(result.plan.validation.rejected.suppressed).toBe(1);
    expect(s.requested).toEqual([s.list[0], s.list[2]]);
  });
});
