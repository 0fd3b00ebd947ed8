import { describe, expect, it, vi } from 'vitest';
import { sendSetup, sentKind } from './send-campaign-setup.js';

// Which watcher of the machine's waits the pacer is given (watchLoopStalls, on the real clock):
// the kernel's CPU waits where it tells them, else the event loop's stalls; each closed after the
// run. Both are replaced by fakes that record what was made and closed.

const watch = vi.hoisted(() => ({ cpuAvailable: true, made: [] as string[], closed: [] as string[] }));

const fake = (name: string) => {
  watch.made.push(name);
  return {
    worstMs: () => 0,
    close: () => watch.closed.push(name),
  };
};

vi.mock('../../src/campaign/cpu-waits.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/campaign/cpu-waits.js')>()),
  watchCpuWaits: () => (watch.cpuAvailable ? fake('cpu-waits') : undefined),
}));
vi.mock('../../src/campaign/loop-stalls.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/campaign/loop-stalls.js')>()),
  loopStalls: () => fake('loop-stalls'),
}));

async function sendWatching(cpuAvailable: boolean, watchLoopStalls: boolean) {
  Object.assign(watch, { cpuAvailable, made: [], closed: [] });
  const s = await sendSetup(3);
  expect(sentKind(await s.send({}, { watchLoopStalls })).stats.accepted).toBe(3);
  return { made: watch.made, closed: watch.closed };
}

describe('sendCampaign: the machine’s waits for the pacer', () => {
  it('the kernel tells its CPU waits: those, and no loop watcher', async () => {
    expect(await sendWatching(true, true)).toEqual({ made: ['cpu-waits'], closed: ['cpu-waits'] });
  });

  it('it does not: the event loop’s stalls', async () => {
    expect(await sendWatching(false, true)).toEqual({ made: ['loop-stalls'], closed: ['loop-stalls'] });
  });

  it('not asked for (a manual clock): no watcher', async () => {
    expect(await sendWatching(true, false)).toEqual({ made: [], closed: [] });
  });
});
