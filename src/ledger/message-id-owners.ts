import type { MessageIdSeen, MessageIdSet } from './message-id-set.js';

/** Who the ledger's first record of an id was for: that recipient, nobody (no record has it), or cannot tell (the ledger failed). */
export type FirstOwner = { phone: string } | 'absent' | 'unknown';

/** What a look-up settled: the id's first recipient, and whether the caller that asked is it (the id was new). */
type Resolution = { owner: string; claimed: boolean } | 'unknown';

/**
 * Says exactly whether a message id was returned before, and for whom, with the small set of
 * hashes (`MessageIdSet`) and the ledger: a new hash is a new id, at once and without I/O; a hash
 * seen before (a repeat, or rarely another id with the same hash) is settled by the ledger's first
 * record of that id (`firstOwner`), and the answer kept for that id. The first recipient stays
 * its owner. A ledger that cannot tell (it failed, so what it holds is incomplete) gives the safe
 * answer: another recipient, which send records as in doubt.
 */
export class MessageIdOwners {
  /** Owners of the ids that repeated (few): found once each. */
  private readonly owners = new Map<string, string>();
  /** Look-ups under way: a second answer with the same id waits for the first one's. */
  private readonly resolving = new Map<string, Promise<Resolution>>();

  constructor(
    private readonly ids: Pick<MessageIdSet, 'add'>,
    /** Called once every record already appended is in the ledger (the caller's part). */
    private readonly firstOwner: (id: string) => Promise<FirstOwner>,
  ) {}

  /**
   * Records that `id` was returned for `phone`. Synchronous for a new hash (nearly always), so that
   * the caller records the outcome before another answer can ask about the same id.
   */
  add(id: string, phone: string): MessageIdSeen | Promise<MessageIdSeen> {
    if (this.ids.add(id)) return 'new';
    const owner = this.owners.get(id);
    if (owner !== undefined) return owner === phone ? 'same_recipient' : 'other_recipient';
    const pending = this.resolving.get(id);
    if (pending) return pending.then((resolution) => (resolution !== 'unknown' && resolution.owner === phone ? 'same_recipient' : 'other_recipient'));
    const resolution = this.resolve(id, phone);
    this.resolving.set(id, resolution);
    return resolution.then((found) => (found === 'unknown' ? 'other_recipient' : found.claimed ? 'new' : found.owner === phone ? 'same_recipient' : 'other_recipient'));
  }

  private async resolve(id: string, phone: string): Promise<Resolution> {
    try {
      const found = await this.firstOwner(id);
      if (found === 'unknown') return 'unknown';
      // No record has it: another id shared its hash, and this one is new, returned for `phone`.
      const resolution = found === 'absent' ? { owner: phone, claimed: true } : { owner: found.phone, claimed: false };
      this.owners.set(id, resolution.owner);
      return resolution;
    } catch {
      return 'unknown';
    } finally {
      this.resolving.delete(id);
    }
  }
}
