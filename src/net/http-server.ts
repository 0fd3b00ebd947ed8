import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `server` on `host:port` (port 0: a free one) and returns the URL it can be reached at. */
export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
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
