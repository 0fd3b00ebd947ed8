// A minimal Cloud-API-shaped server for benchmarks: answers every POST with a fixed success, after
// an optional delay (BARE_LATENCY_MS). Prints its URL on stdout.
import { createServer } from 'node:http';

const latency = Number(process.env.BARE_LATENCY_MS ?? 0);
let n = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: 'x', wa_id: 'x' }], messages: [{ id: `wamid.${++n}` }] });
    const answer = () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    if (latency > 0) setTimeout(answer, latency);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
