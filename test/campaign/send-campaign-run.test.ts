import { readdir, readFile, unlink } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { CampaignStats } from '../../src/campaign/campaign-stats.js';
import type { SendPlan } from '../../src/campaign/send-campaign.js';
import { ProviderStopError } from '../../src/errors.js';
import { openRegularFile } from '../../src/fs/open-regular-file.js';
import { writableFile } from '../../src/fs/writable-file.js';
import type { GetTransport } from '../../src/providers/http-transport.js';
import type { TemplateLookup, TemplateLookupSetup } from '../../src/providers/template-lookup.js';
import type { AccountTemplate } from '../../src/template/account-template.js';
import { FaultyDisk } from '../fs/faulty-disk.js';
import { metaTemplate } from '../meta-template.js';
import type { LedgerRecord } from '../../src/ledger/ledger-records.js';
import type { TransportResult } from '../../src/providers/http-transport.js';
import type { HttpRequest } from '../../src/providers/provider.js';
import { accepted, failure, refused, sendSetup, sentKind } from './send-campaign-setup.js';

// A send that runs: the ledger's run record, the template preflight before it, what the caller
// hears (progress, duration), and how the run ends when the ledger fails.

/** The account's `hello` (en, approved, utility) with one body parameter, as the spec has it. */
const hello = (over: Record<string, unknown> = {}): AccountTemplate =>
  metaTemplate([{ type: 'BODY', text: 'Hello {{1}}', example: { body_text: [['Ana']] } }], { name: 'hello', language: 'en', category: 'UTILITY', ...over });
const lookupOf = (find: TemplateLookup['find']): TemplateLookupSetup => ({
  ok: true,
  lookup: { where: 'WABA 1', list: async () => [], find, findByName: async () => ({ template: undefined, others: [] }) },
  redact: (text) => text,
});
/** The look-up transport: the fake look-ups never use it. */
const lookupTransport: GetTransport = async () => {
  throw new Error('the fake look-up needs no transport');
};

describe('sendCampaign: the run record', () => {
  it('says what this run sends with: inputs, their hashes, the template, the route, the columns', async () => {
    const s = await sendSetup(2);
    sentKind(await s.send());
    const [run, ...rest] = await s.records();
    expect(run).toEqual({
      type: 'run',
      v: 1,
      run: expect.stringMatching(/^[0-9a-f]{8}$/),
      at: '2026-11-24T00:00:00.000Z',
      pid: process.pid,
      provider: 'cloud',
      mps: 1000,
      csv: s.options.csvFile,
      csv_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      template: s.options.templateFile,
      template_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      template_name: 'hello',
      language: 'en',
      category: 'utility',
      ttl_seconds: 2592000,
      route: 'messages',
      phone_column: 'phone',
      opt_in_column: 'opt_in',
    });
    expect(rest.map((r) => r.type)).toEqual(['intent', 'outcome', 'intent', 'outcome']);
  });

  it('a provider that routes on its side: route "provider"', async () => {
    const s = await sendSetup(1);
    const { route: _route, ...provider } = s.provider;
    sentKind(await s.send({}, { resolveProvider: () => ({ provider, redact: (text) => text }) }));
    expect((await s.records())[0]).toMatchObject({ type: 'run', route: 'provider' });
  });
});

describe('sendCampaign: the template preflight', () => {
  it('the account’s template found: in the plan, and its time to live in the run record', async () => {
    const s = await sendSetup(1);
    const template = hello({ message_send_ttl_seconds: 3600 });
    const result = sentKind(await s.send({}, { resolveProvider: () => ({ provider: s.provider, redact: (text) => text, templates: lookupOf(async () => ({ template, others: [] })) }), lookupTransport }));
    expect(result.plan.preflight).toEqual({ checked: true, template, where: 'WABA 1', warnings: [], ttlSeconds: 3600 });
    expect((await s.records())[0]).toMatchObject({ type: 'run', template_ttl_seconds: 3600 });
  });

  it('found without a time to live: none in the run record', async () => {
    const s = await sendSetup(1);
    const template = hello();
    const result = sentKind(await s.send({}, { resolveProvider: () => ({ provider: s.provider, redact: (text) => text, templates: lookupOf(async () => ({ template, others: [] })) }), lookupTransport }));
    expect(result.plan.preflight).toMatchObject({ checked: true, ttlSeconds: undefined });
    expect(Object.keys((await s.records())[0]!)).not.toContain('template_ttl_seconds');
  });

  it('a look-up that fails: the stop says how to go on without the check; nothing sent', async () => {
    const s = await sendSetup(1);
    const templates = lookupOf(async () => {
      throw new ProviderStopError('the template look-up failed: HTTP 500');
    });
    const error = await failure(s.send({}, { resolveProvider: () => ({ provider: s.provider, redact: (text) => text, templates }), lookupTransport }));
    expect(error).toBeInstanceOf(ProviderStopError);
    expect(error.message).toBe('the template look-up failed: HTTP 500; or send with --no-preflight to skip the check');
    expect(s.requested).toEqual([]);
  });

  it('--no-preflight: not looked up, and the plan says so', async () => {
    const s = await sendSetup(1);
    let looked = 0;
    const templates = lookupOf(async () => (looked++, { template: hello(), others: [] }));
    const result = sentKind(await s.send({ preflight: false }, { resolveProvider: () => ({ provider: s.provider, redact: (text) => text, templates }), lookupTransport }));
    expect(result.plan.preflight).toEqual({ checked: false, reason: 'skipped (--no-preflight)' });
    expect(looked).toBe(0);
  });

  it('a provider whose look-up is not configured: its reason', async () => {
    const s = await sendSetup(1);
    const result = sentKind(await s.send({ preflight: true }, { resolveProvider: () => ({ provider: s.provider, redact: (text) => text, templates: { ok: false, reason: 'WA_WABA_ID is not set' } }) }));
    expect(result.plan.preflight).toEqual({ checked: false, reason: 'WA_WABA_ID is not set' });
  });
});

describe('sendCampaign: what the caller hears', () => {
  it('progress with the plan it confirmed; the duration from the run’s start', async () => {
    const s = await sendSetup(3);
    await s.clock.advance(5000);
    const heard: [CampaignStats, SendPlan][] = [];
    const result = sentKind(await s.send({}, { onProgress: (stats, plan) => heard.push([stats, plan]) }));
    expect(heard.length).toBeGreaterThan(0);
    expect(heard.at(-1)![0]).toBe(result.stats);
    expect(heard.at(-1)![1]).toBe(result.plan);
    expect(s.clock.now()).toBeGreaterThan(5000);
    expect(result.durationMs).toBe(s.clock.now() - 5000);
  });
});

describe('sendCampaign when the ledger fails', () => {
  const onDisk = (disk: FaultyDisk) => async (file: string) => disk.wrap(writableFile(await openRegularFile(file, 'append', { mode: 0o600 })));

  it('a ledger that did not fail is opened once: no second writer when nothing is left unrecorded', async () => {
    const s = await sendSetup(3);
    let opened = 0;
    const openFile = async (file: string) => (opened++, writableFile(await openRegularFile(file, 'append', { mode: 0o600 })));
    const result = sentKind(await s.send({}, { ledgerOptions: { openFile } }));
    expect(result.end).toEqual({ reason: 'done' });
    expect(opened).toBe(1);
  });

  it('the run record cannot be written: the error, and neither the space reserve nor the lock left behind', async () => {
    const s = await sendSetup(2);
    const disk = new FaultyDisk().failNext('write', 'EIO');
    const error = await failure(s.send({}, { ledgerOptions: { openFile: onDisk(disk) } }));
    expect(error.message).toContain('EIO');
    expect(s.requested).toEqual([]);
    expect((await readdir(s.dir)).sort()).toEqual(['c.csv', 'c.ledger.jsonl', 's.yaml']);
  });

  it('the campaign stopped for failures and the final flush failed: the ledger’s stop is what the user is told', async () => {
    const s = await sendSetup(5);
    const disk = new FaultyDisk();
    const result = sentKind(
      await s.send(
        { maxConsecutiveFailures: 2 },
        {
          ledgerOptions: { openFile: onDisk(disk) },
          transport: s.transport((_to, n) => {
            // The second failure stops the campaign; its outcome is the last line, and the disk is full.
            if (n === 2) disk.free = 0;
            return refused();
          }),
        },
      ),
    );
    expect(s.requested).toHaveLength(2);
    expect(result.end).toEqual({
      reason: 'stopped',
      code: 'ledger',
      title: expect.stringContaining('ENOSPC'),
      fix: 'free disk space, fix permissions or remount a read-only file system, then resume: no request left without its intent on disk, so nobody is sent twice',
    });
  });

  const outcomes = (records: LedgerRecord[]) => records.flatMap((r) => (r.type === 'outcome' ? [`${r.phone}:${r.outcome}`] : []));

  it('the final flush failed, and the second try has room for one line: the one that matters most (a failure before an acceptance) is written', async () => {
    const s = await sendSetup(2);
    const [a, b] = s.list as [string, string];
    const disk = new FaultyDisk();
    let opened = 0;
    const openFile = async (file: string) => {
      // The second writer is the second try's: the disk has room for one outcome line (each is 150-200 bytes).
      if (++opened === 2) disk.free = 200;
      return disk.wrap(writableFile(await openRegularFile(file, 'append', { mode: 0o600 })));
    };
    let release!: () => void;
    const both = new Promise<void>((resolve) => (release = resolve));
    // Both answers come together, a accepted and b refused, and the sync of their outcomes fails.
    const transport = async (request: HttpRequest): Promise<TransportResult> => {
      const to = JSON.parse(request.body).to as string;
      s.requested.push(to);
      if (s.requested.length === 2) {
        disk.failNext('sync', 'EIO');
        release();
      }
      await both;
      return to === a ? accepted(to) : refused();
    };
    const result = sentKind(await s.send({ concurrency: 2 }, { ledgerOptions: { openFile }, transport }));
    expect(opened).toBe(2);
    expect(outcomes(await s.records())).toEqual([`${b}:failed`]);
    expect(result.stats).toMatchObject({ accepted: 0, failed: 1, in_doubt: 1, unrecorded: { accepted: 1, failed: 0, not_sent: 0, retry: 0 } });
    expect(result.end).toMatchObject({ reason: 'stopped', code: 'ledger', title: expect.stringContaining('EIO') });
  });

  it('the lock removed and then the final flush failed: the lock’s stop, and what the ledger refused is not written again (another send may be writing it)', async () => {
    const s = await sendSetup(6);
    let beat: (() => void) | undefined;
    let noticed!: () => void;
    const stopped = new Promise<void>((resolve) => (noticed = resolve));
    const every = (_ms: number, fn: () => void) => ((beat = fn), noticed);
    const disk = new FaultyDisk();
    const answer = s.transport();
    const result = sentKind(
      await s.send(
        {},
        {
          ledgerOptions: { every, openFile: onDisk(disk) },
          transport: async (request) => {
            if (s.requested.length === 2) {
              await unlink(`${s.options.ledgerFile}.lock`);
              beat?.();
              await stopped;
              disk.failNext('write', 'EIO');
            }
            return answer(request);
          },
        },
      ),
    );
    expect(result.end).toEqual({
      reason: 'stopped',
      code: 'ledger',
      title: `the lock ${s.options.ledgerFile}.lock was removed: another send may be writing this ledger`,
      fix: 'no new requests were made and those in flight were recorded; make sure no other send runs on this ledger, then resume',
    });
    expect(s.requested).toHaveLength(3);
    expect(outcomes(await s.records())).toEqual([`${s.list[0]}:accepted`, `${s.list[1]}:accepted`]);
    expect(result.stats).toMatchObject({ accepted: 2, in_doubt: 1, unrecorded: { accepted: 1, failed: 0, not_sent: 0, retry: 0 } });
  });

  it('the lock removed mid-run: the lock’s stop, not a disk’s', async () => {
    const s = await sendSetup(6);
    let beat: (() => void) | undefined;
    let noticed!: () => void;
    const stopped = new Promise<void>((resolve) => (noticed = resolve));
    const every = (_ms: number, fn: () => void) => ((beat = fn), noticed);
    const lockFile = `${s.options.ledgerFile}.lock`;
    const answer = s.transport();
    const result = sentKind(
      await s.send(
        {},
        {
          ledgerOptions: { every },
          transport: async (request) => {
            if (s.requested.length === 2) {
              await unlink(lockFile);
              beat?.();
              await stopped;
            }
            return answer(request);
          },
        },
      ),
    );
    expect(result.end).toEqual({
      reason: 'stopped',
      code: 'ledger',
      title: expect.stringMatching(/was removed: another send may be writing this ledger$/),
      fix: 'no new requests were made and those in flight were recorded; make sure no other send runs on this ledger, then resume',
    });
    expect(await readFile(lockFile, 'utf8').catch(() => 'none')).toBe('none');
  });
});
