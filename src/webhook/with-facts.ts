import type { CallbackChannel } from '../providers/callback-channel.js';
import { FACTS_VERSION, type StoredFacts } from '../providers/event-facts.js';

/** The parts of an events line (webhook-server.ts EventRecord) that facts are read from and placed among. */
interface StoredEvent {
  type: 'event';
  received_at: string;
  provider: string;
  path: string;
  facts?: StoredFacts;
  raw: string;
}

/**
 * An events line with the facts its channel reads from `raw` stored beside it (SPEC "Events"):
 * reconcile then reads those instead of parsing the payload again. They are read from what is
 * stored (the redacted payload and path), so a reader of `raw` finds the same. Keys in the order
 * reconcile's fast reading expects (`facts` just before `raw`); a payload the channel does not
 * understand is stored without facts (reconcile reads `raw` and says why).
 */
export function withFacts<R extends StoredEvent>(channel: CallbackChannel, record: R): R {
  const { type, received_at, provider, path, raw, facts: _stale, ...rest } = record;
  const read = channel.facts({ raw, path, receivedAt: Date.parse(received_at) });
  return { type, received_at, provider, path, ...(read.ok ? { facts: { v: FACTS_VERSION, facts: read.facts } } : {}), raw, ...rest } as R;
}
