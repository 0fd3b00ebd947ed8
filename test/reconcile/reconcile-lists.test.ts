import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { reconcileCampaign, SUMMARY_FILE, type ReconcileResult } from '../../src/reconcile/reconcile-campaign.js';
import { columnsBesideVariables, RECONCILE_LISTS } from '../../src/reconcile/reconcile-lists.js';
import { fixture, run } from '../helpers.js';
import { accepted, intent, jsonl, outcome, runRecord } from './events.js';

// Everything here follows RECONCILE_LISTS: a list added there is checked by these tests with no
// change to them (and fails them until it has someone in it below, and its row in the README).

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const VARIABLES = ['name', 'discount'];

/** A row as send records it; `reason` is a column of the campaign too, which no list may repeat. */
const row = (phone: string, name: string) => ({ phone, opt_in: 'yes', name, discount: '=10%', reason: 'their own' });

/** Someone in every list (`failed.csv`: a row the provider refused). */
const LEDGER = jsonl([
  runRecord(),
  intent('+447400000001', 'r1', 1, row('+447400000001', 'Rita')),
  outcome('+447400000001', 'r1', 'retry', 'not_sent'),
  intent('+447400000002', 's1', 1, row('+447400000002', 'Sam')),
  outcome('+447400000002', 's1', 'failed', '131026', 'sms_fallback'),
  intent('+447400000003', 'o1', 1, row('+447400000003', 'Olga')),
  outcome('+447400000003', 'o1', 'failed', '131050', 'opted_out'),
  intent('+447400000004', 'd1', 1, row('+447400000004', 'Dan')),
  intent('+447400000005', 'f1', 1, row('+447400000005', 'Fay')),
  outcome('+447400000005', 'f1', 'failed', '132000', 'rejected'),
  intent('+447400000006', 'a1', 1, row('+447400000006', 'Ann')),
  accepted('+447400000006', 'a1', 'wamid.a1'),
]);

let out: string;
let result: ReconcileResult;

// Made again for each test: the helpers remove temp folders after each.
beforeEach(async () => {
  const dir = await fixture({ 'l.jsonl': LEDGER });
  out = path.join(dir, 'lists');
  result = await reconcileCampaign({ ledgerFile: path.join(dir, 'l.jsonl'), eventFiles: [], outDir: out, now: Date.parse('2026-11-18T00:00:00Z'), optOutKeywords: ['STOP'] });
});

describe('reconcile lists (RECONCILE_LISTS)', () => {
  it('--out holds one file a list and summary.json, nothing else; the summary counts each list by its file', async () => {
    expect((await readdir(out)).sort()).toEqual([...RECONCILE_LISTS.map((list) => list.file), SUMMARY_FILE].sort());
    expect(Object.keys(result.summary.lists)).toEqual(RECONCILE_LISTS.map((list) => list.file));
    expect(Object.keys(result.files)).toEqual([...RECONCILE_LISTS.map((list) => list.name), 'summary']);
  });

  it.each(RECONCILE_LISTS.map((list) => [list.file, list] as const))('%s: its header, and rows as wide as it, as many as the summary says', async (file, list) => {
    const [header, ...rows] = parse(await readFile(path.join(out, file), 'utf8')) as string[][];
    expect(header).toEqual(list.columns(VARIABLES));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBe(result.summary.lists[file]);
    for (const cells of rows) {
      expect(cells).toHaveLength(header!.length);
      expect(cells[0]).toMatch(/^\+447400000\d{3}$/);
    }
    // The campaign's variables, where a list carries them, as sent (formula-escaped).
    const discount = header!.indexOf('discount');
    if (discount >= 0) expect(rows.map((cells) => cells[discount])).toEqual(rows.map(() => "'=10%"));
  });

  it('reconcile --help names every list and every file', async () => {
    const { code, stdout } = await run(['reconcile', '--help']);
    expect(code).toBe(0);
    const text = stdout.replace(/\s+/g, ' ');
    for (const list of RECONCILE_LISTS) {
      expect(text).toContain(list.file);
      expect(text).toContain(list.title);
    }
  });

  it("README's table of lists has each list's row: its file, who is in it, its columns", async () => {
    const readme = await readFile(README, 'utf8');
    const rows = readme.split('\n').filter((line) => /^\| `[^`]+\.csv` \|/.test(line) && line.split('|').length === 5);
    expect(rows.map((line) => /^\| `([^`]+)`/.exec(line)![1])).toEqual(RECONCILE_LISTS.map((list) => list.file));
    for (const [i, list] of RECONCILE_LISTS.entries()) {
      const columns = list.columns(['\u0000']).map((name) => (name === '\u0000' ? "the campaign's variables" : `\`${name}\``)).join(', ');
      expect(rows[i]).toMatch(new RegExp(`^\\| \`${list.file}\` \\| ${escape(list.help)} \\| ${escape(columns)}(:[^|]*)? \\|$`));
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('columnsBesideVariables', () => {
  it('the columns of the lists that carry the variables (retry, sms_fallback, failed), each once: not suppress’s or in_doubt’s own', () => {
    expect([...columnsBesideVariables()]).toEqual(['phone', 'opt_in', 'reason', 'error_code', 'attempts', 'due_at', 'error_title']);
  });
});
