import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateController } from '../../src/campaign/rate-controller.js';
import { RateControllerModel } from './rate-controller-model.js';

/**
 * One run's requests at `mps` (clock ms) for `seconds`, a throttling answer to every
 * `throttleEvery`-th of them `lag` ms after it left, and a probe every `recoverEvery`-th: driven
 * through the controller and its model side by side. Returns where they first differ, if they do.
 */
function firstDifference(mps: number, seconds: number, throttleEvery: number, lag: number, recoverEvery: number): string | undefined {
  const control = new RateController(mps);
  const model = new RateControllerModel(mps);
  const answers: { now: number; requestAt: number }[] = [];
  const state = (c: RateController | RateControllerModel, now: number) => `${c.rate} ${c.providerRate} ${c.reactions} ${c.limitFound} ${c.timeBelowMs(now)}`;
  for (let i = 0; i < mps * seconds; i++) {
    const now = (i * 1000) / mps;
    while (answers.length > 0 && answers[0]!.now <= now) {
      const { now: at, requestAt } = answers.shift()!;
      const [got, want] = [control.throttled(at, requestAt), model.throttled(at, requestAt)];
      if (got !== want) return `request ${i}: throttled(${at}, ${requestAt}) is ${got}, the model says ${want}`;
    }
    control.sent(now);
    model.sent(now);
    if (throttleEvery > 0 && i % throttleEvery === 0) answers.push({ now: now + lag, requestAt: now });
    if (recoverEvery > 0 && i % recoverEvery === 0) {
      control.recover(now);
      model.recover(now);
    }
    if (state(control, now) !== state(model, now)) return `request ${i}: ${state(control, now)}, the model ${state(model, now)}`;
  }
  return undefined;
}

describe('RateController', () => {
  // Above 2,048/s the old controller copied its ~4,096 request times on every request; the new one
  // forgets by moving an index (sorted-times.test.ts holds its cost). Answers come up to 3 s late,
  // so throttled requests land before, in and after what was forgotten.
  it('answers exactly as the controller it replaced, above 2,048/s and below', () => {
    fc.assert(
      fc.property(fc.constantFrom(80, 1000, 2500), fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1000, max: 5000 })), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 3000 }), (mps, throttleEvery, lag, recoverEvery) => {
        expect(firstDifference(mps, 3, throttleEvery, lag, recoverEvery)).toBeUndefined();
      }),
      { seed: 15, numRuns: 10 },
    );
  });

  it('long runs, compared all the way: 2,500/s with throttling answers; 1,000/s answered 2.5 s late, past the 2 s kept below 4,096 times', () => {
    expect(firstDifference(2500, 5, 7, 40, 500)).toBeUndefined();
    expect(firstDifference(1000, 9, 3000, 2500, 100)).toBeUndefined();
  });
});
