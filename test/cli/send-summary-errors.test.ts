import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, startEmulator } from '../../src/emulator/emulator-server.js';
import { parseScenario } from '../../src/emulator/scenario.js';
import { fixture, run } from '../helpers.js';
import { ManualClock } from '../manual-clock.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** The table row `label`'s count, and the labels of the rows indented under it. */
function rowOf(table: string, label: string): { count: string; under: string[] } | undefined {
  const rows = [...table.matchAll(/^│ (.*?) +│ +(\S+) │$/gm)].map((match) => [match[1]!, match[2]!] as const);
  const at = rows.findIndex(([name]) => name === label);
  if (at < 0) return undefined;
  const under: string[] = [];
  for (const [name, count] of rows.slice(at + 1)) {
    if (!name.startsWith('  ')) break;
    under.push(`${name.trim()}: ${count}`);
  }
  return { count: rows[at]![1], under };
}

describe('the send summary puts each error code under what became of its attempts', () => {
  // One answer lost (in doubt, ECONNRESET), one transient failure sent again and accepted (131000),
  // one refused for good (131026). The table once listed all three under "failed", whatever it said.
  it('a lost answer under in doubt, a retried-then-accepted one under retries, a real failure under failed', async () => {
    const scenario = parseScenario({
      rules: [
        { match: '+447400123457', outcome: 'drop' },
        { match: '+447400123458', outcome: 'transient', times: 1, code: 131000 },
        { match: '+4915123456789', outcome: 'error', code: 131026 },
      ],
    });
    const dir = await fixture({});
    for (const file of ['campaign.csv', 'spring-sale.yaml']) await copyFile(path.join(SAMPLES, file), path.join(dir, file));
    // A fresh emulator a run (its transient rule counts requests), on the sender's manual clock: the
    // transient retry's wait takes no real time, and the emulator's pair rate sees it as it passed.
    const send = async (ledger: string, ...flags: string[]) => {
      const clock = new ManualClock(2);
      const emulator = await startEmulator({ port: 0, scenario, mps: 1000, clock });
      stops.push(emulator.close);
      const env = { WA_API_URL: emulator.url, WA_TOKEN: DEFAULT_CREDENTIALS.WA_TOKEN, WA_PHONE_NUMBER_ID: DEFAULT_CREDENTIALS.WA_PHONE_NUMBER_ID };
      const args = ['send', path.join(dir, 'campaign.csv'), '--template', path.join(dir, 'spring-sale.yaml'), '--ledger', path.join(dir, ledger), '--yes', '--no-preflight', ...flags];
      return clock.run(run(args, env, dir, { clock }));
    };

    const human = await send('a.ledger.jsonl');
    expect(human.code).toBe(0);
    expect(rowOf(human.stdout, 'accepted')).toEqual({ count: '11', under: [] });
    expect(rowOf(human.stdout, 'failed')).toEqual({ count: '1', under: ['with error 131026: 1'] });
    expect(rowOf(human.stdout, 'in doubt (never re-sent automatically)')).toEqual({ count: '1', under: ['with error ECONNRESET: 1'] });
    expect(rowOf(human.stdout, 'retries')).toEqual({ count: '1', under: ['attempts retried after error 131000: 1'] });

    const json = await send('b.ledger.jsonl', '--json');
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as Record<string, unknown>;
    // `errors` stays every attempt by code (SPEC "Outputs"); `errors_by_outcome` says what became of them.
    expect(summary).toMatchObject({ accepted: 11, failed: 1, in_doubt: 1, retries: 1, errors: { 131026: 1, ECONNRESET: 1, 131000: 1 } });
    expect(summary.errors_by_outcome).toEqual({ failed: { 131026: 1 }, in_doubt: { ECONNRESET: 1 }, retry: { 131000: 1 } });
  });
});
