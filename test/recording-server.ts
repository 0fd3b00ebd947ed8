import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An answer; `drop`: close the connection after the request; `hang`: never answer. */
export type Scripted = { status: number; body: string; headers?: Record<string, string> } | 'drop' | 'hang';

/**
 * A loopback HTTP server (port 0) that records every request and answers from a script, in order.
 * `unused()` lists scripted answers nobody asked for: a test that scripts an answer must use it.
 */
export async function recordingServer(script: Scripted[] = []) {
  const requests: RecordedRequest[] = [];
  const queue = [...script];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = queue.shift() ?? { status: 500, body: 'no scripted answer' };
      if (answer === 'drop') return req.socket.destroy();
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unused: () => queue,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
