import { readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WriteError } from '../../src/errors.js';
import { JsonlAppender } from '../../src/fs/jsonl-appender.js';
import { metaSignature } from '../../src/providers/cloud-api/meta-signature.js';
import type { EventRecord } from '../../src/webhook/event-record.js';
import { startWebhook } from '../../src/webhook/webhook-server.js';
import { tempDir } from '../helpers.js';

const SECRET = 'app-secret-for-lock-tests';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop().catch(() => undefined)));
});

/** A receiver whose lock's heartbeat runs when the test says (`beat`), as the command opens it. */
async function receiver() {
  const file = path.join(await tempDir(), 'events.jsonl');
  let heartbeat: (() => void) | undefined;
  const lost: string[] = [];
  let noticed!: () => void;
  const lostNoticed = new Promise<void>((resolve) => (noticed = resolve));
  const events = await JsonlAppender.open<EventRecord>(file, {
    afterFailure: 'retry',
    every: (_ms, fn) => {
      heartbeat = fn;
      return () => (heartbeat = undefined);
    },
    onLost: (why) => {
      lost.push(why);
      noticed();
    },
  });
  const webhook = await startWebhook({ port: 0, events, secrets: { WA_APP_SECRET: SECRET }, allowUnsigned: false, publicUrl: undefined });
  stops.push(webhook.close);
  const post = async (id: string) => {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { statuses: [{ id, status: 'delivered' }] } }] }] });
    const res = await fetch(`${webhook.url}/webhook`, { method: 'POST', body, headers: { 'x-hub-signature-256': metaSignature(body, SECRET) } });
    return res.status;
  };
  const beat = async () => {
    heartbeat?.();
    await lostNoticed; // the heartbeat's check is real I/O (a stat of the lock)
    expect(lost).toHaveLength(1);
  };
  const saved = async () => (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;
  return { file, webhook, events, post, beat, saved, lost };
}

describe('webhook whose events file lock is lost', () => {
  it('removed: never answers 200 again, saves nothing more, and its close says why and how many were refused', async () => {
    const r = await receiver();
    expect(await r.post('wamid.1')).toBe(200);
    await unlink(`${r.file}.lock`);
    await r.beat();
    expect(r.lost[0]).toContain('was removed');
    expect(await r.post('wamid.2')).toBe(503);
    expect(await r.post('wamid.3')).toBe(503);
    expect(await r.saved()).toBe(1);
    const closing = r.webhook.close();
    await expect(closing).rejects.toBeInstanceOf(WriteError);
    await expect(closing).rejects.toThrow(/^stopped: the lock .*events\.jsonl\.lock was removed: another receiver may be writing this events file; 2 callback\(s\) since were answered 503/);
  });

  it('taken over by another receiver: 503 from then on, and the other receiver’s lock is left alone', async () => {
    const r = await receiver();
    expect(await r.post('wamid.1')).toBe(200);
    const other = `${JSON.stringify({ pid: 999_999_999 })}\n`;
    await writeFile(`${r.file}.lock`, other);
    await r.beat();
    expect(r.lost[0]).toContain('taken over by another process');
    expect(await r.post('wamid.2')).toBe(503);
    await expect(r.webhook.close()).rejects.toThrow(/taken over/);
    expect(await readFile(`${r.file}.lock`, 'utf8')).toBe(other);
  });
});
