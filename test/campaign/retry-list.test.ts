import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord, OutcomeState } from '../../src/ledger/ledger-records.js';
import { intentFor, outcomeFor } from '../ledger-record-builders.js';
import { planResume, resumeDecision } from '../../src/ledger/plan-resume.js';
import { readLedger } from '../../src/ledger/read-ledger.js';
import { escapeFormula, unescapeFormula } from '../../src/recipients/formula-safe.js';
import { campaignTemplate, isRetryList, notYetDue } from '../../src/campaign/retry-list.js';
import type { Recipient } from '../../src/recipients/audience.js';
import type { RunRecord } from '../../src/ledger/ledger-records.js';
import { InputError } from '../../src/errors.js';
import { fixture, run } from '../helpers.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const intent = (phone: string, attempt: number): LedgerRecord => intentFor(phone, { attempt });
const outcome = (phone: string, attempt: number, state: OutcomeState): LedgerRecord => outcomeFor(phone, state, { attempt });

describe('formula-safe cells', () => {
  it('quote what a spreadsheet would run, and come back exactly as they were', () => {
    const values = ['=1+1', '+33 6', '-20%', '@sum', '\tx', '\rx', "'=x", "''-x", "'plain", 'plain', '', 'a=b'];
    expect(values.map(escapeFormula)).toEqual(["'=1+1", "'+33 6", "'-20%", "'@sum", "'\tx", "'\rx", "''=x", "'''-x", "'plain", 'plain', '', 'a=b']);
    for (const value of values) expect(unescapeFormula(escapeFormula(value))).toBe(value);
  });
});

describe('resumeDecision for a retry list', () => {
  it('sends the retry the list asks for, once: by the attempts the list was made at', async () => {
    const dir = await fixture({});
    const file = path.join(dir, 'l.jsonl');
    const records = [
      intent('+441', 1), outcome('+441', 1, 'accepted'), // accepted, later failed in a callback (131049)
      intent('+442', 1), outcome('+442', 1, 'in_doubt'), // in doubt, later shown failed by an event
      intent('+443', 1), outcome('+443', 1, 'accepted'), intent('+443', 2), outcome('+443', 2, 'accepted'), // retried already
      intent('+444', 1), outcome('+444', 1, 'accepted'), intent('+444', 2), outcome('+444', 2, 'retry'), // retry run interrupted
    ];
    await writeFile(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const plan = await planResume(readLedger(file));
    expect(resumeDecision(plan, '+441', 1)).toBe('send');
    expect(resumeDecision(plan, '+441')).toBe('done'); // the campaign's own CSV does not re-send it
    expect(resumeDecision(plan, '+442', 1)).toBe('send');
    expect(resumeDecision(plan, '+443', 1)).toBe('done'); // the same list fed twice
    expect(resumeDecision(plan, '+444', 1)).toBe('send'); // resuming the interrupted retry run
    expect(resumeDecision(plan, '+445', 1)).toBe('done'); // not this ledger's recipient
  });
});

describe('send with a retry list', () => {
  it('refuses without the campaign ledger, one line, exit 2', async () => {
    const dir = await fixture({ 'retry.csv': 'phone,opt_in,first_name,discount,code,country,reason,error_code,attempts\n+447400123456,yes,Ana,20%,X,,per_user_limit,131049,1\n' });
    await copyFile(path.join(SAMPLES, 'spring-sale.yaml'), path.join(dir, 'spring-sale.yaml'));
    const result = await run(['send', path.join(dir, 'retry.csv'), '--template', path.join(dir, 'spring-sale.yaml'), '--yes'], { WA_TOKEN: 't', WA_PHONE_NUMBER_ID: '1' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/retry\.csv: this is a retry list written by reconcile: send it with --ledger/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a header-only CSV (an empty retry list) is read, not an unexpected error', async () => {
    const dir = await fixture({ 'retry.csv': 'phone,opt_in,first_name,discount,code,country,reason,error_code,attempts\n' });
    await copyFile(path.join(SAMPLES, 'spring-sale.yaml'), path.join(dir, 'spring-sale.yaml'));
    const result = await run(['validate', path.join(dir, 'retry.csv'), '--template', path.join(dir, 'spring-sale.yaml'), '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 0, sendable: 0 });
  });
});

describe('retry-list.ts', () => {
  const recipient = (listedDueAt?: number): Recipient => ({ phone: '+447400123456', line: 2, fields: {}, ...(listedDueAt === undefined ? {} : { listedDueAt }) }) as Recipient;
  const lastRun = (template: string): RunRecord => ({ template }) as RunRecord;

  it('a row is not yet due strictly before its due time, and a row with no due time is due at once', () => {
    expect(notYetDue(recipient(1_000), 999)).toBe(true);
    expect(notYetDue(recipient(1_000), 1_000)).toBe(false);
    expect(notYetDue(recipient(1_000), 1_001)).toBe(false);
    expect(notYetDue(recipient(), 0)).toBe(false);
  });

  it('recognises a retry list by its header, and a campaign CSV as not one', async () => {
    const dir = await fixture({
      'retry.csv': 'phone,first_name,reason,error_code,attempts\n+447400123456,Ana,per_user_limit,131049,1\n',
      'campaign.csv': 'phone,first_name,reason\n+447400123456,Ana,x\n',
      'semi.csv': 'phone;reason;error_code;attempts\n+447400123456;a;1;1\n',
    });
    expect(await isRetryList(path.join(dir, 'retry.csv'))).toBe(true);
    expect(await isRetryList(path.join(dir, 'campaign.csv'))).toBe(false);
    expect(await isRetryList(path.join(dir, 'semi.csv'), { delimiter: ';' })).toBe(true);
  });

  it("takes the template the campaign's last run recorded: an absolute path as it is", async () => {
    const dir = await fixture({ 'offer.yaml': 'x' });
    const spec = path.join(dir, 'offer.yaml');
    expect(await campaignTemplate(lastRun(spec), path.join(dir, 'elsewhere', 'c.jsonl'), 'retry.csv')).toBe(spec);
  });

  it('a relative path from here first, then from the ledger folder', async () => {
    const dir = await fixture({ 'offer.yaml': 'x' });
    // From here (the test's working directory is the repository, where samples/ is).
    expect(await campaignTemplate(lastRun('samples/spring-sale.yaml'), path.join(dir, 'c.jsonl'), 'retry.csv')).toBe('samples/spring-sale.yaml');
    // Not from here: from the ledger's folder.
    expect(await campaignTemplate(lastRun('offer.yaml'), path.join(dir, 'c.jsonl'), 'retry.csv')).toBe(path.join(dir, 'offer.yaml'));
  });

  it('a template no longer there is an input error naming it and the way out', async () => {
    const dir = await fixture({});
    const error = await campaignTemplate(lastRun('gone.yaml'), path.join(dir, 'c.jsonl'), 'retry.csv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe("the campaign's template spec (gone.yaml, from the ledger) is not there any more: pass --template <spec>");
    const absolute = path.join(dir, 'gone.yaml');
    const second = await campaignTemplate(lastRun(absolute), path.join(dir, 'c.jsonl'), 'retry.csv').catch((e: unknown) => e);
    expect((second as InputError).message).toBe(`the campaign's template spec (${absolute}, from the ledger) is not there any more: pass --template <spec>`);
  });
});
