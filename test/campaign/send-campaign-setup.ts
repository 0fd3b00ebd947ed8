import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sendCampaign, type SendDeps, type SendOptions, type SendResult } from '../../src/campaign/send-campaign.js';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import { cloudProvider } from '../../src/providers/cloud/index.js';
import type { TransportResult } from '../../src/providers/http-transport.js';
import type { HttpRequest } from '../../src/providers/provider.js';
import { fixture } from '../helpers.js';
import { HELLO_SPEC } from '../hello-spec.js';
import { ManualClock } from '../manual-clock.js';

// sendCampaign in this process on a manual clock, for the tests of its parts
// (send-campaign-plan, -inputs, -dry-run, -run .test.ts).

export const phones = (n: number) => Array.from({ length: n }, (_, i) => `+4474003${String(i).padStart(5, '0')}`);
export const accepted = (to: string): TransportResult => ({ ok: true, response: { status: 200, headers: {}, body: JSON.stringify({ messages: [{ id: `wamid.${to}` }], contacts: [{ wa_id: to.slice(1) }] }) } });
/** A Meta error answer (a failure the ledger records as `failed`). */
export const refused = (code = 131026): TransportResult => ({ ok: true, response: { status: 400, headers: {}, body: JSON.stringify({ error: { code, message: `(#${code}) refused` } }) } });
/** The request went and no answer came: in doubt. */
export const timedOut: TransportResult = { ok: false, written: true, code: 'ETIMEDOUT', message: 'timed out' };

export const csvOf = (list: readonly string[]) => `phone,opt_in,name\n${list.map((p, i) => `${p},yes,N${i}`).join('\n')}\n`;

/** The send options of a campaign whose files are in `dir` (c.csv, s.yaml, c.ledger.jsonl). */
export const optionsIn = (dir: string): SendOptions => ({
  csvFile: path.join(dir, 'c.csv'),
  templateFile: path.join(dir, 's.yaml'),
  ledgerFile: path.join(dir, 'c.ledger.jsonl'),
  provider: 'cloud',
  mps: 1000,
  concurrency: 1,
  timeoutMs: 1000,
  maxConsecutiveFailures: 25,
  allowChangedInputs: false,
  dryRunFile: undefined,
  defaultCountry: undefined,
  suppressFile: undefined,
  phoneColumn: 'phone',
  optInColumn: 'opt_in',
});

/** A Cloud API provider nothing listens for: the tests give the transport. */
export const testProvider = () => cloudProvider({ baseUrl: 'http://127.0.0.1:9', version: 'v23.0', phoneNumberId: '1', token: 'test-token' });

export async function sendSetup(n: number, files: Record<string, string | Buffer> = {}) {
  const list = phones(n);
  const dir = await fixture({ 'c.csv': csvOf(list), 's.yaml': HELLO_SPEC, ...files });
  const options = optionsIn(dir);
  const provider = testProvider();
  // Ledger writes and the CSV's reads are real: time jumps only once they are done.
  const clock = new ManualClock('files');
  const requested: string[] = [];
  /** Records each request and answers as `answer` says (default: accepted). */
  const transport =
    (answer: (to: string, n: number) => TransportResult = accepted) =>
    async (request: HttpRequest): Promise<TransportResult> => {
      const to = JSON.parse(request.body).to as string;
      requested.push(to);
      return answer(to, requested.length);
    };
  const deps = (overrides: Partial<SendDeps> = {}): SendDeps => ({
    resolveProvider: () => ({ provider, redact: (text) => text }),
    clock,
    transport: transport(),
    confirm: async () => true,
    signal: new AbortController().signal,
    redact: (text) => text,
    ...overrides,
  });
  const send = (opts: Partial<SendOptions> = {}, over: Partial<SendDeps> = {}): Promise<SendResult> => clock.run(sendCampaign({ ...options, ...opts }, deps(over)));
  const records = async (): Promise<LedgerRecord[]> =>
    (await readFile(options.ledgerFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LedgerRecord);
  return { dir, list, options, provider, clock, requested, transport, deps, send, records };
}

export const sentKind = (result: SendResult) => {
  if (result.kind !== 'sent') throw new Error(`expected a send, got ${result.kind}`);
  return result;
};

export const failure = (promise: Promise<unknown>) => promise.then(() => new Error('expected a rejection'), (error: unknown) => error as Error);
