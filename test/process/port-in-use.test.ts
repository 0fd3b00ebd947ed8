import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCli } from './cli-process.js';

// The built CLI, as a user starts it: a port already in use is bad usage (exit 2), one line naming it.
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function busyPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

const bin = (args: string[], cwd: string) => runCli(args, { cwd, env: { PATH: process.env.PATH, WA_APP_SECRET: 's' } });

describe('a port already in use', () => {
  it.each([['webhook', ['--events', 'events.jsonl']], ['emulator', []]])('%s: exit 2, one line naming the port', async (command, extra) => {
    const port = await busyPort();
    const dir = await tempDir();
    const result = await bin([command, '--port', String(port), ...extra], dir);
    expect(result.stderr).toBe(`wa-broadcast: --port ${port}: 127.0.0.1:${port} is already in use (another webhook or emulator?): stop it or pick another port\n`);
    expect(result.code).toBe(2);
  });
});
