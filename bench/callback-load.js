// Posts `total` signed Meta-shaped status callbacks to a webhook receiver, `concurrency` at a time,
// and prints callbacks per second (all must be answered 200).
import { createHmac } from 'node:crypto';
import http from 'node:http';

const [url, total, concurrency, secret] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
function post(body) {
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-hub-signature-256': signature } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}
let next = 0;
let ok = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const id = next++;
      const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { statuses: [{ id: `wamid.${id}`, status: 'delivered', timestamp: '1750030073', recipient_id: '447400123456', biz_opaque_callback_data: `run-${id}-1` }] } }] }] });
      if ((await post(body)) === 200) ok++;
    }
  }),
);
console.log(JSON.stringify({ rate: total / ((performance.now() - started) / 1000), ok }));
agent.destroy();
