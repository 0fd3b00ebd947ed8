import { describe, expect, it } from 'vitest';
import { pickEviction, type EvictionCandidate } from '../../src/net/pick-eviction.js';

const c = (name: string, state: EvictionCandidate['state'], since: number) => ({ name, state, since });

describe('pickEviction', () => {
  it.each([
    ['the one stuck longest, whatever it is stuck on', [c('headers', 'waiting', 20), c('body', 'reading', 10)], 'body'],
    ['a slow header sender before a fresher body', [c('headers', 'waiting', 10), c('body', 'reading', 20)], 'headers'],
    ['on a tie, the one still without headers', [c('body', 'reading', 10), c('headers', 'waiting', 10)], 'headers'],
    ['never one being answered, however old', [c('answering', 'answering', 0), c('body', 'reading', 50)], 'body'],
    ['whatever is left when a state is empty', [undefined, c('body', 'reading', 5)], 'body'],
  ])('evicts %s', (_name, candidates, expected) => {
    expect(pickEviction(candidates)?.name).toBe(expected);
  });

  it('evicts nobody when every connection is being answered (the newcomer is refused)', () => {
    expect(pickEviction([c('a', 'answering', 0), undefined])).toBeUndefined();
  });
});
