import { describe, expect, it, vi } from 'vitest';
import type { TemplateLookupSetup } from '../../src/providers/template-lookup.js';
import { metaTemplate } from '../meta-template.js';
import { accepted, sendSetup, sentKind } from './send-campaign-setup.js';

// The HTTP clients sendCampaign makes when the caller passes none (the command's case): built with
// the run's options, and closed once the send (or the look-up) is over. httpTransport is replaced
// by a fake that answers accepted and records what was built and closed: no socket is opened.

const made = vi.hoisted(() => [] as { options: { timeoutMs: number; maxSockets: number }; requests: number; closed: number }[]);

vi.mock('../../src/providers/http-transport.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/providers/http-transport.js')>();
  return {
    ...original,
    httpTransport: (options: { timeoutMs: number; maxSockets: number }) => {
      const client = { options: { timeoutMs: options.timeoutMs, maxSockets: options.maxSockets }, requests: 0, closed: 0 };
      made.push(client);
      const send = async (request: { body?: string }) => {
        client.requests++;
        return accepted(JSON.parse(request.body ?? '{}').to as string);
      };
      return Object.assign(send, { close: () => client.closed++ });
    },
  };
});

const lookup = (): TemplateLookupSetup => {
  const template = metaTemplate([{ type: 'BODY', text: 'Hello {{1}}', example: { body_text: [['Ana']] } }], { name: 'hello', language: 'en', category: 'UTILITY' });
  return { ok: true, lookup: { where: 'WABA 1', list: async () => [], find: async () => ({ template, others: [] }), findByName: async () => ({ template, others: [] }) }, redact: (text) => text };
};

describe('sendCampaign: its own HTTP clients', () => {
  it('the send’s: built with the timeout and the concurrency, closed after the run; the look-up’s: one socket, closed after the look-up', async () => {
    made.length = 0;
    const s = await sendSetup(3);
    const result = sentKind(await s.send({ concurrency: 2, timeoutMs: 1234 }, { transport: undefined, resolveProvider: () => ({ provider: s.provider, redact: (text) => text, templates: lookup() }) }));
    expect(result.stats.accepted).toBe(3);
    expect(made).toEqual([
      { options: { timeoutMs: 1234, maxSockets: 1 }, requests: 0, closed: 1 },
      { options: { timeoutMs: 1234, maxSockets: 2 }, requests: 3, closed: 1 },
    ]);
  });

  it('clients the caller passes are the caller’s: none built, none closed', async () => {
    made.length = 0;
    const s = await sendSetup(2);
    const result = sentKind(await s.send({}, { lookupTransport: async () => accepted('+1'), resolveProvider: () => ({ provider: s.provider, redact: (text) => text, templates: lookup() }) }));
    expect(result.stats.accepted).toBe(2);
    expect(s.requested).toHaveLength(2);
    expect(made).toEqual([]);
  });
});
