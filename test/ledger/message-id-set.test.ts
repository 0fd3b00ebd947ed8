import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageIdOwners, type FirstOwner } from '../../src/ledger/message-id-owners.js';
import { MessageIdSet } from '../../src/ledger/message-id-set.js';

/**
 * The set with its owners as run-campaign uses them, over an in-memory ledger: every answer is
 * recorded with its id, as send records every outcome; the first record of an id names its owner.
 */
function withLedger(set = new MessageIdSet()) {
  /** The first record's recipient of each id (what a scan of the ledger finds first). */
  const ledger = new Map<string, string>();
  let lookups = 0;
  const firstOwner = async (id: string): Promise<FirstOwner> => {
    lookups++;
    const phone = ledger.get(id);
    return phone === undefined ? 'absent' : { phone };
  };
  const owners = new MessageIdOwners(set, firstOwner);
  const add = async (id: string, phone: string) => {
    const seen = await owners.add(id, phone);
    if (!ledger.has(id)) ledger.set(id, phone);
    return seen;
  };
  return { set, add, owners, ledger, lookups: () => lookups };
}

describe('MessageIdSet with its owners', () => {
  it('tells a new id from one returned before for the same recipient or for another', async () => {
    const ids = withLedger();
    expect(await ids.add('wamid.A', '+447400123456')).toBe('new');
    expect(await ids.add('wamid.B', '+447400123457')).toBe('new');
    expect(await ids.add('wamid.A', '+447400123456')).toBe('same_recipient');
    expect(await ids.add('wamid.A', '+447400123457')).toBe('other_recipient');
    // The first recipient stays the owner.
    expect(await ids.add('wamid.A', '+447400123456')).toBe('same_recipient');
    expect(ids.set.size).toBe(2);
    // The ledger was asked once, for the id that repeated; its owner is kept.
    expect(ids.lookups()).toBe(1);
  });

  it('keeps every id through growth and a reserve, and tells near-identical ids apart', async () => {
    const ids = withLedger();
    const n = 50_000;
    const id = (i: number) => `wamid.HBgLNDQ3NDAwMTIzNDU2FQIAERgS${String(i).padStart(10, '0')}AA==`;
    const phone = (i: number) => `+4474${String(i).padStart(8, '0')}`;
    const seen = async (from: number, to: number, phoneOf: (i: number) => string, step = 1) => {
      const counts = { new: 0, same_recipient: 0, other_recipient: 0 };
      for (let i = from; i < to; i += step) counts[await ids.add(id(i), phoneOf(i))]++;
      return counts;
    };
    expect(await seen(0, n / 2, phone)).toEqual({ new: n / 2, same_recipient: 0, other_recipient: 0 });
    ids.set.reserve(n);
    expect(await seen(n / 2, n, phone)).toEqual({ new: n / 2, same_recipient: 0, other_recipient: 0 });
    expect(ids.set.size).toBe(n);
    // Distinct ids never needed the ledger: their hashes were new.
    expect(ids.lookups()).toBe(0);
    expect(await seen(0, n, phone, 7)).toEqual({ new: 0, same_recipient: Math.ceil(n / 7), other_recipient: 0 });
    expect(await seen(1, n, (i) => phone(i + 1), 10)).toEqual({ new: 0, same_recipient: 0, other_recipient: n / 10 });
    expect(ids.set.size).toBe(n);
  });
});

describe('MessageIdSet', () => {
  it('says "new" exactly for the ids not added before, as a plain Set does', () => {
    const id = fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: 0, max: 300 }).map((i) => `SM${String(i).padStart(32, '0')}`));
    fc.assert(
      fc.property(fc.array(id, { maxLength: 200 }), (ids) => {
        const set = new MessageIdSet(4);
        const plain = new Set<string>();
        for (const text of ids) {
          expect(set.add(text)).toBe(!plain.has(text));
          plain.add(text);
        }
        expect(set.size).toBe(plain.size);
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('a reserve smaller than what it holds changes nothing; one larger makes room at once, so filling up to it copies nothing', () => {
    const set = new MessageIdSet(4);
    for (let i = 0; i < 3000; i++) set.add(`wamid.${i}`);
    set.reserve(10);
    expect(set.size).toBe(3000);
    expect([set.add('wamid.0'), set.add('wamid.2999'), set.add('wamid.3000')]).toEqual([false, false, true]);
    // The table's arrays (private): reserve's promise is about memory, that filling never copies them.
    const table = () => (set as unknown as { low: Uint32Array }).low;
    set.reserve(20_000);
    const reserved = table();
    for (let i = 3001; i < 20_000; i++) set.add(`wamid.${i}`);
    expect(table()).toBe(reserved);
    expect(set.size).toBe(20_000);
    // A fresh set made for n holds n without a copy too.
    const sized = new MessageIdSet(5000);
    const first = (sized as unknown as { low: Uint32Array }).low;
    // Reserving what it was made for already has room: nothing is copied.
    sized.reserve(5000);
    expect((sized as unknown as { low: Uint32Array }).low).toBe(first);
    for (let i = 0; i < 5000; i++) sized.add(`SM${i}`);
    expect((sized as unknown as { low: Uint32Array }).low).toBe(first);
  });

  it('never takes an id added before for a new one, through many resizes', () => {
    const set = new MessageIdSet(4);
    const n = 30_000;
    let fresh = 0;
    for (let i = 0; i < n; i++) if (set.add(`wamid.${i}`)) fresh++;
    let repeatedAsNew = 0;
    for (let i = 0; i < n; i++) if (set.add(`wamid.${i}`)) repeatedAsNew++;
    expect(fresh).toBe(n);
    expect(repeatedAsNew).toBe(0);
    expect(set.size).toBe(n);
  });
});

describe('MessageIdOwners', () => {
  /** A set that says every id's hash was seen before: the rare path, for every id. */
  const colliding = { add: () => false };

  it('takes an id whose hash another id had, and that the ledger does not hold, for new', async () => {
    const ids = withLedger(colliding as unknown as MessageIdSet);
    expect(await ids.add('wamid.X', '+447400000001')).toBe('new');
    expect(await ids.add('wamid.Y', '+447400000002')).toBe('new');
    expect(await ids.add('wamid.X', '+447400000002')).toBe('other_recipient');
    expect(await ids.add('wamid.Y', '+447400000002')).toBe('same_recipient');
  });

  it('answers a second answer with the same id, while the first is being looked up, with the first as owner', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const owners = new MessageIdOwners(colliding, async () => (await held, 'absent'));
    const first = owners.add('wamid.X', '+447400000001');
    const second = owners.add('wamid.X', '+447400000002');
    const third = owners.add('wamid.X', '+447400000001');
    release();
    expect(await Promise.all([first, second, third])).toEqual(['new', 'other_recipient', 'same_recipient']);
  });

  it('gives the safe answer, another recipient, when the ledger cannot tell', async () => {
    const owners = new MessageIdOwners(colliding, async () => 'unknown');
    expect(await owners.add('wamid.X', '+447400000001')).toBe('other_recipient');
    const failing = new MessageIdOwners(colliding, async () => {
      throw new Error('EIO');
    });
    expect(await failing.add('wamid.X', '+447400000001')).toBe('other_recipient');
  });

  it('asks the ledger again after a look-up that could not tell (the answer is not kept)', async () => {
    let calls = 0;
    const owners = new MessageIdOwners(colliding, async () => (++calls === 1 ? 'unknown' : { phone: '+447400000001' }));
    expect(await owners.add('wamid.X', '+447400000001')).toBe('other_recipient');
    expect(await owners.add('wamid.X', '+447400000001')).toBe('same_recipient');
    expect(await owners.add('wamid.X', '+447400000002')).toBe('other_recipient');
    expect(calls).toBe(2);
  });

  it('while a look-up that will not tell is under way, a second answer with the id is the safe one too', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const owners = new MessageIdOwners(colliding, async () => (await held, 'unknown'));
    const first = owners.add('wamid.X', '+447400000001');
    const second = owners.add('wamid.X', '+447400000001');
    release();
    expect(await Promise.all([first, second])).toEqual(['other_recipient', 'other_recipient']);
  });

  it('answers a new hash at once, without the ledger', () => {
    const owners = new MessageIdOwners(new MessageIdSet(), async () => {
      throw new Error('not to be asked');
    });
    expect(owners.add('wamid.A', '+447400000001')).toBe('new');
  });
});

describe('MessageIdSet: the table’s slots, with ids chosen for their hashes', () => {
  // Found by searching strings against the set's hash (a copy of hash48 outside the code, run
  // once): what each id's 48-bit hash is, high 16 bits and low 32, and its home slot in a set made
  // with the default size (1,281 slots).
  /** Its low 32 bits are 0 (high 46055, slot 636): a slot holding it has one half 0, and is not empty. */
  const ZERO_LOW = 'wamid.ecl\u0d4f';
  /** Two ids whose home slot is ZERO_LOW's (636), their hashes not 0 in either half. */
  const SAME_SLOT = ['wamid.y1274', 'wamid.y4045'];
  /** The same low 32 bits, not the same high 16: homes 373 and 371; FILL are at home in 371 and 372. */
  const SAME_LOW = ['wb6j1', 'wof8a'] as const;
  const FILL = ['f0.172', 'f1.362'];
  /** High halves 0 (lows 250455052 and 1986221396): two hashes, not one. */
  const HIGH_ZERO = ['wamid.f61cz', 'wamid.32302z'] as const;
  /** The same high half (35135), low halves 0 and 1: two hashes, not one. */
  const LOW_ZERO_AND_ONE = ['wamid.355d9d\ub404', 'wamid.94ad53\ue30e'] as const;
  /** Two ids with the same 48-bit hash (0x18e7, 0x0f24aebd): the second is not new for the set (MessageIdOwners then asks the ledger). */
  const SAME_HASH = ['wamid.019128f7', 'wamid.01f0ad81'] as const;

  it('an id whose hash has a low half of 0 is seen again, and holds its slot against the next id there', () => {
    const set = new MessageIdSet();
    expect([set.add(ZERO_LOW), set.add(ZERO_LOW), set.add(SAME_SLOT[0]!), set.add(SAME_SLOT[1]!), set.add(ZERO_LOW), set.add(SAME_SLOT[1]!)]).toEqual([true, false, true, true, false, false]);
    expect(set.size).toBe(3);
  });

  it('the next id at a slot after ZERO_LOW’s, with ZERO_LOW added later: both new', () => {
    const set = new MessageIdSet();
    expect([set.add(SAME_SLOT[0]!), set.add(ZERO_LOW), set.add(ZERO_LOW), set.add(SAME_SLOT[0]!)]).toEqual([true, true, false, false]);
  });

  it('two ids with the same low half and another high half are two ids, where one’s probe passes the other’s slot', () => {
    const set = new MessageIdSet();
    expect(set.add(SAME_LOW[0])).toBe(true);
    expect(FILL.map((id) => set.add(id))).toEqual([true, true]);
    expect([set.add(SAME_LOW[1]), set.add(SAME_LOW[1]), set.add(SAME_LOW[0])]).toEqual([true, false, false]);
    expect(set.size).toBe(4);
  });

  it('ids whose hash has a half of 0 keep their own hash: each is new once', () => {
    const set = new MessageIdSet();
    expect([...HIGH_ZERO, ...LOW_ZERO_AND_ONE].map((id) => set.add(id))).toEqual([true, true, true, true]);
    expect([...HIGH_ZERO, ...LOW_ZERO_AND_ONE].map((id) => set.add(id))).toEqual([false, false, false, false]);
    expect(set.size).toBe(4);
  });

  it('an id with another’s hash is not new for the set (the rare case MessageIdOwners settles from the ledger)', () => {
    const set = new MessageIdSet();
    expect([set.add(SAME_HASH[0]), set.add(SAME_HASH[1]), set.add('wamid.019128f8'), set.size]).toEqual([true, false, true, 2]);
  });

  it('keeps the id with a low half of 0 when the table grows, and when a reserve copies it', () => {
    const grown = new MessageIdSet();
    grown.add(ZERO_LOW);
    for (let i = 0; i < 5000; i++) grown.add(`SM${i}`);
    expect([grown.add(ZERO_LOW), grown.size]).toEqual([false, 5001]);
    const reserved = new MessageIdSet();
    reserved.add(ZERO_LOW);
    reserved.reserve(100_000);
    expect([reserved.add(ZERO_LOW), reserved.add(SAME_SLOT[0]!), reserved.size]).toEqual([false, true, 2]);
  });
});
