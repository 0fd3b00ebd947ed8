import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Pacer, type Sending } from '../../src/campaign/pacer.js';
import { ManualClock } from '../manual-clock.js';
import { reportedWaits } from './pacing-sim.js';

/**
 * Exact slot times and admissions on the manual clock: the pacer's arithmetic, case by case (the
 * simulations in pacer.test.ts bound what a receiver sees; these say what each step is).
 */

/** Runs `body` on `clock`, failing rather than waiting on past `limitMs` of clock time (a pacer that never wakes). */
function run(clock: ManualClock, body: () => Promise<void>, limitMs = 20_000): Promise<void> {
  return clock.run(body(), limitMs);
}

/** Admits one request now (no slot) and writes it at once. */
async function sendNow(pacer: Pacer): Promise<Sending> {
  const sending = (await pacer.admit())!;
  sending.written();
  return sending;
}

/** `count` requests one after another through the grid and the window, each written at once: their times. */
async function sendTimes(pacer: Pacer, clock: ManualClock, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await pacer.acquire();
    await sendNow(pacer);
    times.push(clock.now());
  }
  return times;
}

describe('Pacer: mps', () => {
  it.each([0, 0.5, -1, Number.NaN])('refuses %s requests a second', (mps) => {
    expect(() => new Pacer(mps, new ManualClock())).toThrowError(new RangeError('mps must be at least 1'));
  });

  it('takes 1', () => {
    expect(new Pacer(1, new ManualClock()).state()).toEqual({ mps: 1, rate: 1, providerRate: undefined, throttleReactions: 0, limitFound: false, timeBelowMs: 0 });
  });
});

describe('Pacer: the window after a write, exactly', () => {
  it('an unanswered write: a second, the 4 ms margin and the CPU waits the watch reports', async () => {
    const clock = new ManualClock('promises');
    const pacer = new Pacer(1, clock, () => 10);
    const admitted: number[] = [];
    await run(clock, async () => {
      await sendNow(pacer);
      await sendNow(pacer);
      admitted.push(clock.now());
    });
    expect(admitted).toEqual([1014]);
    expect(pacer.windowAfter(0)).toBe(1014);
  });

  it('the waits asked about begin 100 ms before the write: one that ended 50 ms before it counts, one that ended 110 ms before does not', async () => {
    const clock = new ManualClock('promises');
    const spans = [
      [300, 390],
      [420, 450],
    ] as const;
    const asked: number[] = [];
    const pacer = new Pacer(1, clock, (since) => {
      asked.push(since);
      return reportedWaits(spans, since, clock.now());
    });
    const admitted: number[] = [];
    await run(clock, async () => {
      await clock.sleep(500);
      await sendNow(pacer);
      await sendNow(pacer);
      admitted.push(clock.now());
    });
    // Written at 500: 1000 + 4 + 30 (the wait of [420, 450)).
    expect(admitted).toEqual([1534]);
    expect(new Set(asked)).toEqual(new Set([400]));
  });

  it('an answered write: its round trip over the shortest, and the shortest up to 4 ms; answered twice, the first answer counts', async () => {
    const clock = new ManualClock('promises');
    const pacer = new Pacer(1, clock);
    const admitted: number[] = [];
    await run(clock, async () => {
      const a = await sendNow(pacer);
      await clock.sleep(1);
      a.answered(0);
      await clock.sleep(49);
      // A second report of the same answer (the transport's error path after its headers): ignored.
      a.answered(0);
      a.done();
      await sendNow(pacer);
      admitted.push(clock.now());
    });
    // Round trip 1, the shortest: 1000 + (1 − 1) + min(4, 1). Had the second answer counted: 1000 + 49 + 1.
    expect(admitted).toEqual([1001]);
  });

  it('looks past the write that binds to an older one whose window ends later (its waits grew), however far within the 1,100 ms horizon', async () => {
    const clock = new ManualClock('promises');
    let waits = 0;
    const pacer = new Pacer(2, clock, () => waits);
    const admitted: number[] = [];
    await run(clock, async () => {
      // X at 0, unanswered: its window is 1000 + 4 + the waits.
      await sendNow(pacer);
      // Y admitted at 0, written at 50 and answered at once: a 0 ms round trip, window 1050.
      const y = (await pacer.admit())!;
      await clock.sleep(50);
      y.written();
      y.answered(0);
      y.done();
      // P: room when X's window ends (1004 as the waits then say); admitted, not yet written.
      await pacer.admit();
      admitted.push(clock.now());
      // The watch now reports a 96 ms wait before X: X's window ends at 1100, after Y's.
      waits = 96;
      expect(pacer.windowAfter(0)).toBe(1100);
      // Q: with P unwritten, Y binds (1050), and X, 1050 ms before Y's room, still holds it.
      await pacer.admit();
      admitted.push(clock.now());
    });
    expect(admitted).toEqual([1004, 1100]);
  });
});

/** Sends 10 at 10/s (0, 100, … 900), then waits until `at`. */
async function tenThenWait(pacer: Pacer, clock: ManualClock, at: number): Promise<number[]> {
  const times = await sendTimes(pacer, clock, 10);
  await clock.sleep(at - clock.now());
  return times;
}

describe('Pacer: throttling, exactly', () => {
  it('a throttling answer at the rate sent (jitter) adds 5 ms to every unanswered window, halving every 4 s; another adds 5 to what is left', async () => {
    const clock = new ManualClock('promises');
    const pacer = new Pacer(10, clock);
    const windows: number[] = [];
    await run(clock, async () => {
      const times = await tenThenWait(pacer, clock, 1000);
      expect(times).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
      pacer.throttled(900);
      expect(pacer.state()).toMatchObject({ rate: 9, throttleReactions: 1, limitFound: false });
      windows.push(pacer.windowAfter(0));
      await clock.sleep(4000);
      windows.push(pacer.windowAfter(0));
      // Back at 10/s (a quiet probe), ten more in a second, and another jitter 8 s after the first.
      const more = await sendTimes(pacer, clock, 10);
      expect(more.length).toBe(10);
      expect(pacer.state()).toMatchObject({ rate: 10, throttleReactions: 1, limitFound: false });
      await clock.sleep(9000 - clock.now());
      pacer.throttled(more.at(-1)!);
      expect(pacer.state()).toMatchObject({ rate: 9, throttleReactions: 2, limitFound: false });
      windows.push(pacer.windowAfter(0));
      await clock.sleep(4000);
      windows.push(pacer.windowAfter(0));
    });
    // 5, then 2.5 after 4 s; at 9 s, 5 × 0.25 + 5 = 6.25, then 3.125 after 4 s more.
    expect(windows).toEqual([1009, 1006.5, 1010.25, 1007.125]);
  });

  it('a throttling answer that shows a limit adds no margin, nor does a later one about a request sent before the reaction', async () => {
    const clock = new ManualClock('promises');
    const pacer = new Pacer(10, clock);
    const windows: number[] = [];
    await run(clock, async () => {
      await tenThenWait(pacer, clock, 1000);
      // The request of 800: of the nine sent in its second, one refused is over a tenth.
      pacer.throttled(800);
      expect(pacer.state()).toMatchObject({ throttleReactions: 1, limitFound: true });
      windows.push(pacer.windowAfter(0));
      pacer.throttled(900);
      expect(pacer.state().throttleReactions).toBe(1);
      windows.push(pacer.windowAfter(0));
    });
    expect(windows).toEqual([1004, 1004]);
  });

  it('an old throttling answer after a jitter one adds nothing to its 5 ms', async () => {
    const clock = new ManualClock('promises');
    const pacer = new Pacer(10, clock);
    let window = 0;
    await run(clock, async () => {
      await tenThenWait(pacer, clock, 1000);
      pacer.throttled(900);
      pacer.throttled(800);
      expect(pacer.state().throttleReactions).toBe(1);
      window = pacer.windowAfter(0);
    });
    expect(window).toBe(1009);
  });

  it('the next slot after a reaction is one new interval after it, and an answer about a request sent before the reaction moves it no further', async () => {
    const clock = new ManualClock('promises');
    const pacer = new Pacer(10, clock);
    let slot = 0;
    await run(clock, async () => {
      await tenThenWait(pacer, clock, 3000);
      pacer.throttled(900);
      expect(pacer.currentRate).toBe(9);
      await clock.sleep(50);
      pacer.throttled(800);
      expect(pacer.state().throttleReactions).toBe(1);
      await pacer.acquire();
      slot = clock.now();
    });
    expect(slot).toBe(3000 + 1000 / 9);
  });
});

describe('Pacer: slots waiting for their admission, exactly', () => {
  it('an admission given up (its signal aborted) frees its slot’s room, and only its: the next slots come as the window then allows', async () => {
    const clock = new ManualClock('promises');
    const pacer = new Pacer(5, clock);
    const slots: number[] = [];
    await run(clock, async () => {
      await sendTimes(pacer, clock, 1);
      await clock.sleep(5000);
      // Two written at 5000 (admitted without a slot), beside the one of 0.
      await sendNow(pacer);
      await sendNow(pacer);
      for (let i = 0; i < 3; i++) {
        await pacer.acquire();
        slots.push(clock.now());
      }
      // Three slots wait for their admission; the first is given up.
      const stop = new AbortController();
      stop.abort();
      expect(await pacer.admit(stop.signal)).toBe(undefined);
      // The two at 5000, two slots waiting: one more fits in their window now, the next only 20 ms
      // (the lead) before those two leave it.
      for (let i = 0; i < 2; i++) {
        await pacer.acquire();
        slots.push(clock.now());
      }
    });
    expect(slots).toEqual([5000, 5000, 5000, 5000, 5984]);
  });
});

describe('Pacer: waking those who wait for a write', () => {
  it('a slot waiting for a pending write wakes at the write, and is taken the lead before its window ends, not at the next fallback second', async () => {
    const clock = new ManualClock('promises');
    const pacer = new Pacer(1, clock);
    let slot = 0;
    await run(clock, async () => {
      await pacer.acquire();
      const a = (await pacer.admit())!;
      // The window is taken by A until it is written: the next slot waits (a fallback wake at 1000 finds it still unwritten).
      const next = pacer.acquire().then(() => {
        slot = clock.now();
      });
      await clock.sleep(1005);
      a.written();
      await next;
    });
    // A's window: 1005 + 1004; the slot 20 ms before it.
    expect(slot).toBe(1989);
  });

  it('with no write to come, the one fallback wakes every waiter a second after the first began to wait', async () => {
    const clock = new ManualClock('promises');
    const pacer = new Pacer(1, clock);
    let slot = 0;
    await run(clock, async () => {
      await pacer.acquire();
      // B waits from 0 (the slot taken fills the window), C from 400.
      const b = pacer.acquire().then(() => {
        slot = clock.now();
      });
      await clock.sleep(400);
      const stopC = new AbortController();
      const c = pacer.acquire(stopC.signal);
      await clock.sleep(200);
      // The first slot's attempt is given up: nothing will be written, and nothing wakes B but its fallback.
      const given = new AbortController();
      given.abort();
      await pacer.admit(given.signal);
      await b;
      stopC.abort();
      expect(await c).toBe(false);
    });
    expect(slot).toBe(1000);
  });

  it('an abort wakes those waiting on its signal, and leaves no listener on it', async () => {
    const clock = new ManualClock('promises');
    const pacer = new Pacer(1, clock);
    const stop = new AbortController();
    let result: Sending | undefined | 'pending' = 'pending';
    await run(clock, async () => {
      await pacer.admit();
      const waiting = pacer.admit(stop.signal).then((s) => {
        result = s;
      });
      await clock.sleep(10);
      expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
      stop.abort();
      await waiting;
    });
    expect(result).toBe(undefined);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});
