/** Where a connection is in its current request (see connection-guard.ts). */
export type ConnectionState =
  /** Connected, or between requests: its next request's headers are not complete yet. */
  | 'waiting'
  /** Headers complete, body still arriving. */
  | 'reading'
  /** The whole request is in: it is being answered (its event is on its way to disk). */
  | 'answering';

export interface EvictionCandidate {
  state: ConnectionState;
  /** When it entered its current state (clock ms). */
  since: number;
}

/**
 * Which connection to close when a new one arrives at the cap: the one that has made the least
 * progress, that is, the one that has been stuck longest in a state it has not completed. A slow
 * client trickling headers or a body ages in its state; a provider's fresh connection is seconds
 * younger. On a tie, a connection still waiting for headers goes before one sending a body.
 * A connection being answered is never chosen: its event is being made durable, and closing it
 * would turn a stored event into a retry. Returns undefined when every connection is being
 * answered (then the newcomer is the one refused).
 *
 * Pure; `candidates` need only hold the oldest connection of each state.
 */
export function pickEviction<T extends EvictionCandidate>(candidates: readonly (T | undefined)[]): T | undefined {
  let victim: T | undefined;
  for (const candidate of candidates) {
    if (!candidate || candidate.state === 'answering') continue;
    if (!victim || candidate.since < victim.since || (candidate.since === victim.since && candidate.state === 'waiting' && victim.state !== 'waiting')) {
      victim = candidate;
    }
  }
  return victim;
}
