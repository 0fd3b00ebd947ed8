import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { reconcileCampaign } from '../../src/reconcile/reconcile-campaign.js';
import { escapeFormula, unescapeFormula } from '../../src/recipients/formula-safe.js';
import { openAudience } from '../../src/recipients/open-audience.js';
import { fixture } from '../helpers.js';
import { intent, jsonl, outcome, runRecord } from '../reconcile/events.js';

// Formula safety (SPEC "Reconcile lists"): no cell we write starts a spreadsheet formula, and
// reading a list we wrote gives back exactly the values that went in. Seeded properties.
const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const STARTS_FORMULA = /^[=+\-@\t\r]/;
/** Cells made of what matters here: the formula starters, quotes, and ordinary text. */
const cell = fc.oneof(
  fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', "'", '"', ',', ';', '\n', ' ', 'a', '1', 'é'), maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);

describe('formula-safe cells', () => {
  it('escaped, a cell never starts a formula, and unescaped it is exactly what it was', () => {
    fc.assert(
      fc.property(cell, (value) => {
        const written = escapeFormula(value);
        expect(STARTS_FORMULA.test(written)).toBe(false);
        expect(unescapeFormula(written)).toBe(value);
        // Only what needs it is touched: a cell that starts no formula, even behind quotes, is written as it is.
        if (!/^'*[=+\-@\t\r]/.test(value)) expect(written).toBe(value);
      }),
      { seed: 16_020, numRuns: 500 },
    );
  });

  it('through the files: reconcile writes a retry list, send reads it back, every value as it was', async () => {
    const [rows] = fc.sample(fc.array(fc.record({ first_name: cell, discount: cell, code: cell }), { minLength: 30, maxLength: 30 }), { seed: 16_021, numRuns: 1 });
    // And the cases that matter most, whatever the sample holds.
    rows!.push({ first_name: '=HYPERLINK("http://x","y")', discount: "'-20%", code: "''+1" }, { first_name: '@SUM(A1)', discount: '\t=1', code: "'" });
    const ledger: LedgerRecord[] = [runRecord({ template: 'spring-sale.yaml' })];
    const expected = new Map<string, Record<string, string>>();
    rows!.forEach((values, i) => {
      const phone = `+4474000${String(10_000 + i)}`;
      const row = { phone, opt_in: 'yes', ...values };
      expected.set(phone, row);
      ledger.push(intent(phone, `r1-${i}`, 1, row), outcome(phone, `r1-${i}`, 'retry', 'http_429'));
    });
    const dir = await fixture({ 'campaign.ledger.jsonl': jsonl(ledger), 'events.jsonl': '' });
    await copyFile(path.join(SAMPLES, 'spring-sale.yaml'), path.join(dir, 'spring-sale.yaml'));
    await reconcileCampaign({ ledgerFile: path.join(dir, 'campaign.ledger.jsonl'), eventFiles: [path.join(dir, 'events.jsonl')], outDir: path.join(dir, 'out'), now: Date.parse('2026-11-18T00:00:00Z'), optOutKeywords: ['STOP'] });

    const audience = await openAudience({ csvFile: path.join(dir, 'out', 'retry.csv'), templateFile: path.join(dir, 'spring-sale.yaml') });
    try {
      expect(audience.retryList).toBe(true);
      const read = new Map<string, Record<string, string>>();
      for await (const batch of audience.batches) {
        for (const row of batch) {
          const values = Object.fromEntries(audience.header.map((name, i) => [name, audience.values(row)[i]!]));
          read.set(values.phone!, { phone: values.phone!, opt_in: values.opt_in!, first_name: values.first_name!, discount: values.discount!, code: values.code! });
          // What a spreadsheet sees: no cell starts a formula (but phone, +E.164 as SPEC fixes it).
          row.fields.forEach((raw, i) => expect(STARTS_FORMULA.test(raw) && audience.header[i] !== 'phone', JSON.stringify(raw)).toBe(false));
        }
      }
      expect(read).toEqual(expected);
    } finally {
      audience.close();
    }
  });
});
