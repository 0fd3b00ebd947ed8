import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { openFileLimit } from './open-file-limit.js';
import { pickEviction, type ConnectionState } from './pick-eviction.js';
import type { Clock } from '../clock.js';

/** How much a server lets its clients hold, and for how long. */
export interface ConnectionLimits {
  /** Connections open at once; at the cap, a newcomer evicts the one that made the least progress. */
  maxConnections: number;
  /** A request's headers must be complete this long after the connection opened or its previous answer went out (also the keep-alive idle time). */
  headersMs: number;
  /** A request's whole body must have arrived this long after its headers: a total, not an idle time, so trickling does not extend it. */
  bodyMs: number;
  /** On close: how long a body already arriving, or an answer on its way, may still take. */
  closeGraceMs: number;
}

/**
 * Defaults, for a receiver of provider callbacks facing the internet.
 *
 * - 5 s for headers and 5 s for the body: a provider sends a callback (a few KB, at most a batch of
 *   a few hundred KB) in one go, in well under a second. Meta retries a failed callback (at once,
 *   then for up to 36 h or 7 days: api-facts §1.5) and expects a quick answer (its timeout is not
 *   published); Twilio gives up after 15 s in all, connection included (its error 11205).
 *   Waiting longer than 10 s for a request only helps someone holding connections open; closing
 *   a genuinely slow one costs a retry, never an event.
 * - 1 s of grace on SIGTERM: enough for a body already arriving and for the answers in progress
 *   (an fsync shared by them all), short enough that the process exits within seconds.
 */
export const DEFAULT_HEADERS_MS = 5_000;
export const DEFAULT_BODY_MS = 5_000;
export const DEFAULT_CLOSE_GRACE_MS = 1_000;

/**
 * The default connection cap: 256, or half the open-file limit when that is lower. Every
 * connection is a file descriptor; a process out of them cannot accept at all, and every real
 * callback then fails with a reset (measured: 1,100 slow clients under `ulimit -n 1024`, not one
 * callback answered). Half leaves room for the events file, the lock, stdio and Node's own, and 256
 * concurrent callbacks is far more than a provider opens: each is answered in the time of one
 * shared fsync, so even 3,000 callbacks a second need a few dozen connections.
 */
export function defaultMaxConnections(fdLimit: number | undefined = openFileLimit()): number {
  return fdLimit === undefined ? 256 : Math.max(1, Math.min(256, Math.floor(fdLimit / 2)));
}

/** Time for the guard: the program's clock (src/clock.ts), of which it needs no wall time; a manual one in tests. */
export type GuardClock = Pick<Clock, 'now' | 'sleep'>;

/** Why the guard closed a connection, for the server's log; idle keep-alive closes are not reported. */
export type GuardClose = 'evicted' | 'refused' | 'headers-timeout' | 'body-timeout';

export interface ConnectionGuard {
  /** Connections open now, by state. */
  counts(): Record<ConnectionState, number>;
  /**
   * Stops accepting and closes every connection: at once those waiting for a request, after the
   * grace those still sending a body; requests being answered finish first, then their connection
   * closes. Resolves when the server has no connection left.
   */
  close(): Promise<void>;
}

interface Tracked {
  socket: Socket;
  state: ConnectionState;
  since: number;
  /** `socket.bytesRead` when it entered its state: a waiting connection that read nothing since is idle. */
  bytesAtEntry: number;
  /** Requests answered on it (keep-alive). */
  served: number;
  /** Requests in progress on it (more than one only when a client pipelines). */
  active: number;
  /** The response of the request in progress, to answer 408 on a body timeout. */
  res: ServerResponse | undefined;
}

/** The default: the system's time, its timers unref'd (a sweep never keeps the process alive). */
const backgroundClock: GuardClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * Puts a cap and deadlines on `server`'s connections (SPEC "Webhook receiver": caps connections,
 * times out slow headers and bodies within seconds, SIGTERM closes every connection).
 *
 * Node's own limits do not do this: `maxConnections` refuses the newcomer (so a crowd of slow
 * clients starves the real provider), and `headersTimeout`/`requestTimeout` default to 60 s and
 * 300 s, checked every 30 s. Here, connections are kept in one ordered map per state, oldest
 * first, so the eviction victim and the expired deadlines are at the heads: a newcomer at the cap
 * costs O(1), and a sweep every few hundred ms only looks at what is due.
 */
export function guardConnections(server: Server, limits: ConnectionLimits, options: { clock?: GuardClock; onClose?: (why: GuardClose) => void } = {}): ConnectionGuard {
  const clock = options.clock ?? backgroundClock;
  const report = options.onClose ?? (() => undefined);
  const byState: Record<ConnectionState, Map<Socket, Tracked>> = { waiting: new Map(), reading: new Map(), answering: new Map() };
  const tracked = new Map<Socket, Tracked>();
  let closingSince: number | undefined;
  let closing: Promise<void> | undefined;
  let emptied: (() => void) | undefined;

  // Node closes idle keep-alive connections itself after keepAliveTimeout, and advertises it
  // (`Keep-Alive: timeout=5`): the same number as our idle deadline, so clients do not reuse a
  // connection about to be closed.
  server.keepAliveTimeout = limits.headersMs;

  function enter(t: Tracked, state: ConnectionState): void {
    byState[t.state].delete(t.socket);
    t.state = state;
    t.since = clock.now();
    t.bytesAtEntry = t.socket.bytesRead;
    byState[state].set(t.socket, t);
  }

  function forget(socket: Socket): void {
    const t = tracked.get(socket);
    if (!t) return;
    tracked.delete(socket);
    byState[t.state].delete(socket);
    if (tracked.size === 0) emptied?.();
  }

  function oldest(state: ConnectionState): Tracked | undefined {
    return byState[state].values().next().value;
  }

  server.on('connection', (socket: Socket) => {
    if (closingSince !== undefined) {
      // Accepted just before the listener closed.
      socket.destroy();
      return;
    }
    if (tracked.size >= limits.maxConnections) {
      const victim = pickEviction([oldest('waiting'), oldest('reading')]);
      if (!victim) {
        // Every connection is being answered: the newcomer is the one that waits (the provider retries).
        socket.destroy();
        report('refused');
        return;
      }
      victim.socket.destroy();
      forget(victim.socket);
      report('evicted');
    }
    const t: Tracked = { socket, state: 'waiting', since: clock.now(), bytesAtEntry: 0, served: 0, active: 0, res: undefined };
    tracked.set(socket, t);
    byState.waiting.set(socket, t);
    socket.once('close', () => forget(socket));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const t = tracked.get(req.socket as Socket);
    if (!t) return;
    t.active++;
    t.res = res;
    if (closingSince !== undefined && !res.headersSent) res.setHeader('connection', 'close');
    enter(t, 'reading');
    req.once('end', () => {
      if (t.res === res && t.state === 'reading') enter(t, 'answering');
    });
    res.once('close', () => {
      t.active--;
      t.served++;
      if (t.res === res) t.res = undefined;
      if (t.socket.destroyed || !tracked.has(t.socket)) return;
      if (closingSince !== undefined) {
        // The answer is out: end the connection (a FIN after it, not a reset that could lose it).
        t.socket.end();
        return;
      }
      if (t.active === 0) enter(t, 'waiting');
    });
  });

  /** Closes a connection past its deadline: a body too slow gets a 408, headers too slow or an idle keep-alive are just closed. */
  function expire(t: Tracked, closing: boolean): void {
    if (t.state === 'reading') {
      if (!closing) report('body-timeout');
      const res = t.res;
      if (res && !res.headersSent && !res.writableEnded) {
        res.writeHead(408, { connection: 'close', 'content-type': 'text/plain; charset=utf-8', 'content-length': 15 }).end('request timeout');
        res.once('finish', () => t.socket.destroy());
        // Not evictable while its 408 goes out (a few ms); the grace on close destroys it regardless.
        enter(t, 'answering');
        return;
      }
    } else if (!closing && t.state === 'waiting' && (t.served === 0 || t.socket.bytesRead > t.bytesAtEntry)) {
      report('headers-timeout');
    }
    t.socket.destroy();
    forget(t.socket);
  }

  function sweep(): void {
    const now = clock.now();
    const closing = closingSince !== undefined;
    const graceOver = closing && now >= closingSince! + limits.closeGraceMs;
    for (const [state, limit] of [
      ['waiting', closing ? 0 : limits.headersMs],
      ['reading', graceOver ? 0 : limits.bodyMs],
    ] as const) {
      for (let t = oldest(state); t && now - t.since >= limit; t = oldest(state)) expire(t, closing);
    }
    if (graceOver) {
      for (const t of [...tracked.values()]) {
        t.socket.destroy();
        forget(t.socket);
      }
    }
  }

  // A sweep a tenth of the shortest limit apart (at most every 250 ms): deadlines hold to within that.
  const tickMs = Math.max(1, Math.min(250, Math.floor(Math.min(limits.headersMs, limits.bodyMs, limits.closeGraceMs) / 10)));
  let stopped = false;
  void (async () => {
    // No abort signal: the last tick is at most tickMs away and its timer does not hold the process.
    while (!stopped) {
      await clock.sleep(tickMs);
      if (!stopped) sweep();
    }
  })();

  return {
    counts: () => ({ waiting: byState.waiting.size, reading: byState.reading.size, answering: byState.answering.size }),
    close: () =>
      (closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        const allClosed = new Promise<void>((resolve) => (emptied = resolve));
        closingSince = clock.now();
        for (const t of tracked.values()) if (t.res && !t.res.headersSent) t.res.setHeader('connection', 'close');
        sweep();
        if (tracked.size > 0) await allClosed;
        stopped = true;
        await serverClosed;
      })()),
  };
}
