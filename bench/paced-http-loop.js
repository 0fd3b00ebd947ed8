// The floor for send's CPU with Node's own client (what `send` uses): a bare node:http loop posting
// at `rate` requests a second (a 1 ms timer tick), the same keep-alive and in-flight room as
// paced-got-loop.js, nothing else.
import http from 'node:http';
import { runPaced } from './paced-loop.js';

const [url, total, rate] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const body = JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '+447400123456', type: 'template', template: { name: 'hello', language: { code: 'en' } } });
const headers = { authorization: 'Bearer emulator-token', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };

function post() {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
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
