import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';

/**
 * Starts `server` on `host:port` (port 0: a free one) and returns the URL it can be reached at. A
 * port already in use, one not allowed, or a host that is not this machine's is bad usage (exit 2,
 * SPEC "Exit codes"), in one line naming it.
 */
export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, port, host)));
    server.listen(port, host, () => resolve());
  });
  const { port: actual, address } = server.address() as AddressInfo;
  const printable = address.includes(':') ? `[${address}]` : address;
  return { url: `http://${printable}:${actual}`, port: actual };
}

/** A request header's first value. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function listenError(error: NodeJS.ErrnoException, port: number, host: string): Error {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new UsageError(`--port ${port}: ${where} is already in use (another webhook or emulator?): stop it or pick another port`);
    case 'EACCES':
      return new UsageError(`--port ${port}: not allowed to listen on ${where} (ports below 1024 need privileges): pick a port above 1023`);
    case 'EADDRNOTAVAIL':
      return new UsageError(`--host ${host}: not an address of this machine`);
    default:
      return error;
  }
}
