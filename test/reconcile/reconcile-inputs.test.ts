import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { reconcileCampaign } from '../../src/reconcile/reconcile-campaign.js';
import { fixture } from '../helpers.js';
import { accepted, intent, jsonl, outcome, runRecord } from './events.js';

/*
 * reconcileCampaign's refusals (each an InputError: one line, exit 2, naming the file), the output
 * folder's making, the stale temp files it clears, and the ledgers it reads that are not send's
 * usual: an empty one, one with only a run header, one with other column names, a corrupt line.
 */

const NOW = Date.parse('2026-11-18T00:00:00Z');
const LEDGER = jsonl([runRecord(), intent('+447400000001', 'c1', 1, { phone: '+447400000001', opt_in: 'yes', name: 'Ana' }), accepted('+447400000001', 'c1', 'wamid.1')]);

async function refusal(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

const reconcile = (dir: string, over: { ledgerFile?: string; eventFiles?: string[]; outDir?: string } = {}) =>
  reconcileCampaign({ ledgerFile: path.join(dir, 'l.jsonl'), eventFiles: [], outDir: path.join(dir, 'out'), now: NOW, optOutKeywords: ['STOP'], ...over });

describe('reconcileCampaign: what it refuses', () => {
  it('a ledger or an events file that is missing, or a folder', async () => {
    const dir = await fixture({ 'l.jsonl': LEDGER });
    await mkdir(path.join(dir, 'folder'));
    const missing = await refusal(reconcile(dir, { ledgerFile: path.join(dir, 'nope.jsonl') }));
    expect([missing.message, missing.location]).toEqual(['no such file', { file: path.join(dir, 'nope.jsonl') }]);
    const folder = await refusal(reconcile(dir, { ledgerFile: path.join(dir, 'folder') }));
    expect([folder.message, folder.location]).toEqual(['is a folder, not a regular file; nothing was changed', { file: path.join(dir, 'folder') }]);
    const events = await refusal(reconcile(dir, { eventFiles: [path.join(dir, 'l.jsonl'), path.join(dir, 'e.jsonl')] }));
    expect([events.message, events.location]).toEqual(['no such file', { file: path.join(dir, 'e.jsonl') }]);
    const eventsFolder = await refusal(reconcile(dir, { eventFiles: [path.join(dir, 'folder')] }));
    expect(eventsFolder.message).toBe('is a folder, not a regular file; nothing was changed');
    // Nothing was written for any of them.
    expect((await readdir(dir)).sort()).toEqual(['folder', 'l.jsonl']);
  });

  it('an --out whose parent is missing, that is a file, a dangling symbolic link, or under a file', async () => {
    const dir = await fixture({ 'l.jsonl': LEDGER, 'a-file': 'x' });
    const parent = await refusal(reconcile(dir, { outDir: path.join(dir, 'no', 'out') }));
    expect([parent.message, parent.location]).toEqual([`the folder ${path.join(dir, 'no')} does not exist (reconcile creates --out, not the folders above it)`, { file: path.join(dir, 'no', 'out') }]);
    const file = await refusal(reconcile(dir, { outDir: path.join(dir, 'a-file') }));
    expect([file.message, file.location]).toEqual(['--out must be a folder, and this is a file', { file: path.join(dir, 'a-file') }]);
    await symlink(path.join(dir, 'gone'), path.join(dir, 'link'));
    const link = await refusal(reconcile(dir, { outDir: path.join(dir, 'link') }));
    expect([link.message, link.location]).toEqual(['is a symbolic link to a folder that does not exist', { file: path.join(dir, 'link') }]);
    const under = await refusal(reconcile(dir, { outDir: path.join(dir, 'a-file', 'out') }));
    // The system's words, without their code prefix ("ENOTDIR: ").
    expect([under.message, under.location]).toEqual([`cannot create the output folder: not a directory, mkdir '${path.join(dir, 'a-file', 'out')}'`, { file: path.join(dir, 'a-file', 'out') }]);
  });

  it('an empty ledger (nothing sent with it), and a corrupt line, named with its line number', async () => {
    const dir = await fixture({ 'l.jsonl': '\n\n', 'bad.jsonl': jsonl([runRecord(), intent('+447400000001', 'c1'), '{"type":"intent","at":"2026-11-17T08:00:01.000Z","cid":"c2","phone":"07400","line":3,"attempt":1}', intent('+447400000002', 'c3')]) });
    const empty = await refusal(reconcile(dir));
    expect([empty.message, empty.location]).toEqual(['the ledger is empty: nothing was sent with it yet (is this the --ledger that send wrote?)', { file: path.join(dir, 'l.jsonl') }]);
    const corrupt = await refusal(reconcile(dir, { ledgerFile: path.join(dir, 'bad.jsonl') }));
    expect([corrupt.message, corrupt.location]).toEqual(["corrupt ledger line: intent record's \"phone\" is \"07400\", not a +E.164 number as a string; the ledger was edited or damaged: restore it from a backup", { file: path.join(dir, 'bad.jsonl'), line: 3 }]);
  });
});

describe('reconcileCampaign: the output folder', () => {
  it('uses an --out that exists, and removes only the temp files of our outputs left by a process no longer running', async () => {
    const dir = await fixture({ 'l.jsonl': LEDGER });
    const out = path.join(dir, 'out');
    await mkdir(out);
    const dead = 999_999_999; // above any pid_max: no such process
    const leftovers = {
      [`.retry.csv.${dead}.tmp`]: 'removed',
      [`.summary.json.${dead}.tmp`]: 'removed',
      // (Not this process's own pid: its temp file of failed.csv has that name, and becomes failed.csv.)
      [`.failed.csv.${process.ppid}.tmp`]: 'kept: its process runs',
      [`.other.csv.${dead}.tmp`]: 'kept: not an output of ours',
      [`retry.csv.${dead}.tmp`]: 'kept: not a temp name',
      [`.retry.csv.${dead}.tmpx`]: 'kept: not a temp name',
      '.retry.csv.12x.tmp': 'kept: no pid',
      'notes.txt': 'kept',
    };
    for (const [name, text] of Object.entries(leftovers)) await writeFile(path.join(out, name), text);
    const { summary } = await reconcile(dir);
    expect(summary.recipients).toBe(1);
    const kept = Object.keys(leftovers).filter((name) => !leftovers[name]!.startsWith('removed'));
    expect((await readdir(out)).sort()).toEqual([...kept, 'failed.csv', 'in-doubt.csv', 'retry.csv', 'sms-fallback.csv', 'summary.json', 'suppress.csv'].sort());
    for (const name of kept) expect(await readFile(path.join(out, name), 'utf8')).toBe(leftovers[name]);
  });
});

describe('reconcileCampaign: ledgers other than the usual', () => {
  it('a ledger with a run header only: no recipients, every share 0 (not NaN), no deliveries seen, no retry due', async () => {
    const dir = await fixture({ 'l.jsonl': jsonl([runRecord()]) });
    const { summary, events } = await reconcile(dir);
    expect(summary).toEqual({
      now: '2026-11-18T00:00:00.000Z',
      recipients: 0,
      funnel: { accepted: { count: 0, percent: 0 }, delivered: { count: 0, percent: 0 }, read: { count: 0, percent: 0 }, failed: { count: 0, percent: 0, by_code: {} } },
      deliveries_visible: false,
      states: { read: 0, delivered: 0, sent: 0, waiting_retry: 0, retry: 0, sms_fallback: 0, suppressed: 0, in_doubt: 0, failed: 0 },
      lists: { 'retry.csv': 0, 'sms-fallback.csv': 0, 'suppress.csv': 0, 'in-doubt.csv': 0, 'failed.csv': 0 },
      reasons: {},
      errors: {},
      next_retry_at: null,
      duplicate_message_ids: 0,
    });
    expect(events).toEqual({ files: 0, lines: 0, matched: 0, unmatched: 0, ambiguous: 0, unknown: 0 });
  });

  it('the first run names the phone and opt-in columns: neither is a variable, the opt-in cell is read from its own column', async () => {
    const row = (phone: string, consent: string, name: string) => ({ msisdn: phone, consent, name, reason: 'theirs', phone: 'a cell' });
    const dir = await fixture({
      'l.jsonl': jsonl([
        runRecord({ phone_column: 'msisdn', opt_in_column: 'consent' }),
        intent('+447400000001', 'c1', 1, row('+447400000001', 'Y', 'Ana')),
        outcome('+447400000001', 'c1', 'retry', 'not_sent'),
        intent('+447400000002', 'c2', 1, { msisdn: '+447400000002', name: 'Ben' }),
        outcome('+447400000002', 'c2', 'retry', 'not_sent'),
      ]),
    });
    await reconcile(dir);
    // msisdn and consent are the run's phone and opt-in columns; `phone` and `reason` are the lists' own: no variable but name.
    expect(await readFile(path.join(dir, 'out', 'retry.csv'), 'utf8')).toBe(
      ['phone,opt_in,name,reason,error_code,attempts,due_at', '+447400000001,Y,Ana,not_sent,not_sent,1,2026-11-17T08:00:01.100Z', '+447400000002,yes,Ben,not_sent,not_sent,1,2026-11-17T08:00:01.100Z', ''].join('\n'),
    );
  });
});
