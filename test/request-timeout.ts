import { vi } from 'vitest';

/**
 * Runs `start` (requests through httpTransport) with the timers on fake time, waits on real I/O
 * until `reached()` says the exchange is where the test wants it (a request on the server, a
 * connection accepted), then moves time past the request timeout, `timeoutMs`. The timeout fires
 * at that moment of the exchange on a fast or a loaded machine: a real 300 ms timeout can fire
 * during a TLS handshake or a connect that a loaded machine has not finished, which is a different
 * case (not sent) from the one under test. Only setTimeout is faked (got's request timeout); the
 * sockets' own timers are Node's internals and stay real.
 */
export async function timeOutWhen<T>(timeoutMs: number, reached: () => boolean, start: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    let settled = false;
    const pending = start().finally(() => (settled = true));
    while (!reached() && !settled) await new Promise((resolve) => setImmediate(resolve));
    // All at once, as one turn of the event loop would, with no I/O in between (a request waiting
    // for a socket must not get one in the middle): the timeouts due, and a millisecond later the
    // requests' destruction (got destroys a request on a zero-delay timer, which Node makes 1 ms).
    vi.advanceTimersByTime(timeoutMs + 1);
    return await pending;
  } finally {
    vi.useRealTimers();
  }
}
