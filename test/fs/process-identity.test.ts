import { spawn } from 'node:child_process';
import { copyFile, readFile, readlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIdentity, holderState, ownIdentity, parseIdentity, startTimeOf, type HolderFacts, type ProcessIdentity } from '../../src/fs/process-identity.js';
import { tempDir } from '../helpers.js';

/** Field 22 of /proc/<pid>/stat, counted by hand: the fields after the last ')' start at field 3. */
async function field22(pid: number): Promise<string> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 1).trim().split(' ')[19]!;
}

describe('ownIdentity and startTimeOf', () => {
  it('this process: its pid, host, boot id, pid namespace and start time as /proc gives them', async () => {
    expect(ownIdentity()).toEqual({
      pid: process.pid,
      host: hostname(),
      boot: (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim(),
      pidns: await readlink('/proc/self/ns/pid'),
      start: await field22(process.pid),
    });
    expect(ownIdentity().boot).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a process whose name holds spaces and parentheses: its start time still (fields counted after the last ")")', async () => {
    const program = path.join(await tempDir(), 'a) b (c');
    await copyFile('/bin/sleep', program);
    const child = spawn(program, ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
      const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8');
      expect(stat).toContain('(a) b (c)');
      expect(startTimeOf(child.pid!)).toBe(await field22(child.pid!));
      expect(startTimeOf(child.pid!)).toMatch(/^\d+$/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('no such process: undefined', () => {
    expect(startTimeOf(999_999_999)).toBeUndefined();
  });
});

describe('formatIdentity and parseIdentity', () => {
  it('one JSON line, read back as it was written', () => {
    const identity = { pid: 42, host: 'h', boot: 'b', pidns: 'pid:[1]', start: '7' };
    expect(formatIdentity(identity)).toBe(`${JSON.stringify(identity)}\n`);
    expect(parseIdentity(formatIdentity(identity))).toEqual(identity);
  });

  it('a bare pid (what earlier versions wrote), spaces and newline around it', () => {
    expect(parseIdentity('1234')).toEqual({ pid: 1234 });
    expect(parseIdentity(' 1234\n')).toEqual({ pid: 1234 });
  });

  it('fields that are not text are dropped; unknown fields ignored', () => {
    expect(parseIdentity('{"pid":5,"host":7,"boot":null,"pidns":"n","start":["1"],"extra":"x"}')).toEqual({ pid: 5, host: undefined, boot: undefined, pidns: 'n', start: undefined });
  });

  it.each([
    ['no pid', '{"host":"h"}'],
    ['a pid that is text', '{"pid":"5"}'],
    ['a pid that is not whole', '{"pid":5.5}'],
    ['a pid of 0', '{"pid":0}'],
    ['a negative pid', '{"pid":-3}'],
    ['JSON null', 'null'],
    ['not JSON', 'pid=5'],
    ['a bare pid with more after it', '12 34'],
    ['a signed bare pid', '-12'],
    ['empty', ''],
  ])('%s: nobody (undefined)', (_name, text) => {
    expect(parseIdentity(text)).toBeUndefined();
  });

  it('a pid of 1 is somebody', () => {
    expect(parseIdentity('{"pid":1}')).toEqual({ pid: 1, host: undefined, boot: undefined, pidns: undefined, start: undefined });
  });
});

describe('holderState: what can be checked, and what is left to the heartbeat', () => {
  const me: ProcessIdentity = { pid: 10, host: 'h', boot: 'b', pidns: 'n', start: '100' };
  // Not running, not refreshed for a second of the 30: live only where the pid cannot be checked.
  const notRunningFresh: HolderFacts = { isAlive: () => false, startTimeOf: () => '100', ageMs: 1_000, staleMs: 30_000 };

  it.each([
    ['another host with another boot id (its boots say nothing of ours)', { pid: 11, host: 'x', boot: 'other', pidns: 'n', start: '100' }, me],
    ['another host with our boot id and pid namespace', { pid: 11, host: 'x', boot: 'b', pidns: 'n', start: '100' }, me],
    ['this host, the lock without a boot id', { pid: 11, host: 'h', pidns: 'n', start: '100' }, me],
    ['this host, we without a boot id', { pid: 11, host: 'h', boot: 'b', pidns: 'n', start: '100' }, { ...me, boot: undefined }],
  ] as const)('%s: the pid cannot be checked, the fresh lock is live', async (_name, holder, self) => {
    expect(await holderState(holder, self, notRunningFresh)).toBe('live');
    expect(await holderState(holder, self, { ...notRunningFresh, ageMs: 30_000 })).toBe('dead');
  });

  it('a running pid, checkable, and no start time to compare on one side or the other: live', async () => {
    const holder = { pid: 11, host: 'h', boot: 'b', pidns: 'n' };
    const running = { ...notRunningFresh, isAlive: () => true, ageMs: 10 ** 9 };
    expect(await holderState(holder, me, running)).toBe('live');
    expect(await holderState({ ...holder, start: '100' }, me, { ...running, startTimeOf: () => undefined })).toBe('live');
    expect(await holderState({ ...holder, start: '99' }, me, running)).toBe('dead');
  });
});
