import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WriteError } from '../../src/errors.js';
import { openRegularFile } from '../../src/fs/open-regular-file.js';
import { writableFile } from '../../src/fs/writable-file.js';
import { JsonlAppender } from '../../src/fs/jsonl-appender.js';
import { metaSignature } from '../../src/providers/cloud-api/meta-signature.js';
import type { EventRecord } from '../../src/webhook/event-record.js';
import { startWebhook } from '../../src/webhook/webhook-server.js';
import { FaultyDisk } from '../fs/faulty-disk.js';
import { tempDir } from '../helpers.js';

const SECRET = 'app-secret-for-disk-tests';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop().catch(() => undefined)));
});

/** A receiver whose events file lives on `disk`, opened as the webhook command opens it. */
async function receiver(disk: FaultyDisk, log?: (line: string) => void) {
  const file = path.join(await tempDir(), 'events.jsonl');
  const events = await JsonlAppender.open<EventRecord>(file, {
    afterFailure: 'retry',
    openFile: async (name) => disk.wrap(writableFile(await openRegularFile(name, 'append', { mode: 0o600 }))),
  });
  const webhook = await startWebhook({ port: 0, events, secrets: { WA_APP_SECRET: SECRET }, allowUnsigned: false, publicUrl: undefined, ...(log ? { log } : {}) });
  stops.push(webhook.close);
  const post = async (id: string) => {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ id, status: 'delivered' }] } }] }] });
    const res = await fetch(`${webhook.url}/webhook`, { method: 'POST', body, headers: { 'x-hub-signature-256': metaSignature(body, SECRET) } });
    return res.status;
  };
  const saved = async () => {
    const text = await readFile(file, 'utf8');
    expect(text === '' || text.endsWith('\n'), 'a partial line was left').toBe(true);
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(JSON.parse(l).raw).entry[0].changes[0].value.statuses[0].id as string);
  };
  return { webhook, post, saved };
}

describe('webhook on a full disk', () => {
  it('answers 503 for an event it could not save, keeps nothing partial, and recovers by itself when space returns', async () => {
    const disk = new FaultyDisk();
    const { post, saved } = await receiver(disk);
    expect(await post('wamid.1')).toBe(200);
    disk.free = 40; // less than one line
    expect(await post('wamid.2')).toBe(503);
    expect(await post('wamid.3')).toBe(503);
    expect(await saved()).toEqual(['wamid.1']);
    disk.free = Infinity; // space is back: no restart needed
    expect(await post('wamid.4')).toBe(200);
    expect(await post('wamid.5')).toBe(200);
    expect(await saved()).toEqual(['wamid.1', 'wamid.4', 'wamid.5']);
  });

  it('says so in one log line for a run of failed saves, not one per callback, and counts the rest once space returns', async () => {
    const disk = new FaultyDisk();
    const lines: string[] = [];
    const { post } = await receiver(disk, (line) => lines.push(line));
    disk.free = 0;
    for (let i = 0; i < 50; i++) expect(await post(`wamid.${i}`)).toBe(503);
    expect(lines.filter((line) => line.includes('could not be saved'))).toHaveLength(1);
    disk.free = Infinity;
    expect(await post('wamid.ok')).toBe(200);
    const saves = lines.filter((line) => line.includes('could not be saved'));
    expect(saves).toHaveLength(2);
    expect(saves[1]).toMatch(/^webhook: 503 49 events could not be saved: /);
  });

  it('answers 503 when the fsync fails, and drops the line it could not make durable', async () => {
    const disk = new FaultyDisk().failNext('sync', 'EIO');
    const { post, saved } = await receiver(disk);
    expect(await post('wamid.1')).toBe(503);
    expect(await saved()).toEqual([]);
    expect(await post('wamid.2')).toBe(200);
    expect(await saved()).toEqual(['wamid.2']);
  });

  it('close rejects, saying what was not saved, while the disk is still failing; resolves once it recovered', async () => {
    const failing = new FaultyDisk();
    const still = await receiver(failing);
    expect(await still.post('wamid.1')).toBe(200);
    failing.free = 0;
    expect(await still.post('wamid.2')).toBe(503);
    expect(await still.post('wamid.3')).toBe(503);
    const error = await still.webhook.close().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as WriteError).message).toBe(
      'not flushed: the last write failed with no space left on device (ENOSPC); 2 callbacks since the last saved one were answered 503 and not saved, so the provider sends them again',
    );
    expect((error as WriteError).location?.file).toMatch(/events\.jsonl$/);

    const recovered = new FaultyDisk();
    const back = await receiver(recovered);
    recovered.free = 0;
    expect(await back.post('wamid.1')).toBe(503);
    recovered.free = Infinity;
    expect(await back.post('wamid.2')).toBe(200);
    await expect(back.webhook.close()).resolves.toBeUndefined();
  });
});
