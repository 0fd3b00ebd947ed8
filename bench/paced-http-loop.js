// The floor under the got loop: a bare node:http loop posting at `rate` requests a second (a 1 ms
// timer tick), the same keep-alive and in-flight room as paced-got-loop.js, nothing else. What
// got itself costs is the difference between the two.
import http from 'node:http';
import { runPaced } from './paced-loop.js';

const [url, total, rate] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
// A different recipient each time, as send's campaign has: the emulator answers a repeated number
// within 6 s with a pair-rate error, and got builds an HTTPError (with a stack trace) for every
// answer that is not 2xx, which would make this loop dearer than the one it is a baseline for.
const bodyFor = (i) => JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to: `+4474${10_000_000 + i}`, type: 'template', template: { name: 'hello', language: { code: 'en' } } });
const headers = { authorization: 'Bearer emulator-token', 'content-type': 'application/json' };

function post(i) {
  const body = bodyFor(i);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

await runPaced(total, rate, post);
agent.destroy();
