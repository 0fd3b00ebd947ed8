import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Provider } from '../../src/providers/provider.js';
import { dialog360Provider } from '../../src/providers/360dialog/index.js';
import { intentFor, outcomeFor } from '../ledger-record-builders.js';
import { failure, refused, sendSetup, sentKind } from './send-campaign-setup.js';

// `send --dry-run`: the exact requests a send would make, one JSON object a line, credentials
// redacted, only for the recipients the send would message.

/** The line a dry run writes for a recipient of the setup's CSV (`name` N<i>), as the Cloud API provider builds it. */
function cloudLine(line: number, phone: string, name: string, url = 'http://127.0.0.1:9/v23.0/1/messages', headers: Record<string, string> = { authorization: '[redacted]', 'content-type': 'application/json' }) {
  const body = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: phone,
    type: 'template',
    template: { name: 'hello', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text', text: name }] }] },
    biz_opaque_callback_data: `dry-run-${line}`,
  };
  return `${JSON.stringify({ line, method: 'POST', url, headers, body: JSON.stringify(body) })}\n`;
}

describe('sendCampaign --dry-run: the requests file', () => {
  it('one line for each recipient the send would message, not the done nor the in doubt; the token redacted; nothing looked up', async () => {
    const s = await sendSetup(4);
    const [a, b, c, d] = s.list as [string, string, string, string];
    await writeFile(s.options.ledgerFile, [intentFor(a), outcomeFor(a, 'accepted'), intentFor(b)].map((r) => `${JSON.stringify(r)}\n`).join(''));
    const file = path.join(s.dir, 'requests.jsonl');
    const result = await s.send({ dryRunFile: file });
    expect(result).toMatchObject({ kind: 'dry_run', file, requests: 2 });
    expect(result.plan).toMatchObject({ toSend: 2, alreadyDone: 1, inDoubt: 1 });
    expect(result.plan.preflight).toEqual({ checked: false, reason: 'a dry run does not look it up (validate --online does)' });
    expect(await readFile(file, 'utf8')).toBe(cloudLine(4, c, 'N2') + cloudLine(5, d, 'N3'));
    expect(s.requested).toEqual([]);
  });

  it('360dialog: its API key header redacted', async () => {
    const s = await sendSetup(1);
    const provider = dialog360Provider({ baseUrl: 'http://127.0.0.1:9', apiKey: 'key-360' });
    const file = path.join(s.dir, 'requests.jsonl');
    const result = await s.send({ dryRunFile: file, provider: '360dialog' }, { resolveProvider: () => ({ provider, redact: (text) => text }) });
    expect(result).toMatchObject({ kind: 'dry_run', requests: 1 });
    expect(await readFile(file, 'utf8')).toBe(cloudLine(2, s.list[0]!, 'N0', 'http://127.0.0.1:9/messages', { 'd360-api-key': '[redacted]', 'content-type': 'application/json' }));
  });

  it('every redactor applies: the provider’s and the command’s', async () => {
    const s = await sendSetup(1);
    const file = path.join(s.dir, 'requests.jsonl');
    await s.send({ dryRunFile: file }, { resolveProvider: () => ({ provider: s.provider, redact: (text) => text.replaceAll('127.0.0.1', '[host]') }), redact: (text) => text.replaceAll('v23.0', '[version]') });
    expect(await readFile(file, 'utf8')).toBe(cloudLine(2, s.list[0]!, 'N0', 'http://[host]:9/[version]/1/messages'));
  });

  it('nobody to message: an empty file, no requests', async () => {
    const s = await sendSetup(2);
    await writeFile(s.options.ledgerFile, s.list.flatMap((p) => [intentFor(p), outcomeFor(p, 'accepted')]).map((r) => `${JSON.stringify(r)}\n`).join(''));
    const file = path.join(s.dir, 'requests.jsonl');
    expect(await s.send({ dryRunFile: file })).toMatchObject({ kind: 'dry_run', requests: 0 });
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('a retry list: rows not due yet are left out', async () => {
    const s = await sendSetup(2);
    sentKind(await s.send({}, { transport: s.transport(() => refused()) }));
    const [a, b] = s.list as [string, string];
    const later = new Date(s.clock.date().getTime() + 3600_000).toISOString();
    await writeFile(s.options.csvFile, `phone,opt_in,name,reason,error_code,attempts,due_at\n${a},yes,N0,failed,131026,1,${later}\n${b},yes,N1,failed,131026,1,\n`);
    const file = path.join(s.dir, 'requests.jsonl');
    expect(await s.send({ dryRunFile: file })).toMatchObject({ kind: 'dry_run', requests: 1 });
    expect(await readFile(file, 'utf8')).toBe(cloudLine(3, b, 'N1'));
  });

  it('a request that cannot be built: the error, and no file nor temporary file left', async () => {
    const s = await sendSetup(3);
    const before = (await readdir(s.dir)).sort();
    let built = 0;
    const provider: Provider = {
      ...s.provider,
      buildRequest: (message) => {
        if (++built === 2) throw new Error('cannot build');
        return s.provider.buildRequest(message);
      },
    };
    const error = await failure(s.send({ dryRunFile: path.join(s.dir, 'requests.jsonl') }, { resolveProvider: () => ({ provider, redact: (text) => text }) }));
    expect(error.message).toBe('cannot build');
    expect((await readdir(s.dir)).sort()).toEqual(before);
  });
});
