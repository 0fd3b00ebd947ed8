import type { CallbackChannel } from '../providers/callback-channel.js';
import { FACTS_VERSION } from '../providers/event-facts.js';
import type { EventRecord } from './event-record.js';

/**
 * An events line with the facts its channel reads from `raw` stored beside it (SPEC "Events"):
 * reconcile then reads those instead of parsing the payload again. They are read from what is
 * stored (the redacted payload and path), so a reader of `raw` finds the same. Keys in the order
 * reconcile's fast reading expects (`facts` just before `raw`); a payload the channel does not
 * understand is stored without facts (reconcile reads `raw` and says why).
 */
export function withFacts(channel: CallbackChannel, record: EventRecord): EventRecord {
  const { type, received_at, provider, path, raw, facts: _stale, ...rest } = record;
  const read = channel.facts({ raw, path, receivedAt: Date.parse(received_at) });
  return { type, received_at, provider, path, ...(read.ok ? { facts: { v: FACTS_VERSION, facts: read.facts } } : {}), raw, ...rest };
}
