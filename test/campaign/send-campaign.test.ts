import { readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { sendCampaign, type SendDeps } from '../../src/campaign/send-campaign.js';
import { InputError } from '../../src/errors.js';
import { openRegularFile } from '../../src/fs/open-regular-file.js';
import { writableFile } from '../../src/fs/writable-file.js';
import { RecipientState, planResume, stateOf } from '../../src/ledger/plan-resume.js';
import { readLedger } from '../../src/ledger/read-ledger.js';
import type { TransportResult } from '../../src/providers/http-transport.js';
import type { HttpRequest } from '../../src/providers/provider.js';
import { FaultyDisk } from '../fs/faulty-disk.js';
import { fixture } from '../helpers.js';
import { Changes } from '../changes.js';
import { HELLO_SPEC as SPEC } from '../hello-spec.js';
import { accepted, csvOf, optionsIn, sentKind, testProvider } from './send-campaign-setup.js';

const phones = (n: number) => Array.from({ length: n }, (_, i) => `+4474002${String(i).padStart(5, '0')}`);

async function campaign(n: number) {
  const list = phones(n);
  const dir = await fixture({ 'c.csv': csvOf(list), 's.yaml': SPEC });
  const options = optionsIn(dir);
  const provider = testProvider();
  /** Every request made, by any run, in order. */
  const requested: string[] = [];
  const requests = new Changes();
  /** A transport that records, answers accepted, and waits for `hold` before answering request number `at`. */
  const transport =
    (hold?: { at: number; until: Promise<void> }) =>
    async (request: HttpRequest): Promise<TransportResult> => {
      const to = JSON.parse(request.body).to as string;
      requested.push(to);
      requests.notify();
      if (hold && requested.length === hold.at) await hold.until;
      return accepted(to);
    };
  const deps = (overrides: Partial<SendDeps>): SendDeps => ({ resolveProvider: () => ({ provider, redact: (text) => text }), clock: systemClock, confirm: async () => true, signal: new AbortController().signal, redact: (text) => text, ...overrides });
  const states = async () => (await planResume(readLedger(options.ledgerFile))).recipients;
  return { dir, list, options, requested, requests, transport, deps, states };
}

function gate() {
  let open!: () => void;
  const until = new Promise<void>((resolve) => (open = resolve));
  return { until, open };
}


describe('sendCampaign: one send per ledger, the plan read under the lock', () => {
  it('a second send while one runs is refused naming its pid, before any plan is shown', async () => {
    const c = await campaign(10);
    const hold = gate();
    const first = sendCampaign(c.options, c.deps({ transport: c.transport({ at: 3, until: hold.until }), ledgerOptions: { pid: 1001, isAlive: () => true } }));
    await c.requests.until(() => c.requested.length >= 3);
    let shown = false;
    const second = await sendCampaign(
      c.options,
      c.deps({ transport: c.transport(), confirm: async () => (shown = true), ledgerOptions: { pid: 1002, isAlive: (pid) => pid === 1001 } }),
    ).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(InputError);
    expect((second as InputError).message).toContain('pid 1001');
    expect((second as InputError).location?.file).toBe(c.options.ledgerFile);
    expect(shown).toBe(false);
    hold.open();
    expect(sentKind(await first).stats.accepted).toBe(10);
    expect([...c.requested].sort()).toEqual([...c.list].sort());
  });

  it('the first finishes just before the second takes the lock: the second reads the finished ledger and sends nobody', async () => {
    const c = await campaign(20);
    const hold = gate();
    const first = sendCampaign(c.options, c.deps({ transport: c.transport({ at: 5, until: hold.until }), ledgerOptions: { pid: 1001, isAlive: () => true } }));
    await c.requests.until(() => c.requested.length >= 5);
    // The second finds the lock held; the moment it asks whether its holder still runs, the first
    // finishes all 20 and exits.
    const second = await sendCampaign(
      c.options,
      c.deps({
        transport: c.transport(),
        ledgerOptions: {
          pid: 1002,
          isAlive: async () => {
            hold.open();
            await first;
            return false;
          },
        },
      }),
    );
    expect(sentKind(await first).stats.accepted).toBe(20);
    expect(second.kind).toBe('nothing_to_send');
    expect(second.plan).toMatchObject({ toSend: 0, alreadyDone: 20 });
    expect(c.requested).toHaveLength(20);
    expect(new Set(c.requested).size).toBe(20);
  });

  it('a dry run while a send holds the ledger is refused naming its pid, and a dry run takes no lock', async () => {
    const c = await campaign(3);
    const dryRun = { ...c.options, dryRunFile: path.join(c.dir, 'requests.jsonl') };
    await writeFile(`${c.options.ledgerFile}.lock`, '1001\n'); // a send of pid 1001 holds the ledger
    const refused = await sendCampaign(dryRun, c.deps({ ledgerOptions: { isAlive: (pid) => pid === 1001 } })).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as InputError).message).toContain('pid 1001');
    // With the holder gone, the dry run goes ahead and leaves its lock file alone.
    const result = await sendCampaign(dryRun, c.deps({ ledgerOptions: { isAlive: () => false } }));
    expect(result.kind).toBe('dry_run');
    expect((await readFile(`${c.options.ledgerFile}.lock`, 'utf8')).trim()).toBe('1001');
  });
});

describe('sendCampaign: room for the last lines', () => {
  it('keeps a space reserve beside the ledger while it sends, and removes it after', async () => {
    const c = await campaign(3);
    const transport = c.transport();
    const sizes: number[] = [];
    const result = sentKind(
      await sendCampaign(
        c.options,
        c.deps({
          transport: async (request) => {
            sizes.push((await stat(`${c.options.ledgerFile}.reserve`)).size);
            return transport(request);
          },
        }),
      ),
    );
    expect(result.end).toEqual({ reason: 'done' });
    expect(sizes).toEqual([192 * 1024, 192 * 1024, 192 * 1024]);
    expect((await readdir(c.dir)).filter((name) => name.endsWith('.reserve'))).toEqual([]);
  });
});

describe('sendCampaign whose ledger lock is lost', () => {
  /** A heartbeat the test runs, and a promise that resolves once the lock noticed it was lost (it stops its heartbeat). */
  function heartbeat() {
    let beat: (() => void) | undefined;
    let stopped!: () => void;
    const noticed = new Promise<void>((resolve) => (stopped = resolve));
    const every = (_ms: number, fn: () => void) => {
      beat = fn;
      return stopped;
    };
    return { every, beat: () => beat?.(), noticed };
  }

  it.each([
    ['removed', async (lock: string) => unlink(lock), /^the lock .*c\.ledger\.jsonl\.lock was removed: another send may be writing this ledger$/],
    ['taken over', async (lock: string) => writeFile(lock, `${JSON.stringify({ pid: 999_999_999 })}\n`), /taken over by another process: another send may be writing this ledger$/],
  ])('%s: no new requests, the one in flight recorded, a ledger stop; the other holder’s lock left alone', async (_name, lose, title) => {
    const c = await campaign(20);
    const hb = heartbeat();
    const transport = c.transport();
    const lockFile = `${c.options.ledgerFile}.lock`;
    const result = sentKind(
      await sendCampaign(
        c.options,
        c.deps({
          transport: async (request) => {
            if (c.requested.length === 2) {
              await lose(lockFile);
              hb.beat();
              await hb.noticed;
            }
            return transport(request);
          },
          ledgerOptions: { every: hb.every },
        }),
      ),
    );
    expect(result.end).toMatchObject({ reason: 'stopped', code: 'ledger', title: expect.stringMatching(title) });
    expect(c.requested).toHaveLength(3);
    const states = await c.states();
    for (const phone of c.requested) expect(stateOf(states.get(phone)), phone).toBe(RecipientState.Accepted);
    const lockAfter = await readFile(lockFile, 'utf8').catch(() => undefined);
    expect(lockAfter).toBe(_name === 'removed' ? undefined : `${JSON.stringify({ pid: 999_999_999 })}\n`);
  });
});

describe('sendCampaign on a full disk', () => {
  it('no request leaves for an intent that is not wholly on disk; after space is freed, resume sends nobody twice', async () => {
    const c = await campaign(30);
    const disk = new FaultyDisk();
    const transport = c.transport();
    const fill = async (request: HttpRequest) => {
      // The disk fills while the 8th request is in flight: what comes next fits in part, then not at all.
      if (c.requested.length === 7) disk.free = 150;
      return transport(request);
    };
    const openFile = async (file: string) => disk.wrap(writableFile(await openRegularFile(file, 'append', { mode: 0o600 })));
    const first = sentKind(await sendCampaign(c.options, c.deps({ transport: fill, ledgerOptions: { openFile } })));
    expect(first.end).toMatchObject({ reason: 'stopped', code: 'ledger', title: expect.stringContaining('ENOSPC'), fix: expect.stringContaining('no request left without its intent on disk') });
    expect(c.requested.length).toBeGreaterThanOrEqual(8);
    expect(c.requested.length).toBeLessThan(30);

    // No partial line stays, and every request that went out has its whole intent in the ledger.
    const text = await readFile(c.options.ledgerFile, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const intents = new Set(text.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'intent').map((r) => r.phone as string));
    for (const phone of c.requested) expect(intents.has(phone), phone).toBe(true);
    const sentBefore = c.requested.length;

    // Space is back: resume on the real file system.
    const resumed = sentKind(await sendCampaign(c.options, c.deps({ transport: c.transport() })));
    expect(resumed.end).toEqual({ reason: 'done' });
    expect(c.requested.length).toBeGreaterThan(sentBefore);
    expect(new Set(c.requested).size).toBe(c.requested.length); // nobody twice
    const states = await c.states();
    for (const phone of c.list) {
      const state = stateOf(states.get(phone));
      // Accepted, or in doubt (its answer came when the ledger could no longer record it): never lost.
      expect([RecipientState.Accepted, RecipientState.InDoubt], phone).toContain(state);
      if (state === RecipientState.Accepted) expect(c.requested, phone).toContain(phone);
    }
  });

  it('a final flush that fails (the last outcomes) is a ledger stop, not a finished campaign', async () => {
    const c = await campaign(3);
    const disk = new FaultyDisk();
    let requests = 0;
    const transport = c.transport();
    const openFile = async (file: string) => disk.wrap(writableFile(await openRegularFile(file, 'append', { mode: 0o600 })));
    const result = sentKind(
      await sendCampaign(
        c.options,
        c.deps({
          transport: async (request) => {
            // After the last request, only its outcome is left to write: the disk fills now.
            if (++requests === 3) disk.free = 0;
            return transport(request);
          },
          ledgerOptions: { openFile },
        }),
      ),
    );
    // The third was accepted, but the ledger shows it in doubt: so does the summary.
    expect(result.stats).toMatchObject({ accepted: 2, in_doubt: 1, unrecorded: { accepted: 1, failed: 0, not_sent: 0, retry: 0 } });
    expect(result.end).toMatchObject({ reason: 'stopped', code: 'ledger', title: expect.stringContaining('ENOSPC') });
    expect(stateOf((await c.states()).get(c.list[2]!))).toBe(RecipientState.InDoubt);
  });

  it('outcomes the failed ledger refused get one more try after the run: when it works, nothing is left in doubt', async () => {
    const c = await campaign(3);
    const disk = new FaultyDisk();
    let requests = 0;
    const transport = c.transport();
    const openFile = async (file: string) => disk.wrap(writableFile(await openRegularFile(file, 'append', { mode: 0o600 })));
    const result = sentKind(
      await sendCampaign(
        c.options,
        c.deps({
          transport: async (request) => {
            // The final flush (the last outcome) fails once, as a disk that is briefly full or flaky.
            if (++requests === 3) disk.failNext('sync', 'EIO');
            return transport(request);
          },
          ledgerOptions: { openFile },
        }),
      ),
    );
    expect(result.end).toMatchObject({ reason: 'stopped', code: 'ledger', title: expect.stringContaining('EIO') });
    expect(result.stats).toMatchObject({ accepted: 3, in_doubt: 0, unrecorded: { accepted: 0, failed: 0, not_sent: 0, retry: 0 } });
    const states = await c.states();
    for (const phone of c.list) expect(stateOf(states.get(phone)), phone).toBe(RecipientState.Accepted);
  });
});

describe('sendCampaign: the second pass finds duplicates with the first pass’s numbers', () => {
  it('sends each number once, also numbers written in another format and numbers the first pass never saw', async () => {
    const c = await campaign(4);
    const [a, b, cc, d] = c.list as [string, string, string, string];
    const national = (e164: string) => `0${e164.slice(3)}`; // +4474002… → 074002…
    const csv = `phone,opt_in,name,country\n${a},yes,A,\n${national(a)},yes,A2,GB\n${b},yes,B,\n${cc},yes,C,\n${b},yes,B2,\n`;
    await writeFile(c.options.csvFile, csv);
    // Between the passes (while the plan is confirmed) the file changes: d is new, twice, and a moves after c.
    const rewritten = `phone,opt_in,name,country\n${d},yes,D,\n${b},yes,B,\n${cc},yes,C,\n${national(a)},yes,A2,GB\n${d},yes,D2,\n${a},yes,A,\n`;
    const result = sentKind(await sendCampaign(c.options, c.deps({ transport: c.transport(), confirm: async () => (await writeFile(c.options.csvFile, rewritten), true) })));
    expect(result.plan.toSend).toBe(3);
    expect([...c.requested].sort()).toEqual([a, b, cc, d].sort());
    expect(result.stats.rejected.duplicate).toBe(2);
  });
});

describe('sendCampaign: one message id for several recipients in flight at once', () => {
  it('accepts the first and records the others as in doubt, though the first answer was not yet on disk when they came', async () => {
    const c = await campaign(4);
    const hold = gate();
    let waiting = 0;
    // Every answer the same id, all four held until all four requests are out: the answers then
    // come together, the first one's outcome still queued in the writer when the next is settled.
    const transport = async (request: HttpRequest): Promise<TransportResult> => {
      c.requested.push(JSON.parse(request.body).to as string);
      if (++waiting === 4) hold.open();
      await hold.until;
      return { ok: true, response: { status: 200, headers: {}, body: JSON.stringify({ messages: [{ id: 'wamid.SAME' }], contacts: [{ wa_id: '1' }] }) } };
    };
    const result = sentKind(await sendCampaign({ ...c.options, concurrency: 4 }, c.deps({ transport })));
    expect(c.requested).toHaveLength(4);
    expect(result.stats).toMatchObject({ accepted: 1, in_doubt: 3 });
    const outcomes: string[] = [];
    for await (const { record } of readLedger(c.options.ledgerFile)) if (record.type === 'outcome') outcomes.push(`${record.outcome}:${record.code ?? ''}`);
    expect(outcomes.sort()).toEqual(['accepted:', 'in_doubt:duplicate_message_id', 'in_doubt:duplicate_message_id', 'in_doubt:duplicate_message_id']);
  });
});
