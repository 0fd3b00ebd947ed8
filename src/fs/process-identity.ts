import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds a lock, precisely enough to tell a live holder from a dead one: a pid alone is not
 * (two containers sharing a volume both run as pid 1; after a reboot a stale lock's pid belongs to
 * some other program). The host, the boot, the pid namespace and the process's start time say
 * whether the pid can be checked here at all, and whether it is still the same process.
 */
export interface ProcessIdentity {
  pid: number;
  host?: string | undefined;
  /** The kernel's boot id (Linux): a lock from an earlier boot is dead. */
  boot?: string | undefined;
  /** The pid namespace (Linux, `/proc/self/ns/pid`): a pid from another namespace means nothing here. */
  pidns?: string | undefined;
  /** The process's start time in clock ticks since boot (`/proc/<pid>/stat` field 22): tells a reused pid. */
  start?: string | undefined;
}

/** This process as a lock names it. */
export function ownIdentity(): ProcessIdentity {
  return { pid: process.pid, host: hostname(), boot: readTrimmed('/proc/sys/kernel/random/boot_id'), pidns: readLink('/proc/self/ns/pid'), start: startTimeOf(process.pid) };
}

/** The start time of process `pid` as `/proc` gives it, or undefined where there is no `/proc`. */
export function startTimeOf(pid: number): string | undefined {
  const stat = readTrimmed(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19]; // field 22 overall: 3 is the first after comm
}

/** The lock file's text for `identity`: one JSON line. */
export function formatIdentity(identity: ProcessIdentity): string {
  return `${JSON.stringify(identity)}\n`;
}

/** A lock's text read back: the JSON line, or a bare pid (what earlier versions wrote). */
export function parseIdentity(text: string): ProcessIdentity | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const value = JSON.parse(trimmed) as Record<string, unknown>;
    const pid = value?.pid;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
    const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : undefined);
    return { pid, host: text('host'), boot: text('boot'), pidns: text('pidns'), start: text('start') };
  } catch {
    return undefined;
  }
}

export type HolderState = 'live' | 'dead';

export interface HolderFacts {
  /** Whether a process with that pid runs here (signal 0). */
  isAlive: (pid: number) => boolean | Promise<boolean>;
  /** The start time of a pid here, if known. */
  startTimeOf: (pid: number) => string | undefined;
  /** How long ago the lock was last refreshed by its holder (ms). */
  ageMs: number;
  /** A lock not refreshed for this long, by a holder we cannot check, is dead. */
  staleMs: number;
}

/**
 * Whether the holder named in a lock still runs. Pure apart from the probes it is given.
 * - Same host, boot and pid namespace: the pid can be checked, and its start time says whether it
 *   is still the process that took the lock (a reused pid is not).
 * - Same host, another boot: the machine restarted since; dead.
 * - Another host or pid namespace (containers on a shared volume, NFS): the pid means nothing here,
 *   so the holder's heartbeat decides: it refreshes the lock every few seconds while it runs.
 * - A bare pid (an earlier version's lock): the pid is all there is.
 */
export async function holderState(holder: ProcessIdentity, me: ProcessIdentity, facts: HolderFacts): Promise<HolderState> {
  if (holder.host === undefined) return (await facts.isAlive(holder.pid)) ? 'live' : 'dead';
  const sameHost = holder.host === me.host;
  if (sameHost && holder.boot !== undefined && me.boot !== undefined && holder.boot !== me.boot) return 'dead';
  const checkable = sameHost && holder.boot === me.boot && holder.pidns === me.pidns;
  if (!checkable) return facts.ageMs < facts.staleMs ? 'live' : 'dead';
  if (!(await facts.isAlive(holder.pid))) return 'dead';
  if (holder.start !== undefined) {
    const start = facts.startTimeOf(holder.pid);
    if (start !== undefined && start !== holder.start) return 'dead';
  }
  return 'live';
}

function readTrimmed(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function readLink(file: string): string | undefined {
  try {
    return readlinkSync(file);
  } catch {
    return undefined;
  }
}
