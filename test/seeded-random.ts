import { onTestFailed } from 'vitest';

/**
 * The seed of a test's random choices (kill moments, orders): fixed, so a run is repeatable;
 * `TEST_SEED=<n>` to try another. Printed when the test fails, to replay that run.
 */
export const TEST_SEED = Number(process.env.TEST_SEED ?? 20261202);

/** A seeded source of numbers in [0, 1), its seed printed if the current test fails (call it inside the test). */
export function seededRandom(seed = TEST_SEED): () => number {
  onTestFailed(() => console.error(`random choices of this test: seed ${seed} (replay with TEST_SEED=${seed})`));
  return mulberry32(seed);
}

/** mulberry32: small, fast, and good enough to pick test cases. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
