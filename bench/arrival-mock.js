// An independent Cloud-API-shaped receiver for the pacing bench: stamps every POST on arrival (the
// server's 'request' event, high-resolution wall time), as a provider's limiter counts, and, with
// ARRIVAL_LIMIT, answers 130429 (Meta's shape, HTTP 400) over that many accepted requests in any
// sliding second, as the emulator does. It shares no code with wa-broadcast. Prints its URL on
// stdout; on SIGTERM writes one line per request to ARRIVAL_LOG: `<ms> <a|t>` (accepted, throttled).
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

const limit = process.env.ARRIVAL_LIMIT ? Number(process.env.ARRIVAL_LIMIT) : undefined;
const latency = Number(process.env.ARRIVAL_LATENCY_MS ?? 0);
const stamps = [];
const kinds = [];
const window = [];
let n = 0;
const now = () => performance.timeOrigin + performance.now();
const THROTTLED = JSON.stringify({ error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429, error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' }, fbtrace_id: 'bench' } });

const server = createServer((req, res) => {
  const at = now();
  if (req.method !== 'POST') {
    req.resume();
    res.writeHead(404).end();
    return;
  }
  let accepted = true;
  if (limit !== undefined) {
    while (window.length > 0 && window[0] <= at - 1000) window.shift();
    accepted = window.length < limit;
    if (accepted) window.push(at);
  }
  stamps.push(at);
  kinds.push(accepted ? 'a' : 't');
  req.resume();
  req.on('end', () => {
    const body = accepted ? JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: 'x', wa_id: 'x' }], messages: [{ id: `wamid.bench${++n}` }] }) : THROTTLED;
    const answer = () => res.writeHead(accepted ? 200 : 400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    if (latency > 0) setTimeout(answer, latency);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => {
  if (process.env.ARRIVAL_LOG) writeFileSync(process.env.ARRIVAL_LOG, stamps.map((t, i) => `${t.toFixed(3)} ${kinds[i]}`).join('\n') + '\n');
  process.exit(0);
});
